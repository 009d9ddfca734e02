import { randomBytes } from 'node:crypto';
import { desc, getTableColumns, inArray, sql, type SQLChunk } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../server/db/client.ts';
import * as t from '../server/db/schema.ts';
import { appendAuditEntries, type AuditActor, type AuditEvent } from '../server/domain/audit/service.ts';
import type { RecruitmentStatus } from '../server/domain/recruitments/types.ts';

// The alerts bench's centre as it is planned (bench-alerts-seed.ts) before it is written: the
// rows by table, the audit events in time order, and the draws that make it the same every run.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const plus = (time: Date, ms: number) => new Date(time.getTime() + ms);

/** mulberry32: the same centre on every run */
function generator(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
export const random = generator(14);
export const between = (low: number, high: number) => low + random() * (high - low);
export const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const half = (value: number, max: number) => Math.min(max, Math.max(0, Math.round(value * 2) / 2));

export interface Organization {
  id: string;
  userId: string;
  name: string;
  actor: AuditActor;
  ip: string;
}

export interface Version {
  row: typeof t.bidVersions.$inferInsert & { id: string; receivedAt: Date; ip: string };
  files: { id: string; name: string; size: number; sha256: string }[];
}

export interface Bid {
  id: string;
  organization: Organization;
  lotKey: string;
  versions: Version[];
  ratio: number;
  /** the panel's view of it, 0–100 */
  quality: number;
  qualified: boolean;
  /** planted: the last expert of the panel scores it 30 points below its quality */
  outlier?: boolean;
}

export interface Recruitment {
  id: string;
  index: number;
  status: RecruitmentStatus;
  deadline: Date;
  publishedAt: Date;
  inspector: AuditActor;
  agent: AuditActor;
  lots: { key: string; quota: number }[];
  bids: Bid[];
  /** each expert's sheet of each bid, when last saved */
  sheets: { at: Date; expert: AuditActor; bidId: string }[];
}

/** Rows to insert, by table, in an order that satisfies every foreign key. */
export class Rows {
  readonly tables = new Map<PgTable, Record<string, unknown>[]>();
  add<T extends PgTable>(table: T, ...rows: T['$inferInsert'][]) {
    const list = this.tables.get(table) ?? [];
    if (list.length === 0) this.tables.set(table, list);
    for (const row of rows) list.push(row);
  }
  count(table: PgTable) {
    return this.tables.get(table)?.length ?? 0;
  }
  async insert(tx: Tx, tables: PgTable[]) {
    for (const table of tables) {
      const rows = this.tables.get(table) ?? [];
      if (rows.length === 0) continue;
      // every column any row names: a row naming one more than the others (a supervising inspector) keeps it
      const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      const columns = getTableColumns(table);
      const byColumn = keys.every((key) => !columns[key]!.getSQLType().endsWith('[]')) && rows.every((row) => keys.every((key) => key in row));
      if (byColumn) {
        for (let i = 0; i < rows.length; i += 20_000) await insertByColumn(tx, table, keys, rows.slice(i, i + 20_000));
        continue;
      }
      // PostgreSQL takes at most 65,535 parameters per statement
      const perStatement = Math.floor(30_000 / keys.length);
      for (let i = 0; i < rows.length; i += perStatement) await tx.insert(table).values(rows.slice(i, i + perStatement));
    }
  }
}

/**
 * Rows inserted as one text array per column, unnested and cast by the database: a few parameters
 * instead of one per value, which makes 450,000 scores a matter of seconds rather than a minute.
 */
async function insertByColumn(tx: Tx, table: PgTable, keys: string[], rows: Record<string, unknown>[]) {
  const columns = getTableColumns(table);
  const list = (parts: SQLChunk[]) => sql.join(parts, sql`, `);
  const arrays = keys.map((key) => rows.map((row) => (row[key] == null ? null : String(columns[key]!.mapToDriverValue(row[key])))));
  const names = list(keys.map((key) => sql.identifier(columns[key]!.name)));
  const casts = list(keys.map((key, i) => sql`${sql.identifier(`c${i}`)}::${sql.raw(columns[key]!.getSQLType())}`));
  const unnested = list(arrays.map((values) => sql`${sql.param(values)}::text[]`));
  const aliases = list(keys.map((_, i) => sql.identifier(`c${i}`)));
  await tx.execute(sql`insert into ${table} (${names}) select ${casts} from unnest(${unnested}) as u(${aliases})`);
}

/** Audit events to append, and the sign-offs that record the chain head seen before their own entry. */
export class AuditPlan {
  readonly events: AuditEvent[] = [];
  readonly heads = new Map<AuditEvent, (head: { seq: number; hash: string }) => void>();
  add(at: Date, actor: AuditActor | null, action: string, recruitmentId: string | null, more: { target?: string; ip?: string; details?: Record<string, unknown> } = {}) {
    // staff work from the centre's office network
    const event: AuditEvent = { at, actor, action, recruitmentId, ip: more.ip ?? (actor ? '10.20.0.8' : undefined), target: more.target, details: more.details ?? {} };
    this.events.push(event);
    return event;
  }
  /** `use` gets the entry just before `event`'s, once appended: the head a sign-off saw */
  headBefore(event: AuditEvent, use: (head: { seq: number; hash: string }) => void) {
    this.heads.set(event, use);
  }
}

/** Appends the plan in time order, 2,000 entries a call; fills in the sign-offs' heads; answers the last seq. */
export async function appendChained(tx: Tx, audit: AuditPlan, now: Date): Promise<number> {
  const ordered = [...audit.events].sort((a, b) => a.at!.getTime() - b.at!.getTime());
  const [last] = await tx.select({ seq: t.auditLog.seq }).from(t.auditLog).orderBy(desc(t.auditLog.seq)).limit(1);
  const first = (last?.seq ?? 0) + 1;
  for (let i = 0; i < ordered.length; i += 2_000) await appendAuditEntries(tx, ordered.slice(i, i + 2_000), now);
  const wanted = new Map<number, (head: { seq: number; hash: string }) => void>();
  ordered.forEach((event, i) => {
    const use = audit.heads.get(event);
    if (use) wanted.set(first + i - 1, use);
  });
  const heads = await tx.select({ seq: t.auditLog.seq, hash: t.auditLog.hash }).from(t.auditLog).where(inArray(t.auditLog.seq, [...wanted.keys()]));
  for (const head of heads) wanted.get(head.seq)!(head);
  return first + ordered.length - 1;
}
