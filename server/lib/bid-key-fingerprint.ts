import { createHash } from 'node:crypto';

// The bid key's fingerprint (SPEC §4.1): SHA-256 of the raw 32-byte X25519 public key, in hex.
// It is published with the announcement (page, OCDS, signed PDF) and printed on every receipt, so
// anyone can see that a bid was sealed to the key the key holders hold the shares of.

/** of the public key as stored (base64 of its 32 raw bytes) */
export function bidKeyFingerprint(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex');
}

/** for people comparing it by eye: 16 groups of 4, upper case */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}
