import { Type } from 'typebox';
import { Nullable } from '../../lib/schemas.ts';

export const AuditQuery = Type.Object({
  recruitmentId: Type.Optional(Type.String({ format: 'uuid' })),
  afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
});

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Nullable(Type.Object({ id: Type.String(), role: Nullable(Type.String()), name: Nullable(Type.String()) })),
  action: Type.String(),
  target: Nullable(Type.String()),
  recruitmentId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const ChainCheckReply = Type.Object({
  /** the chain holds and every recorded head matches it */
  ok: Type.Boolean(),
  entries: Type.Integer(),
  head: Type.String(),
  brokenAt: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  /** every chain head recorded elsewhere: sign-offs, signed documents, checkpoint files */
  anchors: Type.Array(
    Type.Object({
      source: Type.String(),
      label: Type.String(),
      seq: Nullable(Type.Integer()),
      hash: Type.String(),
      ok: Type.Boolean(),
      problem: Type.Optional(Type.String()),
    }),
  ),
  problems: Type.Array(Type.String()),
});

export const CheckpointReply = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  head: Type.String(),
  verifyCode: Type.String(),
  issuedAt: Type.String({ format: 'date-time' }),
  url: Type.String(),
});
