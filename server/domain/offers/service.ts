import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { offerVersions, organizations, partnerOffers } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { Partnership, PartnershipAccess } from '../partnerships/access.ts';
import type { Lapses } from '../partnerships/lapse.ts';
import { PARTNERSHIP_STATUS_LABELS } from '../partnerships/types.ts';
import { bidShareOf, catalogueShare, inputOf, latestVersion, offersOf, shortOfBid, versionColumns } from './catalogue.ts';
import { PUBLISHING_STATUSES, sameOffer, trackedChanges, validOffer } from './rules.ts';
import type { OfferInput } from './types.ts';

// The partner's service catalogue (issue 17): its own organisation publishes a service and
// changes it; every change is a new version and an audit entry in the same transaction, with the
// catalogue's promised share beside the bid's (the inspector's indicator reads it from there).
// Invariant: each step locks the partnership row, so two changes never compute the share apart.

export type OfferService = ReturnType<typeof createOfferService>;

export function createOfferService({
  db,
  clock,
  audit,
  access,
  lapses,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  access: Pick<PartnershipAccess, 'load' | 'lock' | 'requireOrganization' | 'canSee'>;
  lapses: Pick<Lapses, 'lapseOverdue'>;
}) {
  function refuseUnlessPublishing(partnership: Partnership) {
    if (partnership.status === 'awarded') throw new AppError('OFFERS_NOT_OPEN', '合作协议签订后方可发布服务项目和优惠');
    if (!PUBLISHING_STATUSES.includes(partnership.status)) {
      throw new AppError('OFFERS_CLOSED', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”，不能再发布或修改服务项目`);
    }
  }

  /** The partnership, lapsed first when overdue, its own organisation's to edit now. */
  async function editable(partnershipId: string, user: SignedInUser): Promise<Partnership> {
    await lapses.lapseOverdue({ partnershipId });
    const partnership = await access.load(partnershipId);
    await access.requireOrganization(partnership, user);
    refuseUnlessPublishing(partnership);
    return partnership;
  }

  async function record(tx: Tx, partnership: Partnership, offerId: string, input: OfferInput, number: number, user: SignedInUser, origin: RequestOrigin, details: Record<string, unknown>) {
    await tx.insert(offerVersions).values({ offerId, number, ...versionColumns(input), recordedAt: clock.now(), recordedBy: user.id });
    const share = catalogueShare(await offersOf(tx, [partnership.id]));
    const bidShare = await bidShareOf(tx, partnership.bidId);
    await audit.record(tx, {
      actor: user,
      action: number === 1 ? 'offer.publish' : 'offer.change',
      target: `partnership:${partnership.id}`,
      recruitmentId: partnership.recruitmentId,
      ip: origin.ip,
      details: { offerId, version: number, service: input.service, ...details, share, bidShare },
    });
    return { offerId, partnershipId: partnership.id, version: number, share, bidShare };
  }

  /** The partner publishes a new service in its catalogue. */
  async function publishOffer(partnershipId: string, raw: OfferInput, user: SignedInUser, origin: RequestOrigin) {
    const input = validOffer(raw);
    await editable(partnershipId, user);
    return db.transaction(async (tx) => {
      const partnership = await access.lock(tx, partnershipId);
      refuseUnlessPublishing(partnership);
      const [offer] = await tx.insert(partnerOffers).values({ partnershipId }).returning({ id: partnerOffers.id });
      return record(tx, partnership, offer!.id, input, 1, user, origin, {});
    });
  }

  /** The partner changes a service: a new version, the old ones kept. */
  async function changeOffer(offerId: string, raw: OfferInput, user: SignedInUser, origin: RequestOrigin, partnershipId?: string) {
    const input = validOffer(raw);
    const [offer] = await db.select().from(partnerOffers).where(eq(partnerOffers.id, offerId));
    if (!offer || (partnershipId !== undefined && offer.partnershipId !== partnershipId)) throw new AppError('NOT_FOUND', '服务项目不存在');
    await editable(offer.partnershipId, user);
    return db.transaction(async (tx) => {
      const partnership = await access.lock(tx, offer.partnershipId);
      refuseUnlessPublishing(partnership);
      const latest = (await latestVersion(tx, offerId))!;
      const before = inputOf(latest);
      if (sameOffer(before, input)) throw new AppError('OFFER_UNCHANGED', '服务项目内容没有变化');
      return record(tx, partnership, offerId, input, latest.number + 1, user, origin, { changes: trackedChanges(before, input) });
    });
  }

  /** A partnership's catalogue with every version of each offer: for its organisation, the agent and the inspector. */
  async function partnershipOffers(partnershipId: string, viewer: SignedInUser) {
    const partnership = await access.load(partnershipId);
    if (!(await access.canSee(partnership, viewer))) throw new AppError('NOT_FOUND', '合作关系不存在');
    const offers = await offersOf(db, [partnershipId]);
    const [share, bidShare] = [catalogueShare(offers), await bidShareOf(db, partnership.bidId)];
    const [organization] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, partnership.organizationId));
    const own = viewer.role === 'bidder';
    return {
      partnershipId,
      recruitmentId: partnership.recruitmentId,
      organization: organization!.name,
      status: partnership.status,
      statusLabel: PARTNERSHIP_STATUS_LABELS[partnership.status],
      /** whether the viewer may publish and change services now: its own organisation, between signing and the end */
      canEdit: own && PUBLISHING_STATUSES.includes(partnership.status),
      share,
      bidShare,
      shortOfBid: shortOfBid(share, bidShare),
      offers: offers.map((offer) => ({ id: offer.id, versions: offer.versions.map((version) => ({ number: version.number, recordedAt: version.recordedAt, ...inputOf(version) })) })),
    };
  }

  return { publishOffer, changeOffer, partnershipOffers };
}
