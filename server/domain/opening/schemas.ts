import { Type } from 'typebox';

/** the fingerprint as printed (groups of four, any case) or as in the API (64 hex digits) */
export const UnlockBody = Type.Object({
  passphrase: Type.String({ minLength: 1, maxLength: 1024 }),
  bidKeyFingerprint: Type.String({ minLength: 64, maxLength: 100, pattern: '^[0-9A-Fa-f ]+$' }),
});
