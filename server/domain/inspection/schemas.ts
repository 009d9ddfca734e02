import { Type, type Static } from 'typebox';
import { InstantOut, Nullable } from '../../lib/schemas.ts';
import { ALERT_SEVERITIES, ALERT_STATUSES } from './types.ts';

export const AlertQuery = Type.Object({
  recruitmentId: Type.Optional(Type.String({ format: 'uuid' })),
  status: Type.Optional(Type.Enum(ALERT_STATUSES)),
});
export type AlertFilter = Static<typeof AlertQuery>;

export const AlertReply = Type.Object({
  id: Type.String(),
  indicator: Type.String(),
  severity: Type.Enum(ALERT_SEVERITIES),
  recruitmentId: Nullable(Type.String()),
  subject: Type.String(),
  evidence: Type.Array(
    Type.Object({ kind: Type.String(), id: Type.String(), detail: Type.String(), url: Type.Optional(Type.String()) }),
  ),
  raisedAt: InstantOut,
  status: Type.Enum(ALERT_STATUSES),
  note: Nullable(Type.String()),
});
