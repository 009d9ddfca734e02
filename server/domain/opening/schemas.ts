import { Type } from 'typebox';

export const UnlockBody = Type.Object({
  passphrase: Type.String({ minLength: 1, maxLength: 1024 }),
  /** the fingerprint as printed (groups of four, any case) or as in the API (64 hex digits) */
  bidKeyFingerprint: Type.String({ minLength: 64, maxLength: 100, pattern: '^[0-9A-Fa-f ]+$' }),
  /** the escrow holder must say why it takes part (REASON_REQUIRED otherwise); other holders need not */
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
});
