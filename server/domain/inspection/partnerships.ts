import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { alerts, documents, lots, organizations, partnershipReviews, partnerships, recruitments, satisfactionRatings } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { groupBy } from '../../lib/group-by.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import type { SignedInUser } from '../accounts/types.ts';
import type { Lapses } from '../partnerships/lapse.ts';
import { PARTNERSHIP_STATUS_LABELS, REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS } from '../partnerships/types.ts';
import { summariseRatings } from '../satisfaction/aggregate.ts';
import { PARTNERSHIP_INDICATORS } from './indicators/partnerships.ts';
import { REVIEW_INDICATORS } from './indicators/reviews.ts';
import { SATISFACTION_INDICATORS } from './indicators/satisfaction.ts';
import { overseerOf, recruitmentsOverseenBy } from './oversight.ts';

// The inspector's console for partnerships (issue 17): the partnerships of the recruitments the
// inspector oversees (oversight.ts), each with its organisation, lot, status, deadlines, reviews,
// the workers' satisfaction over its term so far, the open alerts about it and its termination
// notice. A handful of queries over all of them, whatever their number; overdue awards lapse first.

/** The indicators whose findings concern one partnership: their finding key starts with its id. */
const PARTNERSHIP_INDICATOR_IDS = [...PARTNERSHIP_INDICATORS, ...SATISFACTION_INDICATORS, ...REVIEW_INDICATORS].map((indicator) => indicator.id);
const partnershipOfFinding = (findingKey: string | null) => findingKey?.split(':')[0] ?? null;

export type PartnershipOversight = ReturnType<typeof createPartnershipOversight>;

export function createPartnershipOversight({ db, lapses, publicUrl }: { db: Db; lapses: Pick<Lapses, 'lapseOverdue'>; publicUrl: string }) {
  /** Refuses a recruitment the inspector does not oversee (403), or one that does not exist (404). */
  async function requireOverseen(recruitmentId: string, inspector: SignedInUser) {
    const overseer = await overseerOf(db, inspector);
    const [row] = await db.select({ id: recruitments.id }).from(recruitments).where(eq(recruitments.id, recruitmentId));
    if (!row) throw new AppError('NOT_FOUND', '招募项目不存在');
    const [overseen] = await db
      .select({ id: recruitments.id })
      .from(recruitments)
      .where(and(eq(recruitments.id, recruitmentId), recruitmentsOverseenBy(overseer)));
    if (!overseen) throw new AppError('FORBIDDEN', '您不是该招募项目的纪检监督员');
  }

  async function partnershipsOverseen(inspector: SignedInUser, filter: { recruitmentId?: string } = {}) {
    if (filter.recruitmentId) await requireOverseen(filter.recruitmentId, inspector);
    const overseer = await overseerOf(db, inspector);
    const scope = and(recruitmentsOverseenBy(overseer), filter.recruitmentId ? eq(recruitments.id, filter.recruitmentId) : undefined);
    const due = await db.selectDistinct({ id: partnerships.recruitmentId }).from(partnerships).innerJoin(recruitments, eq(recruitments.id, partnerships.recruitmentId)).where(scope);
    for (const { id } of due) await lapses.lapseOverdue({ recruitmentId: id });

    const rows = await db
      .select({ partnership: partnerships, recruitmentTitle: recruitments.title, organization: organizations.name, uscc: organizations.uscc, lotName: lots.name })
      .from(partnerships)
      .innerJoin(recruitments, eq(recruitments.id, partnerships.recruitmentId))
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .innerJoin(lots, and(eq(lots.recruitmentId, partnerships.recruitmentId), eq(lots.key, partnerships.lotKey)))
      .where(scope)
      .orderBy(asc(recruitments.title), asc(lots.position), asc(partnerships.createdAt));
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.partnership.id);
    const recruitmentIds = [...new Set(rows.map((row) => row.partnership.recruitmentId))];
    const [reviews, ratings, openAlerts, notices] = await Promise.all([
      db.select().from(partnershipReviews).where(inArray(partnershipReviews.partnershipId, ids)).orderBy(asc(partnershipReviews.dueAt)),
      db
        .select({ partnershipId: satisfactionRatings.partnershipId, score: satisfactionRatings.score, group: satisfactionRatings.group })
        .from(satisfactionRatings)
        .where(inArray(satisfactionRatings.partnershipId, ids)),
      db
        .select({ id: alerts.id, indicator: alerts.indicator, severity: alerts.severity, subject: alerts.subject, raisedAt: alerts.raisedAt, findingKey: alerts.findingKey })
        .from(alerts)
        .where(and(inArray(alerts.recruitmentId, recruitmentIds), inArray(alerts.indicator, PARTNERSHIP_INDICATOR_IDS), eq(alerts.status, 'open'))),
      db
        .select({ id: documents.id, bidId: documents.bidId, recruitmentId: documents.recruitmentId, verifyCode: documents.verifyCode, issuedAt: documents.issuedAt })
        .from(documents)
        .where(and(inArray(documents.recruitmentId, recruitmentIds), eq(documents.kind, 'termination_notice'))),
    ]);
    const reviewsOf = groupBy(reviews, (review) => review.partnershipId);
    const ratingsOf = groupBy(ratings, (rating) => rating.partnershipId);
    return rows.map(({ partnership, recruitmentTitle, organization, uscc, lotName }) => {
      const figures = summariseRatings(ratingsOf.get(partnership.id) ?? []);
      const notice = notices.find((doc) => doc.recruitmentId === partnership.recruitmentId && doc.bidId === partnership.bidId);
      return {
        id: partnership.id,
        recruitmentId: partnership.recruitmentId,
        recruitmentTitle,
        organization: { id: partnership.organizationId, name: organization, uscc },
        lot: partnership.lotKey,
        lotName,
        status: partnership.status,
        statusLabel: PARTNERSHIP_STATUS_LABELS[partnership.status],
        signBy: partnership.signBy,
        signedAt: partnership.signedAt,
        endsAt: partnership.endsAt,
        lapsedAt: partnership.lapsedAt,
        terminatedAt: partnership.terminatedAt,
        reviews: (reviewsOf.get(partnership.id) ?? []).map((review) => ({
          id: review.id,
          kind: review.kind,
          kindLabel: REVIEW_KIND_LABELS[review.kind],
          dueAt: review.dueAt,
          result: review.result,
          resultLabel: review.result ? REVIEW_RESULT_LABELS[review.result] : null,
          completedAt: review.completedAt,
        })),
        // over the term so far: every rating the partnership has received
        satisfaction: { ratings: figures.ratings, mean: figures.mean, satisfiedShare: figures.satisfiedShare },
        alerts: openAlerts
          .filter((alert) => partnershipOfFinding(alert.findingKey) === partnership.id)
          .map(({ id, indicator, severity, subject, raisedAt }) => ({ id, indicator, severity, subject, raisedAt })),
        terminationNotice: notice
          ? { id: notice.id, verifyCode: notice.verifyCode, issuedAt: notice.issuedAt, url: `/api/v1/documents/${notice.id}`, verifyUrl: verifyUrl(publicUrl, notice.verifyCode) }
          : null,
      };
    });
  }

  return { partnershipsOverseen };
}
