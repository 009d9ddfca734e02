import type { Db } from '../../db/client.ts';
import { partnershipReviews } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { PartnershipAccess } from '../partnerships/access.ts';
import { PARTNERSHIP_STATUS_LABELS } from '../partnerships/types.ts';
import { reviewsOf } from './access.ts';
import { checkSchedule, type ScheduleInput } from './rules.ts';

// The agent of the recruitment schedules the stage reviews (e.g. yearly) and the final review,
// while the partnership is active. The re-review after a rectification is scheduled by the
// completion of the stage review that asked for it (complete.ts), not here.

export interface ScheduleRequest {
  kind: 'stage' | 'final';
  periodFrom: Date;
  /** the final review's is the term's end, when absent */
  periodTo?: Date;
  dueAt: Date;
}

export function createReviewScheduling({ db, clock, audit, access }: { db: Db; clock: Clock; audit: AuditService; access: PartnershipAccess }) {
  async function scheduleReview(partnershipId: string, request: ScheduleRequest, agent: SignedInUser, origin: RequestOrigin) {
    const partnership = await access.load(partnershipId);
    await access.requireAgent(partnership, agent);
    return db.transaction(async (tx) => {
      const locked = await access.lock(tx, partnershipId);
      if (locked.status !== 'active' || !locked.signedAt || !locked.endsAt) {
        throw new AppError('REVIEWS_NOT_OPEN', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[locked.status]}”，只有合作中的合作关系可以安排考核`);
      }
      const periodTo = request.periodTo ?? (request.kind === 'final' ? locked.endsAt : undefined);
      if (!periodTo) throw new AppError('REVIEW_PERIOD_INVALID', '请填写考核期间的结束时间', 'periodTo');
      const input: ScheduleInput = { kind: request.kind, periodFrom: request.periodFrom, periodTo, dueAt: request.dueAt };
      const now = clock.now();
      checkSchedule(input, { signedAt: locked.signedAt, endsAt: locked.endsAt }, await reviewsOf(tx, partnershipId), now);
      const [review] = await tx
        .insert(partnershipReviews)
        .values({ partnershipId, kind: input.kind, periodFrom: input.periodFrom, periodTo, dueAt: input.dueAt, scheduledAt: now, scheduledBy: agent.id })
        .returning();
      await audit.record(tx, {
        actor: agent,
        action: 'review.schedule',
        target: `partnership:${partnershipId}`,
        recruitmentId: partnership.recruitmentId,
        ip: origin.ip,
        details: { reviewId: review!.id, kind: input.kind, periodFrom: input.periodFrom.toISOString(), periodTo: periodTo.toISOString(), dueAt: input.dueAt.toISOString() },
      });
      return review!;
    });
  }

  return { scheduleReview };
}
