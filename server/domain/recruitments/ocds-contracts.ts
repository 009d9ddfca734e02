// The contracts' later releases in the OCDS package (issue 17): what happens to each partnership
// after the award. Pure, like ocds.ts, which calls it with each award's draft contract.
import { REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS, type PartnershipStatus, type ReviewKind, type ReviewResult } from '../partnerships/types.ts';
import type { Contract, OcdsDocument, Release } from './ocds.ts';

export const LANGUAGE = 'zh';

/** A performance review of the partnership, as open data tells it: its kind, dates and result. */
export interface OcdsReview {
  id: string;
  kind: ReviewKind;
  scheduledAt: Date;
  dueAt: Date;
  result: ReviewResult | null;
  completedAt: Date | null;
}

/** An awarded bid's partnership (issue 17), as open data tells it. */
export interface OcdsPartnership {
  bidId: string;
  status: PartnershipStatus;
  signedAt: Date | null;
  endsAt: Date | null;
  lapsedAt: Date | null;
  terminatedAt: Date | null;
  /** oldest due first */
  reviews: readonly OcdsReview[];
  /** the signed termination notice, told by its public verification page */
  terminationNotice: { verifyCode: string; issuedAt: Date } | null;
}

/**
 * The OCDS contract status of each partnership status (contractStatus codelist). `terminated` is
 * the codelist's word for a contract no longer in force, "due to the successful completion of the
 * contract, or ... early termination": both a term that ran out and a termination.
 */
export const CONTRACT_STATUSES: Record<PartnershipStatus, Contract['status']> = {
  awarded: 'pending',
  signed: 'active',
  active: 'active',
  rectifying: 'active',
  ended: 'terminated',
  terminated: 'terminated',
  lapsed: 'cancelled',
};

export interface Milestone {
  id: string;
  title: string;
  type: 'assessment';
  code: ReviewKind;
  description: string;
  dueDate: string;
  status: 'scheduled' | 'met' | 'notMet';
  dateMet?: string;
  dateModified?: string;
}

/** A review as a milestone (type assessment): scheduled until completed, then met when passed and not met otherwise. */
export function reviewMilestone(review: OcdsReview): Milestone {
  const completed = review.result !== null && review.completedAt !== null;
  const status = !completed ? 'scheduled' : review.result === 'pass' ? 'met' : 'notMet';
  return {
    id: `review-${review.id}`,
    title: REVIEW_KIND_LABELS[review.kind],
    type: 'assessment',
    code: review.kind,
    description: completed ? `考核结果：${REVIEW_RESULT_LABELS[review.result!]}` : '待考核',
    dueDate: review.dueAt.toISOString(),
    status,
    ...(status === 'met' && { dateMet: review.completedAt!.toISOString() }),
    ...(completed && { dateModified: review.completedAt!.toISOString() }),
  };
}

/** When the reviews were last scheduled or completed: the date of the release that tells them. */
function reviewsDate(reviews: readonly OcdsReview[]): Date {
  return new Date(Math.max(...reviews.map((review) => (review.completedAt ?? review.scheduledAt).getTime())));
}

/**
 * The releases after an award's draft contract: its signing (an active contract for its term,
 * the site's published services as the implementation's document); its reviews as milestones;
 * its end — the term run out or the agreement terminated, with the termination notice — or the
 * lapse of an award never signed, which cancels it.
 */
export function contractReleases(
  contractRelease: Release,
  contract: Contract,
  partnership: OcdsPartnership,
  urls: { site: string; verify: (code: string) => string },
): Release[] {
  const status = CONTRACT_STATUSES[partnership.status];
  const id = `${contractRelease.id}-${partnership.bidId}`;
  if (!partnership.signedAt || !partnership.endsAt) {
    if (!partnership.lapsedAt) return [];
    return [{ ...contractRelease, id: `${id}-lapsed`, date: partnership.lapsedAt.toISOString(), tag: ['contractUpdate'], contracts: [{ ...contract, status }] }];
  }
  const signed = partnership.signedAt.toISOString();
  const services: OcdsDocument = { id: `services-${partnership.bidId}`, documentType: 'x_publishedServices', title: '服务项目、开放时间与职工优惠（公示）', url: urls.site, language: LANGUAGE };
  const concluded: Contract = {
    ...contract,
    title: contract.title.replace('合作协议（草案）', '合作协议'),
    status: 'active',
    dateSigned: signed,
    period: { startDate: signed, endDate: partnership.endsAt.toISOString() },
    implementation: { documents: [services] },
  };
  const milestones = partnership.reviews.map(reviewMilestone);
  const releases: Release[] = [{ ...contractRelease, id: `${id}-signed`, date: signed, tag: ['implementation'], contracts: [concluded] }];
  if (milestones.length > 0) {
    releases.push({
      ...contractRelease,
      id: `${id}-reviews`,
      date: reviewsDate(partnership.reviews).toISOString(),
      tag: ['implementation'],
      contracts: [{ ...concluded, implementation: { documents: [services], milestones } }],
    });
  }
  const ended = partnership.terminatedAt ?? (partnership.status === 'ended' ? partnership.endsAt : null);
  if (ended) {
    const notice = partnership.terminationNotice;
    const documents: OcdsDocument[] = notice
      ? [{ id: `termination-${partnership.bidId}`, documentType: 'x_terminationNotice', title: '终止合作通知书', url: urls.verify(notice.verifyCode), datePublished: notice.issuedAt.toISOString(), language: LANGUAGE }]
      : [];
    releases.push({
      ...contractRelease,
      id: `${id}-${partnership.terminatedAt ? 'terminated' : 'ended'}`,
      date: ended.toISOString(),
      tag: ['contractUpdate'],
      contracts: [
        {
          ...concluded,
          status,
          period: { startDate: signed, endDate: ended.toISOString() },
          implementation: { documents: [services, ...documents], ...(milestones.length > 0 && { milestones }) },
        },
      ],
    });
  }
  return releases;
}
