import { and, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { alerts, recruitments, users } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { SignedInUser } from '../accounts/service.ts';
import { ADMINISTRATOR_INDICATORS, concernsEveryInspector, EVERY_INSPECTOR_INDICATORS } from './alerts.ts';
import { indicatorLabel } from './indicators/index.ts';
import { createAlertReview } from './review.ts';
import type { AlertFilter } from './schemas.ts';

// The inspector's side of the red flags: which alerts an inspector sees, and who is mailed one.
// A recruitment's alerts are for its named inspector; an alert about no one recruitment, or one
// of EVERY_INSPECTOR_INDICATORS, is for every inspector.

export type InspectionService = ReturnType<typeof createInspectionService>;

export function createInspectionService({ db, clock, mailer, publicUrl }: { db: Db; clock: Clock; mailer: Mailer; publicUrl: string }) {
  async function listAlerts(inspector: SignedInUser, filter: AlertFilter) {
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
      })
      .from(alerts)
      .leftJoin(recruitments, eq(recruitments.id, alerts.recruitmentId))
      .where(
        and(
          or(
            isNull(alerts.recruitmentId),
            inArray(alerts.indicator, [...EVERY_INSPECTOR_INDICATORS]),
            eq(recruitments.inspectorId, inspector.id),
          ),
          filter.recruitmentId ? eq(alerts.recruitmentId, filter.recruitmentId) : undefined,
          filter.status ? eq(alerts.status, filter.status) : undefined,
        ),
      )
      .orderBy(desc(alerts.raisedAt));
  }

  /** After commit: one mail to each inspector the alert concerns. */
  async function mailAlert(alert: { indicator: string; recruitmentId: string | null; subject: string }) {
    const { recruitmentId } = alert;
    const rows =
      recruitmentId === null || concernsEveryInspector(alert)
        ? await db
            .select({ email: users.email })
            .from(users)
            .where(and(eq(users.role, 'inspector'), eq(users.active, true)))
        : await db
            .select({ email: users.email })
            .from(recruitments)
            .innerJoin(users, eq(users.id, recruitments.inspectorId))
            .where(and(eq(recruitments.id, recruitmentId), eq(users.active, true)));
    const administrators = ADMINISTRATOR_INDICATORS.includes(alert.indicator)
      ? await db
          .select({ email: users.email })
          .from(users)
          .where(and(eq(users.role, 'admin'), eq(users.active, true)))
      : [];
    const label = indicatorLabel(alert.indicator);
    for (const { email } of [...rows, ...administrators]) {
      mailer.send({
        to: email,
        subject: `【监督预警】${label}`,
        text: `${alert.subject}\n\n请登录平台查看预警及其证据：${publicUrl}/inspector/alerts`,
      });
    }
  }

  const review = createAlertReview({
    db,
    clock,
    // inspectors are mailed at once for what is grave; the rest waits for the daily digest
    onRaised: async (raised) => {
      for (const alert of raised) if (alert.severity === 'high') await mailAlert(alert);
    },
  });

  return { listAlerts, mailAlert, review };
}
