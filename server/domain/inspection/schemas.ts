import { Type, type Static } from 'typebox';
import { InstantOut, Nullable } from '../../lib/schemas.ts';
import { RECRUITMENT_STATUSES } from '../recruitments/types.ts';
import { DEADLINE_KINDS, SIGN_OFF_KINDS } from './desk-rules.ts';
import { ALERT_SEVERITIES, ALERT_STATUSES } from './types.ts';

export const AlertQuery = Type.Object({
  recruitmentId: Type.Optional(Type.String({ format: 'uuid' })),
  status: Type.Optional(Type.Enum(ALERT_STATUSES)),
  severity: Type.Optional(Type.Enum(ALERT_SEVERITIES)),
  /** an indicator's code (INDICATORS); an unknown one matches nothing */
  indicator: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,64}$' })),
});
export type AlertFilter = Static<typeof AlertQuery>;

const Person = Type.Object({ id: Type.String(), name: Type.String() });

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
  /** who last dismissed, escalated or reopened the alert, and when */
  decidedBy: Nullable(Person),
  decidedAt: Nullable(InstantOut),
});

/** An inspector's decision on an alert: the status it takes, and why (kept, and audited). */
export const DecisionBody = Type.Object({
  status: Type.Enum(ALERT_STATUSES),
  note: Type.String({ minLength: 2, maxLength: 2000 }),
});
export type Decision = Static<typeof DecisionBody>;

const SeverityCounts = Type.Object({ high: Type.Integer(), medium: Type.Integer(), low: Type.Integer() });

export const DeskReply = Type.Object({
  /** whether an administrator granted this inspector the supervising view of every recruitment */
  supervisesAll: Type.Boolean(),
  recruitments: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      owner: Type.String(),
      status: Type.Enum(RECRUITMENT_STATUSES),
      /** the status in Chinese (STATUS_LABELS), with the one it was suspended from */
      stage: Type.String(),
      publishedAt: Nullable(InstantOut),
      inspector: Nullable(Person),
      nextDeadline: Nullable(Type.Object({ kind: Type.Enum(DEADLINE_KINDS), label: Type.String(), at: InstantOut })),
      /** sign-offs that can be given now; `byYou` when this inspector is the one to give it */
      signOffs: Type.Array(Type.Object({ kind: Type.Enum(SIGN_OFF_KINDS), label: Type.String(), byYou: Type.Boolean(), url: Type.String() })),
      openObjections: Type.Integer(),
      openChallenges: Type.Integer(),
      openAlerts: SeverityCounts,
      links: Type.Object({
        page: Type.String(),
        opening: Nullable(Type.String()),
        evaluation: Nullable(Type.String()),
        publicity: Nullable(Type.String()),
        documents: Nullable(Type.String()),
        alerts: Type.String(),
        audit: Type.String(),
      }),
    }),
  ),
  /** open alerts this inspector sees about no recruitment on its desk (e.g. the machine's) */
  otherOpenAlerts: SeverityCounts,
});

/** The inspector's partnerships, of one recruitment when given. */
export const PartnershipQuery = Type.Object({ recruitmentId: Type.Optional(Type.String({ format: 'uuid' })) });
