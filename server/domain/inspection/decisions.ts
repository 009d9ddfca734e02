import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { alerts } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { ALERT_STATUS_LABELS } from '../../lib/labels.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/types.ts';
import { appendAuditEntries } from '../audit/service.ts';
import { selectAlerts } from './alert-list.ts';
import { overseerOf } from './oversight.ts';
import type { Decision } from './schemas.ts';
import type { AlertStatus } from './types.ts';

// An inspector's decision on an alert (排除 / 上报 / 重新打开): the alert keeps the latest one,
// with its note, who and when; the audit log keeps every one. A dismissed alert stays listed.

const DECISION_ACTIONS: Record<AlertStatus, string> = {
  dismissed: 'alert.dismiss',
  escalated: 'alert.escalate',
  open: 'alert.reopen',
};

export function createAlertDecisions({ db, clock }: { db: Db; clock: Clock }) {
  /**
   * Records the decision of an inspector who sees the alert (oversight.ts): 404 for an alert it
   * does not see, 409 when the alert already has that status. Answers the alert as listed.
   */
  async function decideAlert(alertId: string, decision: Decision, inspector: SignedInUser, origin: RequestOrigin) {
    const note = decision.note.trim();
    if (note.length < 2) throw new AppError('NOTE_REQUIRED', '请填写处理说明（至少 2 个字）', 'note');
    const overseer = await overseerOf(db, inspector);
    return db.transaction(async (tx) => {
      const [alert] = await selectAlerts(tx, overseer, { id: alertId });
      if (!alert) throw new AppError('NOT_FOUND', '预警不存在');
      if (alert.status === decision.status) {
        throw new AppError('ALERT_STATUS_UNCHANGED', `该预警已是“${ALERT_STATUS_LABELS[alert.status]}”状态`, 'status');
      }
      const decidedAt = clock.now();
      // guarded by the status read: of two inspectors deciding at once, the second is refused
      const [row] = await tx
        .update(alerts)
        .set({ status: decision.status, note, decidedBy: inspector.id, decidedAt })
        .where(and(eq(alerts.id, alertId), eq(alerts.status, alert.status)))
        .returning({ id: alerts.id });
      if (!row) throw new AppError('ALERT_STATUS_UNCHANGED', '该预警刚被其他纪检监督员处理，请刷新后再看', 'status');
      await appendAuditEntries(
        tx,
        [
          {
            actor: inspector,
            action: DECISION_ACTIONS[decision.status],
            target: `alert:${alertId}`,
            recruitmentId: alert.recruitmentId,
            ip: origin.ip,
            details: { indicator: alert.indicator, from: alert.status, to: decision.status, note },
          },
        ],
        decidedAt,
      );
      return { ...alert, status: decision.status, note, decidedBy: { id: inspector.id, name: inspector.name }, decidedAt };
    });
  }

  return { decideAlert };
}
