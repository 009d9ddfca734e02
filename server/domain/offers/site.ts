import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { lots, openingRecords, organizations, partnerships } from '../../db/schema.ts';
import type { Lapses } from '../partnerships/lapse.ts';
import { PARTNERSHIP_STATUS_LABELS } from '../partnerships/types.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { catalogueShare, currentOf, inputOf, offersOf, shortOfBid } from './catalogue.ts';
import { PUBLISHING_STATUSES } from './rules.ts';

// The site's public page (Shaanxi art. 17): the recruitment's service position, its partners
// under a signed agreement and the current version of each of their offers. No sign-in.

export type SiteOffers = Awaited<ReturnType<ReturnType<typeof createSiteOffers>['siteOffers']>>;

export function createSiteOffers({
  db,
  recruitments,
  lapses,
}: {
  db: Db;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
  lapses: Pick<Lapses, 'lapseOverdue'>;
}) {
  async function siteOffers(recruitmentId: string) {
    const recruitment = await recruitments.getRecruitment(recruitmentId, null);
    await lapses.lapseOverdue({ recruitmentId });
    const rows = await db
      .select({ partnership: partnerships, organization: organizations.name, lotName: lots.name, bidShare: openingRecords.publicBenefitRatio })
      .from(partnerships)
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .innerJoin(lots, and(eq(lots.recruitmentId, partnerships.recruitmentId), eq(lots.key, partnerships.lotKey)))
      // the share the bid promised, as bidShareOf reads it: one opening record per bid
      .leftJoin(openingRecords, eq(openingRecords.bidId, partnerships.bidId))
      .where(and(eq(partnerships.recruitmentId, recruitmentId), inArray(partnerships.status, [...PUBLISHING_STATUSES])))
      .orderBy(asc(lots.position), asc(organizations.name));
    const offers = await offersOf(db, rows.map((row) => row.partnership.id));
    const partners = [];
    for (const { partnership, organization, lotName, bidShare } of rows) {
      const own = offers.filter((offer) => offer.partnershipId === partnership.id);
      const share = catalogueShare(own);
      partners.push({
        partnershipId: partnership.id,
        organization,
        lot: { key: partnership.lotKey, name: lotName },
        status: partnership.status,
        statusLabel: PARTNERSHIP_STATUS_LABELS[partnership.status],
        endsAt: partnership.endsAt,
        share,
        bidShare,
        shortOfBid: shortOfBid(share, bidShare),
        offers: own.map((offer) => {
          const current = currentOf(offer);
          return { id: offer.id, version: current.number, updatedAt: current.recordedAt, ...inputOf(current) };
        }),
      });
    }
    return { recruitment: { id: recruitment.id, title: recruitment.title, owner: recruitment.owner }, partners };
  }

  return { siteOffers };
}
