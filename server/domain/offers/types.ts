// A partner's published service (issue 17): what a worker reads on the site's page — the service,
// its opening hours and procedure, its list price and the price for each group of workers, and the
// places per month, of which some free or discounted as the bid promised.

/** The groups of workers an offer prices for, in the order the pages show them (Shaanxi art. 17). */
export const OFFER_GROUPS = ['modelWorker', 'hardship', 'unionMember', 'allWorkers'] as const;
export type OfferGroup = (typeof OFFER_GROUPS)[number];

export const OFFER_GROUP_LABELS: Record<OfferGroup, string> = {
  modelWorker: '劳模工匠',
  hardship: '困难职工',
  unionMember: '工会会员',
  allWorkers: '全体职工',
};

/** What the partner enters for a service; every version of an offer holds one. */
export interface OfferInput {
  service: string;
  openingHours: string;
  procedure: string;
  /** yuan, at most 2 decimals */
  listPrice: number;
  prices: Record<OfferGroup, number>;
  placesPerMonth: number;
  freePlaces: number;
  discountedPlaces: number;
}

/** The fields whose change the audit log spells out (a change of price or of promised places). */
export const TRACKED_FIELDS = ['listPrice', ...OFFER_GROUPS, 'placesPerMonth', 'freePlaces', 'discountedPlaces'] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];

export const TRACKED_FIELD_LABELS: Record<TrackedField, string> = {
  listPrice: '标准价格',
  modelWorker: '劳模工匠价格',
  hardship: '困难职工价格',
  unionMember: '工会会员价格',
  allWorkers: '全体职工价格',
  placesPerMonth: '每月服务名额',
  freePlaces: '每月免费名额',
  discountedPlaces: '每月优惠名额',
};
