import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { beijingDayStart } from '../../lib/datetime.ts';
import { blankOr, Nullable } from '../../lib/schemas.ts';
import type { RecordFilter } from './record.ts';

/** an action code as the log writes it: bid.submit, recruitment.startOpening… */
const ActionCode = Type.String({ pattern: '^[a-z][a-z_]*(\\.[a-zA-Z_]+)+$', maxLength: 64 });
const Uuid = Type.String({ format: 'uuid' });
/** a Beijing calendar day, YYYY-MM-DD */
const BeijingDay = Type.String({ format: 'date' });

/** What the record is filtered by, on the API, the record pages and their live stream. */
const filters = {
  action: Type.Optional(ActionCode),
  actorId: Type.Optional(Uuid),
  /** from this Beijing day on, or from this instant (ISO 8601 with offset) */
  from: Type.Optional(Type.Union([BeijingDay, Type.String({ format: 'date-time' })])),
  /** up to the end of this Beijing day, or up to this instant */
  to: Type.Optional(Type.Union([BeijingDay, Type.String({ format: 'date-time' })])),
};

export const AuditQuery = Type.Object({
  recruitmentId: Type.Optional(Uuid),
  ...filters,
  afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  /** entries before this seq: the cursor of the next page, newest first */
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  order: Type.Enum(['asc', 'desc'], { default: 'asc' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
});

/** The record page's form: a field left blank filters nothing. */
const pageFilters = {
  action: Type.Optional(blankOr(ActionCode)),
  actorId: Type.Optional(blankOr(Uuid)),
  from: Type.Optional(blankOr(BeijingDay)),
  to: Type.Optional(blankOr(BeijingDay)),
};

export const RecordPageQuery = Type.Object({
  ...pageFilters,
  /** the page of entries before this seq */
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  /** the page that holds this entry, the entry highlighted */
  seq: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const RecordStreamQuery = Type.Object({
  ...pageFilters,
  /** the newest seq the page showed: entries after it are sent (Last-Event-ID, when sent, wins) */
  after: Type.Optional(Type.Integer({ minimum: 0 })),
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** A day is the whole Beijing day; an instant is taken as it is, up to and including it. */
function bounds(from: string | undefined, to: string | undefined): Pick<RecordFilter, 'from' | 'until'> {
  const isDay = (bound: string) => bound.length === 10;
  const start = from ? (isDay(from) ? beijingDayStart(from) : new Date(from)) : undefined;
  const end = to ? new Date((isDay(to) ? beijingDayStart(to).getTime() + DAY_MS : new Date(to).getTime() + 1)) : undefined;
  if (start && end && start >= end) throw new AppError('VALIDATION_FAILED', '起始时间不能晚于截止时间', 'from');
  return { ...(start ? { from: start } : {}), ...(end ? { until: end } : {}) };
}

/** The filter a query names; blank fields filter nothing. */
export function filterOf(query: { recruitmentId?: string; action?: string; actorId?: string; from?: string; to?: string }): RecordFilter {
  return {
    ...(query.recruitmentId ? { recruitmentId: query.recruitmentId } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.actorId ? { actorId: query.actorId } : {}),
    ...bounds(query.from || undefined, query.to || undefined),
  };
}

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
