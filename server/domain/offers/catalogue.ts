import { asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { offerVersions, openingRecords, partnerOffers } from '../../db/schema.ts';
import { THRESHOLDS } from '../inspection/indicators/thresholds.ts';
import { belowBid, promisedShare } from './rules.ts';
import type { OfferInput } from './types.ts';

// Reading catalogues: the versions of a partnership's offers as the partner entered them, the
// current one of each, and the bid's promised share to compare the catalogue's with.

export type OfferVersionRow = typeof offerVersions.$inferSelect;

export const inputOf = (row: OfferVersionRow): OfferInput => ({
  service: row.service,
  openingHours: row.openingHours,
  procedure: row.procedure,
  listPrice: row.listPrice,
  prices: { modelWorker: row.modelWorkerPrice, hardship: row.hardshipPrice, unionMember: row.unionMemberPrice, allWorkers: row.allWorkersPrice },
  placesPerMonth: row.placesPerMonth,
  freePlaces: row.freePlaces,
  discountedPlaces: row.discountedPlaces,
});

export const versionColumns = (input: OfferInput) => ({
  service: input.service,
  openingHours: input.openingHours,
  procedure: input.procedure,
  listPrice: input.listPrice,
  modelWorkerPrice: input.prices.modelWorker,
  hardshipPrice: input.prices.hardship,
  unionMemberPrice: input.prices.unionMember,
  allWorkersPrice: input.prices.allWorkers,
  placesPerMonth: input.placesPerMonth,
  freePlaces: input.freePlaces,
  discountedPlaces: input.discountedPlaces,
});

export interface OfferHistory {
  id: string;
  partnershipId: string;
  /** every version, oldest first; the last is the current one */
  versions: OfferVersionRow[];
}

/** The offers of these partnerships with all their versions, oldest offer first. */
export async function offersOf(executor: Db | Tx, partnershipIds: readonly string[]): Promise<OfferHistory[]> {
  if (partnershipIds.length === 0) return [];
  const rows = await executor
    .select({ offer: partnerOffers, version: offerVersions })
    .from(partnerOffers)
    .innerJoin(offerVersions, eq(offerVersions.offerId, partnerOffers.id))
    .where(inArray(partnerOffers.partnershipId, [...partnershipIds]))
    .orderBy(asc(partnerOffers.createdAt), asc(partnerOffers.id), asc(offerVersions.number));
  const byId = new Map<string, OfferHistory>();
  for (const { offer, version } of rows) {
    const history = byId.get(offer.id) ?? { id: offer.id, partnershipId: offer.partnershipId, versions: [] };
    history.versions.push(version);
    byId.set(offer.id, history);
  }
  return [...byId.values()];
}

export const currentOf = (offer: OfferHistory): OfferVersionRow => offer.versions[offer.versions.length - 1]!;

/** The catalogue's promised share over the current version of each offer. */
export const catalogueShare = (offers: readonly OfferHistory[]): number | null => promisedShare(offers.map(currentOf));

/** Whether the catalogue promises less than the bid, as the inspector's indicator judges it. */
export const shortOfBid = (share: number | null, bidShare: number | null): boolean => belowBid(share, bidShare, THRESHOLDS.offerShareMarginPoints);

/** The public-benefit share the bid declared (known from its opening), %. */
export async function bidShareOf(executor: Db | Tx, bidId: string): Promise<number | null> {
  const [row] = await executor.select({ ratio: openingRecords.publicBenefitRatio }).from(openingRecords).where(eq(openingRecords.bidId, bidId));
  return row?.ratio ?? null;
}

/** The latest version of one offer. */
export async function latestVersion(executor: Db | Tx, offerId: string): Promise<OfferVersionRow | null> {
  const [row] = await executor.select().from(offerVersions).where(eq(offerVersions.offerId, offerId)).orderBy(desc(offerVersions.number)).limit(1);
  return row ?? null;
}
