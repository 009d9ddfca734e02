import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organizations, partnershipReviews, partnerships } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { formatTime } from '../../lib/labels.ts';
import type { AuditService } from '../audit/service.ts';
import { raiseFinding } from '../inspection/alerts.ts';
import { FINAL_REVIEW_OUTSTANDING } from '../inspection/indicators/reviews.ts';
import { finalReviewOutstanding } from './rules.ts';
import { startSweep } from '../../lib/sweep.ts';

// An outstanding final review (issue 17): the term has ended and its final review is not
// completed. Found by a sweep on the clock and on every read of a partnership's reviews, and
// recorded once per partnership: the inspector's alert (its finding key is the partnership) and,
// with it in one transaction, the audit entry `review.final_outstanding`.

export function createOutstandingFinals({ db, clock, audit }: { db: Db; clock: Clock; audit: AuditService }) {
  /** Records every outstanding final review not recorded yet (of one partnership, when given); returns how many. */
  async function recordOutstanding(scope: { partnershipId?: string } = {}): Promise<number> {
    const now = clock.now();
    const due = await db
      .select({ partnership: partnerships, organization: organizations.name })
      .from(partnerships)
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .where(
        and(
          inArray(partnerships.status, ['active', 'rectifying']),
          lte(partnerships.endsAt, now),
          scope.partnershipId ? eq(partnerships.id, scope.partnershipId) : undefined,
        ),
      );
    let recorded = 0;
    for (const { partnership, organization } of due) {
      const finals = await db
        .select({ completedAt: partnershipReviews.completedAt, dueAt: partnershipReviews.dueAt })
        .from(partnershipReviews)
        .where(and(eq(partnershipReviews.partnershipId, partnership.id), eq(partnershipReviews.kind, 'final')));
      const completed = finals.some((review) => review.completedAt !== null);
      if (!finalReviewOutstanding(partnership.endsAt, partnership.status, completed, now)) continue;
      const scheduled = finals[0] ? `终期考核应于 ${formatTime(finals[0].dueAt)} 前完成，尚未完成` : '终期考核尚未安排';
      const raised = await db.transaction(async (tx) => {
        const alert = await raiseFinding(
          tx,
          {
            indicator: FINAL_REVIEW_OUTSTANDING.id,
            severity: FINAL_REVIEW_OUTSTANDING.severity,
            recruitmentId: partnership.recruitmentId,
            findingKey: partnership.id,
            subject: `${organization}的合作期已于 ${formatTime(partnership.endsAt!)} 届满，${scheduled}`,
            evidence: [{ kind: 'organization', id: partnership.organizationId, detail: `${organization}：${scheduled}`, url: `/partnerships/${partnership.id}/reviews` }],
          },
          now,
        );
        if (!alert) return false;
        await audit.record(tx, {
          actor: null,
          action: 'review.final_outstanding',
          target: `partnership:${partnership.id}`,
          recruitmentId: partnership.recruitmentId,
          details: { endsAt: partnership.endsAt!.toISOString(), status: partnership.status, scheduled: finals.length > 0, alertId: alert.id },
        });
        return true;
      });
      if (raised) recorded++;
    }
    return recorded;
  }

  // the sweep on the clock (lib/sweep.ts)
  return { recordOutstanding, startSweep: (everyMs: number, report: (error: unknown) => void) => startSweep(everyMs, () => recordOutstanding(), report) };
}
