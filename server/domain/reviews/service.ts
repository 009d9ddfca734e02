import { eq, inArray } from 'drizzle-orm';
import { documents, organizations } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import type { SignedInUser } from '../accounts/service.ts';
import type { Partnership } from '../partnerships/access.ts';
import { PARTNERSHIP_STATUS_LABELS, REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS } from '../partnerships/types.ts';
import { figuresOf, loadReview, reviewsOf, type ReviewRow } from './access.ts';
import { createReviewCompletion, type ReviewCompletionDeps } from './complete.ts';
import { createOutstandingFinals } from './outstanding.ts';
import { DEFAULT_WEIGHTS, finalReviewOutstanding, REVIEW_RULES, STATUS_FOR_REVIEW } from './rules.ts';
import { createReviewScheduling } from './schedule.ts';

// The partnership's performance reviews (issue 17): scheduling (schedule.ts), the form and its
// result (complete.ts), the outstanding final review (outstanding.ts), and what the agent, the
// partner and the inspector read — every review with its figures, result and signed PDF.

export type ReviewService = ReturnType<typeof createReviewService>;

export function createReviewService(deps: ReviewCompletionDeps) {
  const { db, clock, access, publicUrl } = deps;
  const scheduling = createReviewScheduling(deps);
  const completion = createReviewCompletion(deps);
  const outstanding = createOutstandingFinals(deps);

  /** The partnership, if `viewer` may see it (its organisation, the recruitment's agent, any inspector); 404 otherwise. */
  async function visible(partnershipId: string, viewer: SignedInUser): Promise<Partnership> {
    const partnership = await access.load(partnershipId);
    if (!(await access.canSee(partnership, viewer))) throw new AppError('NOT_FOUND', '合作关系不存在');
    return partnership;
  }

  async function describe(partnership: Partnership, rows: ReviewRow[], viewer: SignedInUser) {
    const documentIds = rows.flatMap((row) => (row.documentId ? [row.documentId] : []));
    const docs = documentIds.length === 0 ? [] : await db.select().from(documents).where(inArray(documents.id, documentIds));
    const isAgent = viewer.role === 'agent';
    return rows.map((row) => {
      const doc = docs.find((each) => each.id === row.documentId);
      return {
        id: row.id,
        kind: row.kind,
        kindLabel: REVIEW_KIND_LABELS[row.kind],
        periodFrom: row.periodFrom,
        periodTo: row.periodTo,
        dueAt: row.dueAt,
        followsReviewId: row.followsReviewId,
        scheduledAt: row.scheduledAt,
        completedAt: row.completedAt,
        result: row.result,
        resultLabel: row.result ? REVIEW_RESULT_LABELS[row.result] : null,
        totalScore: row.totalScore,
        criteria: row.criteria,
        satisfaction: row.satisfaction,
        places: row.places,
        negativeList: row.negativeList,
        assessorName: row.assessorName,
        rectifyBy: row.rectifyBy,
        remarks: row.remarks,
        document: doc ? { id: doc.id, title: doc.title, verifyCode: doc.verifyCode, url: `/api/v1/documents/${doc.id}`, verifyUrl: verifyUrl(publicUrl, doc.verifyCode) } : null,
        canComplete: isAgent && row.completedAt === null && partnership.status === STATUS_FOR_REVIEW[row.kind],
      };
    });
  }

  /** Every review of the partnership (an outstanding final review recorded first). */
  async function listReviews(partnershipId: string, viewer: SignedInUser) {
    await visible(partnershipId, viewer);
    await outstanding.recordOutstanding({ partnershipId });
    const partnership = await access.load(partnershipId);
    const rows = await reviewsOf(db, partnershipId);
    const [organization] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, partnership.organizationId));
    const isAgent = viewer.role === 'agent';
    const open = rows.some((row) => row.completedAt === null);
    const finalCompleted = rows.some((row) => row.kind === 'final' && row.completedAt !== null);
    return {
      partnershipId,
      recruitmentId: partnership.recruitmentId,
      organization: organization?.name ?? '',
      status: partnership.status,
      statusLabel: PARTNERSHIP_STATUS_LABELS[partnership.status],
      signedAt: partnership.signedAt,
      endsAt: partnership.endsAt,
      finalOutstanding: finalReviewOutstanding(partnership.endsAt, partnership.status, finalCompleted, clock.now()),
      canSchedule: isAgent && partnership.status === 'active' && !open,
      canScheduleFinal: isAgent && partnership.status === 'active' && !open && !rows.some((row) => row.kind === 'final'),
      reviews: await describe(partnership, rows, viewer),
    };
  }

  /** One review; an open one with the figures of its period so far and the default weights, for the form. */
  async function getReview(reviewId: string, viewer: SignedInUser) {
    const row = await loadReview(db, reviewId);
    const partnership = await visible(row.partnershipId, viewer);
    const [review] = await describe(partnership, [row], viewer);
    const [organization] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, partnership.organizationId));
    const figures = row.completedAt ? null : await figuresOf(db, partnership.id, { from: row.periodFrom, to: row.periodTo });
    return {
      ...review!,
      partnershipId: partnership.id,
      organization: organization?.name ?? '',
      endsAt: partnership.endsAt,
      periodOver: clock.now() >= row.periodTo,
      figures,
      defaultWeights: DEFAULT_WEIGHTS,
      passScore: REVIEW_RULES.passScore,
      maxRectificationDays: REVIEW_RULES.maxRectificationDays,
    };
  }

  return {
    scheduleReview: scheduling.scheduleReview,
    completeReview: completion.completeReview,
    listReviews,
    getReview,
    recordOutstandingFinals: outstanding.recordOutstanding,
    startOutstandingSweep: outstanding.startSweep,
  };
}
