import { and, asc, desc, eq, gt, gte, inArray, lt, max, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { auditLog, bids, documents, lots, organizations, recruitments, users } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { SignedInUser } from '../accounts/service.ts';
import { actionLabel } from './actions.ts';
import { describeDetails, describeTarget, type Names } from './describe.ts';

// The record read: the audit log listed and filtered, for the API, the record pages and their live
// stream, and an entry put in words. A recruitment's record is for its named inspector and for an
// inspector granted the supervising view; the whole log for any inspector.

/** Which entries: of one recruitment (or the whole log), by action, actor and time. */
export interface RecordFilter {
  recruitmentId?: string;
  action?: string;
  actorId?: string;
  /** from this instant on */
  from?: Date;
  /** before this instant */
  until?: Date;
}

export interface ListOptions extends RecordFilter {
  afterSeq?: number;
  before?: number;
  order: 'asc' | 'desc';
  limit: number;
}

export type AuditEntryRow = Awaited<ReturnType<AuditRecord['listEntries']>>[number];

/** One entry as the record page shows it. */
export interface RecordEntry {
  seq: number;
  at: Date;
  actor: { id: string; role: string | null; name: string | null } | null;
  actionLabel: string;
  /** what it acted on, as the log names it (`kind:id`) */
  targetRef: string | null;
  /** the same in words */
  target: string | null;
  recruitment: { id: string; title: string } | null;
  lines: string[];
  ip: string | null;
  hash: string;
  prevHash: string;
}

/** A page of the record, newest first, with the cursors of its neighbours. */
export interface RecordPage {
  entries: AuditEntryRow[];
  /** `before` of the next older page; null on the oldest */
  older: number | null;
  /** `before` of the next newer page (undefined: the newest page); null on the newest */
  newer: { before?: number } | null;
}

export const RECORD_PAGE_SIZE = 50;

function matching(filter: RecordFilter): SQL | undefined {
  return and(
    filter.recruitmentId ? eq(auditLog.recruitmentId, filter.recruitmentId) : undefined,
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.actorId ? eq(auditLog.actorId, filter.actorId) : undefined,
    filter.from ? gte(auditLog.at, filter.from) : undefined,
    filter.until ? lt(auditLog.at, filter.until) : undefined,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** every id an entry refers to: its target and any id among its details, however nested */
function referencedIds(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    const id = value.slice(value.indexOf(':') + 1);
    if (UUID.test(id)) into.add(id.toLowerCase());
  } else if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) referencedIds(item, into);
  }
  return into;
}

export type AuditRecord = ReturnType<typeof createAuditRecord>;

