import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { partnerOffers, serviceUses } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { currentOf, latestVersion, offersOf } from '../offers/catalogue.ts';
import { OFFER_GROUPS, type OfferGroup } from '../offers/types.ts';
import type { Partnership, PartnershipAccess } from '../partnerships/access.ts';
import { PARTNERSHIP_STATUS_LABELS, type PartnershipStatus } from '../partnerships/types.ts';
import { formatUseCode, normalizeUseCode, useCodeHash, USE_CODE_BYTES } from './codes.ts';
import { PLACE_KIND_LABELS, PLACE_KINDS, type PlaceKind } from './types.ts';

// Proof of use (issue 17): when a worker uses a service, the partner issues a code with it. The
// code is the worker's proof for rating the service once, and its row the record of a place
// delivered (free, discounted or at the group's price), which the reviews compare with the
// places promised. The code is shown once and stored only as a hash; its audit entry holds
// neither.

/** While the partner runs the site: codes are issued and ratings taken. */
export const SERVING_STATUSES: readonly PartnershipStatus[] = ['active', 'rectifying'];

export interface ServiceUseInput {
  offerId: string;
  group: string;
  place: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The input's group and kind of place checked (the offer is checked against the catalogue). */
export function validServiceUse(input: ServiceUseInput): { offerId: string; group: OfferGroup; place: PlaceKind } {
  if (!OFFER_GROUPS.includes(input.group as OfferGroup)) throw new AppError('GROUP_INVALID', '请选择服务对象所属的职工群体', 'group');
  if (!PLACE_KINDS.includes(input.place as PlaceKind)) throw new AppError('PLACE_INVALID', '请选择名额类型：免费、优惠或按价收费', 'place');
  if (!UUID.test(input.offerId)) throw new AppError('UNKNOWN_OFFER', '请选择本单位已发布的服务项目', 'offerId');
  return { offerId: input.offerId, group: input.group as OfferGroup, place: input.place as PlaceKind };
}

export function refuseUnlessServing(partnership: Partnership, code: 'SERVICE_USES_CLOSED' | 'RATINGS_CLOSED') {
  if (SERVING_STATUSES.includes(partnership.status)) return;
  const label = PARTNERSHIP_STATUS_LABELS[partnership.status];
  throw code === 'SERVICE_USES_CLOSED'
    ? new AppError(code, `合作关系当前状态为“${label}”：合作伙伴进场运营后、合作结束前方可发放评价码`)
    : new AppError(code, `该合作伙伴当前不在运营中（${label}），暂不接受评价`);
}

const ISSUE_ATTEMPTS = 3;

export function createServiceUses({
  db,
  clock,
  audit,
  access,
  publicUrl,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  access: Pick<PartnershipAccess, 'load' | 'lock' | 'requireOrganization'>;
  publicUrl: string;
}) {
  /** The partner issues the code of one service used by one worker. */
  async function issueServiceUse(partnershipId: string, raw: ServiceUseInput, user: SignedInUser, origin: RequestOrigin) {
    const input = validServiceUse(raw);
    const partnership = await access.load(partnershipId);
    await access.requireOrganization(partnership, user);
    refuseUnlessServing(partnership, 'SERVICE_USES_CLOSED');
    const [offer] = await db
      .select({ id: partnerOffers.id })
      .from(partnerOffers)
      .where(and(eq(partnerOffers.id, input.offerId), eq(partnerOffers.partnershipId, partnershipId)));
    const current = offer ? await latestVersion(db, offer.id) : null;
    if (!current) throw new AppError('UNKNOWN_OFFER', '请选择本单位已发布的服务项目', 'offerId');
    const noneOffered = (input.place === 'free' && current.freePlaces === 0) || (input.place === 'discounted' && current.discountedPlaces === 0);
    if (noneOffered) throw new AppError('PLACE_NOT_OFFERED', `“${current.service}”没有${PLACE_KIND_LABELS[input.place]}`, 'place');

    for (let attempt = 1; ; attempt++) {
      const code = formatUseCode(randomBytes(USE_CODE_BYTES));
      const usedAt = clock.now();
      const issued = await db.transaction(async (tx) => {
        const locked = await access.lock(tx, partnershipId);
        refuseUnlessServing(locked, 'SERVICE_USES_CLOSED');
        const [row] = await tx
          .insert(serviceUses)
          .values({ partnershipId, offerId: input.offerId, group: input.group, place: input.place, codeHash: useCodeHash(normalizeUseCode(code)!), usedAt, issuedBy: user.id })
          // a code drawn twice (one in 2^40) is drawn again
          .onConflictDoNothing()
          .returning({ id: serviceUses.id });
        if (!row) return null;
        await audit.record(tx, {
          actor: user,
          action: 'service_use.issue',
          target: `partnership:${partnershipId}`,
          recruitmentId: partnership.recruitmentId,
          ip: origin.ip,
          details: { serviceUseId: row.id, offerId: input.offerId, service: current.service, group: input.group, place: input.place },
        });
        return row;
      });
      if (issued) return { serviceUseId: issued.id, code, usedAt, service: current.service, group: input.group, place: input.place, rateUrl: rateUrl(publicUrl, partnershipId) };
      if (attempt >= ISSUE_ATTEMPTS) throw new Error('no free proof-of-use code after several draws');
    }
  }

  /** The partner's current services a code can be issued for, with the places each offers a month. */
  async function issueOptions(partnershipId: string) {
    return (await offersOf(db, [partnershipId])).map((offer) => {
      const current = currentOf(offer);
      return { offerId: offer.id, service: current.service, freePlaces: current.freePlaces, discountedPlaces: current.discountedPlaces };
    });
  }

  return { issueServiceUse, issueOptions };
}

/** The public page a worker rates the partner's services on, as the poster's QR code reads it. */
export function rateUrl(publicUrl: string, partnershipId: string): string {
  return `${publicUrl}/rate/${partnershipId}`;
}
