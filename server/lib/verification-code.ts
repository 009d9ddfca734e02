// Verification codes printed on documents and typed in by people holding a paper copy: Crockford
// base32 (no I, L, O or U, so nothing reads as another character), 16 symbols in groups of four,
// e.g. 7K3M-QX9P-4D2A-H8RT. The 80 bits come from the caller (crypto.randomBytes(10)), which
// keeps this module pure and testable.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VERIFICATION_CODE_BYTES = 10;
const SYMBOLS = (VERIFICATION_CODE_BYTES * 8) / 5;
const FORMATTED = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

export function formatVerificationCode(random: Uint8Array): string {
  if (random.length !== VERIFICATION_CODE_BYTES) {
    throw new RangeError(`a verification code takes ${VERIFICATION_CODE_BYTES} random bytes`);
  }
  return crockfordBase32(random).match(/.{4}/g)!.join('-');
}

/** Crockford base32 of some bytes, 5 bits a symbol (a whole number of symbols: 5 bytes make 8). */
export function crockfordBase32(random: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let symbols = '';
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      symbols += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return symbols;
}

/** What Crockford's decoding makes of typed symbols: case and separators ignored, I/L read as 1, O as 0. */
export function crockfordSymbols(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
}

/**
 * The canonical form of a code as someone typed it, or null when it cannot be one: case and
 * separators are ignored, and I/L read as 1, O as 0, as Crockford's decoding rules say.
 */
export function normalizeVerificationCode(typed: string): string | null {
  const symbols = crockfordSymbols(typed);
  if (symbols.length !== SYMBOLS) return null;
  const formatted = symbols.match(/.{4}/g)!.join('-');
  return FORMATTED.test(formatted) ? formatted : null;
}

/** The page where anyone checks a document by its code, as printed on it and in its QR code. */
export function verifyUrl(publicUrl: string, verifyCode: string): string {
  return `${publicUrl}/verify/${encodeURIComponent(verifyCode)}`;
}
