import { describe, expect, it } from 'vitest';
import { formatVerificationCode, normalizeVerificationCode, VERIFICATION_CODE_BYTES } from '../../server/lib/verification-code.ts';

describe('verification codes', () => {
  it('encodes 80 bits as four groups of four Crockford base32 symbols', () => {
    expect(formatVerificationCode(new Uint8Array(VERIFICATION_CODE_BYTES))).toBe('0000-0000-0000-0000');
    expect(formatVerificationCode(new Uint8Array(VERIFICATION_CODE_BYTES).fill(0xff))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    // 0x00 0x44 0x32 0x14 0xc7 … : bit groups 00000 00001 00010 00011 00100 00101 00110 00111
    expect(formatVerificationCode(Uint8Array.from([0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf]))).toBe(
      '0123-4567-89AB-CDEF',
    );
  });

  it('never uses I, L, O or U', () => {
    for (let seed = 0; seed < 200; seed++) {
      const bytes = Uint8Array.from({ length: VERIFICATION_CODE_BYTES }, (_, index) => (seed * 37 + index * 101) & 0xff);
      expect(formatVerificationCode(bytes)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    }
  });

  it('refuses the wrong number of random bytes', () => {
    expect(() => formatVerificationCode(new Uint8Array(8))).toThrow(RangeError);
  });

  it.each([
    ['0123-4567-89ab-cdef', '0123-4567-89AB-CDEF'],
    ['0123 4567 89AB CDEF', '0123-4567-89AB-CDEF'],
    ['O123456789ABCDEF', '0123-4567-89AB-CDEF'],
    ['0I23-4567-89AB-CDEF', '0123-4567-89AB-CDEF'],
    ['0l23-4567-89AB-CDEF', '0123-4567-89AB-CDEF'],
  ])('reads %s as %s', (typed, code) => {
    expect(normalizeVerificationCode(typed)).toBe(code);
  });

  it.each(['', '0123-4567-89AB', '0123-4567-89AB-CDEFG', 'U123-4567-89AB-CDEF', '../../etc/passwd'])('rejects %j', (typed) => {
    expect(normalizeVerificationCode(typed)).toBeNull();
  });
});
