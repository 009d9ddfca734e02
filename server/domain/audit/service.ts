import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { auditLog, users } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { checkChain, entryHash, GENESIS_HASH, startOfChain, type ChainCheck } from './chain.ts';

export interface AuditActor {
  id: string;
  role: string;
}

export interface AuditEvent {
  actor: AuditActor | null;
  action: string;
  target?: string;
  recruitmentId?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  recruitmentId?: string;
  afterSeq?: number;
  limit: number;
}

// Appends are serialised by a transaction-scoped advisory lock, so two concurrent transactions
// never chain onto the same previous entry; the lock is released at commit or rollback.
const AUDIT_APPEND_LOCK = 0x61756469;
const VERIFY_PAGE = 1000;

/**
 * Appends entries at `at`, in order, inside the caller's transaction, under one hold of the append
 * lock; for code that records outside the audit service, such as a raised alert.
 */
export async function appendAuditEntries(tx: Tx, events: readonly AuditEvent[], at: Date): Promise<void> {
  if (events.length === 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const entries = events.map((event) => {
    const content = {
      seq: ++seq,
      at,
      actorId: event.actor?.id ?? null,
      actorRole: event.actor?.role ?? null,
      action: event.action,
      target: event.target ?? null,
      recruitmentId: event.recruitmentId ?? null,
      ip: event.ip ?? null,
      details: event.details ?? {},
    };
    const entry = { ...content, prevHash, hash: entryHash(content, prevHash) };
    prevHash = entry.hash;
    return entry;
  });
  await tx.insert(auditLog).values(entries);
}

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService({ db, clock }: { db: Db; clock: Clock }) {
  /** Appends an entry inside the caller's transaction: the entry commits with the change it records. */
  function record(tx: Tx, event: AuditEvent): Promise<void> {
    return recordAll(tx, [event]);
  }

  /** Appends entries in order inside the caller's transaction, under one hold of the append lock. */
  function recordAll(tx: Tx, events: readonly AuditEvent[]): Promise<void> {
    return appendAuditEntries(tx, events, clock.now());
  }

  /** For events that change nothing else, such as a failed sign-in. */
  function recordAlone(event: AuditEvent): Promise<void> {
    return db.transaction((tx) => record(tx, event));
  }

  async function listEntries(filter: AuditFilter) {
    const rows = await db
      .select({ entry: auditLog, actorName: users.name })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .where(
        and(
          filter.recruitmentId ? eq(auditLog.recruitmentId, filter.recruitmentId) : undefined,
          filter.afterSeq !== undefined ? gt(auditLog.seq, filter.afterSeq) : undefined,
        ),
      )
      .orderBy(asc(auditLog.seq))
      .limit(filter.limit);
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

  /** Walks the whole log page by page and recomputes every hash and link. */
  async function verifyChain(): Promise<ChainCheck> {
    let state = startOfChain();
    for (;;) {
      const page = await db
        .select()
        .from(auditLog)
        .where(gt(auditLog.seq, state.entries))
        .orderBy(asc(auditLog.seq))
        .limit(VERIFY_PAGE);
      state = checkChain(page, state);
      if (!state.ok || page.length < VERIFY_PAGE) return state;
    }
  }

  return { record, recordAll, recordAlone, listEntries, verifyChain };
}
