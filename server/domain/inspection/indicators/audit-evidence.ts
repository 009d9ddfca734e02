import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { auditLog, users, type Role } from '../../../db/schema.ts';
import { formatTime, ROLE_LABELS } from '../../../lib/labels.ts';
import { actionLabel } from '../../audit/actions.ts';
import type { AlertEvidence } from '../types.ts';

// Audit entries as evidence: the indicators about how the procedure was run point at the entries
// that show it, each linked to its place in the recruitment's record.

/** The recruitment's audit entries of these actions, oldest first, with their actors' names. */
export async function entriesOf(tx: Tx, recruitmentId: string, actions: readonly string[]) {
  return tx
    .select({
      seq: auditLog.seq,
      at: auditLog.at,
      actorId: auditLog.actorId,
      actorRole: auditLog.actorRole,
      actorName: users.name,
      action: auditLog.action,
      target: auditLog.target,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(eq(auditLog.recruitmentId, recruitmentId), inArray(auditLog.action, [...actions])))
    .orderBy(asc(auditLog.seq));
}

export type Entry = Awaited<ReturnType<typeof entriesOf>>[number];

/** "李四（评审专家）", or the system for an entry without an actor. */
export function actorOf(entry: Pick<Entry, 'actorName' | 'actorRole'>): string {
  if (!entry.actorName) return '系统';
  const role = ROLE_LABELS[entry.actorRole as Role] ?? entry.actorRole;
  return role ? `${entry.actorName}（${role}）` : entry.actorName;
}

/** The entry as evidence: when, who, what, and `more` — linked to it in the recruitment's record. */
export function entryEvidence(recruitmentId: string, entry: Entry, more = ''): AlertEvidence {
  return {
    kind: 'audit',
    id: String(entry.seq),
    detail: `第 ${entry.seq} 条操作记录：${formatTime(entry.at)}，${actorOf(entry)}${actionLabel(entry.action)}${more ? `，${more}` : ''}`,
    url: `/inspector/recruitments/${recruitmentId}/audit?seq=${entry.seq}`,
  };
}

/** The round an entry records in its details, when it does. */
export const roundOf = (entry: Entry): number | null => (typeof entry.details.round === 'number' ? entry.details.round : null);
