import { and, eq, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { recruitments, users } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { SignedInUser } from '../accounts/service.ts';
import { selectAlerts } from './alert-list.ts';
import { ADMINISTRATOR_INDICATORS, concernsEveryInspector } from './alerts.ts';
import { createAlertDecisions } from './decisions.ts';
import { createDesk } from './desk.ts';
import { indicatorLabel } from './indicators/index.ts';
import { overseerOf } from './oversight.ts';
import { createAlertReview } from './review.ts';
import type { AlertFilter } from './schemas.ts';

// The inspector's side of the red flags: which alerts an inspector sees, and who is mailed one.
// A recruitment's alerts are for its named inspector and the supervising inspectors; an alert
// about no one recruitment, or one of EVERY_INSPECTOR_INDICATORS, is for every inspector
// (oversight.ts).

export type InspectionService = ReturnType<typeof createInspectionService>;

export function createInspectionService({ db, clock, mailer, publicUrl }: { db: Db; clock: Clock; mailer: Mailer; publicUrl: string }) {
  async function listAlerts(inspector: SignedInUser, filter: AlertFilter) {
    return selectAlerts(db, await overseerOf(db, inspector), filter);
  }

  /** After commit: one mail to each inspector the alert concerns (and the administrators, for the machine). */
  async function mailAlert(alert: { indicator: string; recruitmentId: string | null; subject: string }) {
    const { recruitmentId } = alert;
    const rows =
      recruitmentId === null || concernsEveryInspector(alert)
        ? await db
            .select({ email: users.email })
            .from(users)
            .where(and(eq(users.role, 'inspector'), eq(users.active, true)))
        : await db
            .selectDistinct({ email: users.email })
            .from(recruitments)
            .innerJoin(users, or(eq(users.id, recruitments.inspectorId), and(eq(users.role, 'inspector'), eq(users.supervisesAll, true))))
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

  return { listAlerts, mailAlert, review, ...createAlertDecisions({ db, clock }), ...createDesk({ db, clock }) };
}
