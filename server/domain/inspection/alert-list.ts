import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/client.ts';
import { alerts, recruitments, users } from '../../db/schema.ts';
import { alertsSeenBy, type Overseer } from './oversight.ts';
import type { AlertFilter } from './schemas.ts';

const decider = alias(users, 'decider');

/** The alerts the overseer sees that match the filter (and `id`, when given), newest first. */
export function selectAlerts(db: Db | Tx, overseer: Overseer, filter: AlertFilter & { id?: string }) {
  return db
    .select({
      id: alerts.id,
      indicator: alerts.indicator,
      severity: alerts.severity,
      recruitmentId: alerts.recruitmentId,
      recruitmentTitle: recruitments.title,
      subject: alerts.subject,
      evidence: alerts.evidence,
      raisedAt: alerts.raisedAt,
      status: alerts.status,
      note: alerts.note,
      decidedBy: { id: decider.id, name: decider.name },
      decidedAt: alerts.decidedAt,
    })
    .from(alerts)
    .leftJoin(recruitments, eq(recruitments.id, alerts.recruitmentId))
    .leftJoin(decider, eq(decider.id, alerts.decidedBy))
    .where(
      and(
        alertsSeenBy(overseer),
        filter.id ? eq(alerts.id, filter.id) : undefined,
        filter.recruitmentId ? eq(alerts.recruitmentId, filter.recruitmentId) : undefined,
        filter.status ? eq(alerts.status, filter.status) : undefined,
        filter.severity ? eq(alerts.severity, filter.severity) : undefined,
        filter.indicator ? eq(alerts.indicator, filter.indicator) : undefined,
      ),
    )
    .orderBy(desc(alerts.raisedAt), desc(alerts.id));
}

export type ListedAlert = Awaited<ReturnType<typeof selectAlerts>>[number];