export function createAuditRecord({ db }: { db: Db }) {
  /**
   * The recruitment whose record `inspector` asks for: NOT_FOUND for none, FORBIDDEN unless they
   * are its named inspector or supervise all recruitments.
   */
  async function recordOf(inspector: SignedInUser, recruitmentId: string) {
    const [recruitment] = await db
      .select({ id: recruitments.id, title: recruitments.title, status: recruitments.status, inspectorId: recruitments.inspectorId })
      .from(recruitments)
      .where(eq(recruitments.id, recruitmentId));
    if (!recruitment) throw new AppError('NOT_FOUND', '招募项目不存在');
    if (recruitment.inspectorId !== inspector.id) {
      const [viewer] = await db.select({ supervisesAll: users.supervisesAll }).from(users).where(eq(users.id, inspector.id));
      if (!viewer?.supervisesAll) throw new AppError('FORBIDDEN', '您不是该招募项目的纪检监督员，无权查看其操作日志');
    }
    return { id: recruitment.id, title: recruitment.title, status: recruitment.status };
  }

  async function listEntries(options: ListOptions) {
    const rows = await db
      .select({ entry: auditLog, actorName: users.name })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .where(
        and(
          matching(options),
          options.afterSeq !== undefined ? gt(auditLog.seq, options.afterSeq) : undefined,
          options.before !== undefined ? lt(auditLog.seq, options.before) : undefined,
        ),
      )
      .orderBy(options.order === 'desc' ? desc(auditLog.seq) : asc(auditLog.seq))
      .limit(options.limit);
    return rows.map(({ entry, actorName }) => ({
      seq: entry.seq,
      at: entry.at,
      actor: entry.actorId ? { id: entry.actorId, role: entry.actorRole, name: actorName } : null,
      action: entry.action,
      target: entry.target,
      recruitmentId: entry.recruitmentId,
      ip: entry.ip,
      details: entry.details,
      prevHash: entry.prevHash,
      hash: entry.hash,
    }));
  }

  /** The page of entries before `before` (the newest page without it), newest first. */
  async function page(filter: RecordFilter, before?: number): Promise<RecordPage> {
    const found = await listEntries({ ...filter, before, order: 'desc', limit: RECORD_PAGE_SIZE + 1 });
    const entries = found.slice(0, RECORD_PAGE_SIZE);
    const last = entries.at(-1);
    return {
      entries,
      older: found.length > RECORD_PAGE_SIZE && last ? last.seq : null,
      newer: before === undefined ? null : await newerThan(filter, entries[0]?.seq ?? before - 1),
    };
  }

  async function newerThan(filter: RecordFilter, seq: number): Promise<RecordPage['newer']> {
    const newer = await db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(matching(filter), gt(auditLog.seq, seq)))
      .orderBy(asc(auditLog.seq))
      .limit(RECORD_PAGE_SIZE + 1);
    if (newer.length === 0) return null;
    return newer.length > RECORD_PAGE_SIZE ? { before: newer[RECORD_PAGE_SIZE - 1]!.seq + 1 } : {};
  }

  /**
   * The page that holds entry `seq`, as paging from the newest would reach it; NOT_FOUND when the
   * entry is not among those the filter selects.
   */
  async function pageHolding(filter: RecordFilter, seq: number): Promise<RecordPage> {
    const [entry] = await db.select({ seq: auditLog.seq }).from(auditLog).where(and(matching(filter), eq(auditLog.seq, seq)));
    if (!entry) throw new AppError('NOT_FOUND', `所选范围内没有第 ${seq} 条记录`);
    const [newer] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(and(matching(filter), gt(auditLog.seq, seq)));
    const skipped = Math.floor((newer?.count ?? 0) / RECORD_PAGE_SIZE) * RECORD_PAGE_SIZE;
    if (skipped === 0) return page(filter);
    const [top] = await db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(matching(filter), gt(auditLog.seq, seq)))
      .orderBy(asc(auditLog.seq))
      .offset((newer?.count ?? 0) - skipped)
      .limit(1);
    return page(filter, top!.seq);
  }

  /** The actions and the actors present in a recruitment's record (or the whole log), for the filters. */
  async function filterChoices(recruitmentId?: string) {
    const scope = recruitmentId ? eq(auditLog.recruitmentId, recruitmentId) : undefined;
    const [actions, actors] = await Promise.all([
      db.selectDistinct({ action: auditLog.action }).from(auditLog).where(scope),
      db
        .selectDistinct({ id: auditLog.actorId, role: auditLog.actorRole, name: users.name })
        .from(auditLog)
        .innerJoin(users, eq(users.id, auditLog.actorId))
        .where(scope),
    ]);
    return {
      actions: actions
        .map(({ action }) => ({ value: action, label: actionLabel(action) }))
        .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN')),
      actors: actors
        .flatMap(({ id, role, name }) => (id ? [{ id, role, name }] : []))
        .sort((a, b) => (a.role ?? '').localeCompare(b.role ?? '') || a.name.localeCompare(b.name, 'zh-CN')),
    };
  }

  /** The seq of the newest entry, 0 for an empty log. */
  async function headSeq(): Promise<number> {
    const [row] = await db.select({ seq: max(auditLog.seq) }).from(auditLog);
    return row?.seq ?? 0;
  }

  /** The names the entries' ids and lot keys stand for, looked up at once. */
  async function namesFor(entries: readonly AuditEntryRow[]) {
    const ids = [...referencedIds(entries.map((entry) => [entry.target, entry.details]), new Set())];
    const recruitmentIds = [...new Set(entries.flatMap((entry) => (entry.recruitmentId ? [entry.recruitmentId] : [])))];
    const [people, orgs, docs, bidRows, recruitmentRows, lotRows] = await Promise.all([
      ids.length ? db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids)) : [],
      ids.length ? db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, ids)) : [],
      ids.length ? db.select({ id: documents.id, name: documents.title }).from(documents).where(inArray(documents.id, ids)) : [],
      ids.length
        ? db.select({ id: bids.id, name: organizations.name }).from(bids).innerJoin(organizations, eq(organizations.id, bids.organizationId)).where(inArray(bids.id, ids))
        : [],
      recruitmentIds.length || ids.length
        ? db.select({ id: recruitments.id, name: recruitments.title }).from(recruitments).where(inArray(recruitments.id, [...recruitmentIds, ...ids]))
        : [],
      recruitmentIds.length ? db.select({ recruitmentId: lots.recruitmentId, key: lots.key, name: lots.name }).from(lots).where(inArray(lots.recruitmentId, recruitmentIds)) : [],
    ]);
    return {
      byId: new Map([...people, ...orgs, ...docs, ...bidRows, ...recruitmentRows].map(({ id, name }) => [id, name])),
      lots: new Map(lotRows.map(({ recruitmentId, key, name }) => [`${recruitmentId}:${key}`, name])),
    };
  }

  /** Entries in words: action, target and details in zh-CN, ids by their names. */
  async function readable(entries: readonly AuditEntryRow[]): Promise<RecordEntry[]> {
    const { byId, lots: lotNames } = await namesFor(entries);
    return entries.map((entry) => {
      const names: Names = {
        of: (id) => byId.get(id.toLowerCase()),
        lot: (key) => lotNames.get(`${entry.recruitmentId}:${key}`),
      };
      const title = entry.recruitmentId ? byId.get(entry.recruitmentId) : undefined;
      return {
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        actionLabel: actionLabel(entry.action),
        targetRef: entry.target,
        target: describeTarget(entry.target, names),
        recruitment: entry.recruitmentId && title ? { id: entry.recruitmentId, title } : null,
        lines: describeDetails(entry.action, entry.details, names),
        ip: entry.ip,
        hash: entry.hash,
        prevHash: entry.prevHash,
      };
    });
  }

  /** The newest audit checkpoint: the chain head signed and mailed outside the database. */
  async function latestCheckpoint() {
    const [row] = await db
      .select({ seq: documents.chainSeq, head: documents.chainHead, issuedAt: documents.issuedAt, verifyCode: documents.verifyCode })
      .from(documents)
      .where(eq(documents.kind, 'audit_checkpoint'))
      .orderBy(desc(documents.issuedAt))
      .limit(1);
    return row ?? null;
  }

  return { recordOf, listEntries, page, pageHolding, filterChoices, headSeq, readable, latestCheckpoint };
}
