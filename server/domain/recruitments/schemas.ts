import { Type, type Static } from 'typebox';
import { ANNOUNCEMENT_KINDS, PUBLICATION_CHANNELS, RECRUITMENT_STATUSES } from './types.ts';
import { InstantOut, Nullable, OneLine } from '../../lib/schemas.ts';

const Key = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });
const text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const line = (maxLength: number) => OneLine({ minLength: 1, maxLength });
const Instant = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });

export const LotInput = Type.Object({
  key: Key,
  name: line(100),
  quota: Type.Integer({ minimum: 1, maximum: 100 }),
  description: Type.String({ maxLength: 2000, default: '' }),
});

export const ConditionInput = Type.Object({ key: Key, text: line(500) });

export const CriterionInput = Type.Object({
  key: Key,
  name: line(100),
  maxScore: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
  description: Type.String({ maxLength: 2000, default: '' }),
});

const draftFields = {
  title: line(200),
  summary: Type.String({ maxLength: 1000 }),
  body: Type.String({ maxLength: 50_000 }),
  owner: line(200),
  lots: Type.Array(LotInput, { minItems: 1, maxItems: 20 }),
  eligibility: Type.Array(ConditionInput, { minItems: 1, maxItems: 30 }),
  criteria: Type.Array(CriterionInput, { minItems: 1, maxItems: 30 }),
  minPublicBenefitRatio: Type.Number({ minimum: 0, maximum: 100 }),
  agreementTermMonths: Type.Integer({ minimum: 1 }),
  questionsDeadline: Instant,
  submissionDeadline: Instant,
  publicityDays: Type.Integer({ minimum: 1, maximum: 60 }),
  decisionRef: OneLine({ maxLength: 200 }),
};

/** POST /recruitments: omitted eligibility gets the six conditions, omitted deadlines and ratio their defaults. */
export const CreateRecruitmentBody = Type.Object({
  title: draftFields.title,
  summary: Type.Optional(draftFields.summary),
  body: Type.Optional(draftFields.body),
  owner: draftFields.owner,
  lots: draftFields.lots,
  eligibility: Type.Optional(draftFields.eligibility),
  criteria: draftFields.criteria,
  minPublicBenefitRatio: Type.Optional(draftFields.minPublicBenefitRatio),
  agreementTermMonths: draftFields.agreementTermMonths,
  questionsDeadline: Type.Optional(draftFields.questionsDeadline),
  submissionDeadline: draftFields.submissionDeadline,
  publicityDays: Type.Optional(draftFields.publicityDays),
  decisionRef: Type.Optional(draftFields.decisionRef),
});
export type CreateRecruitmentInput = Static<typeof CreateRecruitmentBody>;

export const UpdateRecruitmentBody = Type.Partial(Type.Object(draftFields), { minProperties: 1 });
export type UpdateRecruitmentInput = Static<typeof UpdateRecruitmentBody>;

// The escrow holder is designated by an administrator (PUT /settings/escrow-holder), never here:
// an agent naming one is refused rather than silently ignored.
export const PublishBody = Type.Object({ inspectorId: Uuid }, { additionalProperties: false });

export const PublicationBody = Type.Object({
  channel: Type.Enum(PUBLICATION_CHANNELS),
  name: line(200),
  publishedOn: Type.String({ format: 'date' }),
  url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 1000 })),
});
export type PublicationInput = Static<typeof PublicationBody>;

export const AmendmentBody = Type.Object({
  title: line(200),
  body: text(50_000),
  submissionDeadline: Type.Optional(Instant),
  questionsDeadline: Type.Optional(Instant),
  /** a clarification that changes nothing bidders prepare, nor the deadline, is not held to the 15-day rule */
  affectsPreparation: Type.Boolean({ default: true }),
});
export type AmendmentInput = Static<typeof AmendmentBody>;

export const ReasonBody = Type.Object({ reason: text(2000) });
export const TextBody = Type.Object({ text: text(5000) });

export const ListQuery = Type.Object({
  status: Type.Optional(Type.Enum(RECRUITMENT_STATUSES)),
  q: Type.Optional(OneLine({ maxLength: 100 })),
});

export const AnnouncementReply = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  kind: Type.Enum(ANNOUNCEMENT_KINDS),
  title: Type.String(),
  body: Type.String(),
  changes: Type.Array(Type.Object({ field: Type.String(), from: Type.String(), to: Type.String() })),
  publishedAt: InstantOut,
});

export const RecruitmentReply = Type.Object({
  id: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  body: Type.String(),
  owner: Type.String(),
  status: Type.Enum(RECRUITMENT_STATUSES),
  suspendedFrom: Nullable(Type.Enum(RECRUITMENT_STATUSES)),
  evaluationRound: Type.Integer(),
  minPublicBenefitRatio: Type.Number(),
  agreementTermMonths: Type.Integer(),
  questionsDeadline: InstantOut,
  submissionDeadline: InstantOut,
  publicityDays: Type.Integer(),
  decisionRef: Nullable(Type.String()),
  inspectorId: Nullable(Type.String()),
  escrowHolderId: Nullable(Type.String()),
  createdAt: InstantOut,
  publishedAt: Nullable(InstantOut),
  cancelledAt: Nullable(InstantOut),
  cancelReason: Nullable(Type.String()),
  cancelCountersignedAt: Nullable(InstantOut),
  /** SHA-256 (hex) of the bid key, once published; the signed announcement states it too */
  bidKeyFingerprint: Nullable(Type.String()),
  lots: Type.Array(Type.Object({ key: Type.String(), name: Type.String(), quota: Type.Integer(), description: Type.String() })),
  eligibility: Type.Array(Type.Object({ key: Type.String(), text: Type.String() })),
  criteria: Type.Array(
    Type.Object({ key: Type.String(), name: Type.String(), maxScore: Type.Number(), description: Type.String() }),
  ),
  publications: Type.Array(
    Type.Object({
      id: Type.String(),
      channel: Type.String(),
      name: Type.String(),
      publishedOn: Type.String(),
      url: Nullable(Type.String()),
    }),
  ),
  announcements: Type.Array(AnnouncementReply),
  answeredQuestions: Type.Array(
    Type.Object({ id: Type.String(), text: Type.String(), answer: Type.String(), askedAt: InstantOut, answeredAt: InstantOut }),
  ),
});

export const RecruitmentSummaryReply = Type.Object({
  id: Type.String(),
  title: Type.String(),
  owner: Type.String(),
  status: Type.Enum(RECRUITMENT_STATUSES),
  submissionDeadline: InstantOut,
  publishedAt: Nullable(InstantOut),
});

export const StatusReply = Type.Object({ status: Type.Enum(RECRUITMENT_STATUSES) });
