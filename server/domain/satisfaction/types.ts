// Worker satisfaction (issue 17): the core indicator of a partnership's reviews. A worker who used
// a service rates it with the proof-of-use code the partner handed over with the service, once
// per code. The code is also the record of a place delivered (free, discounted or at the group's
// price), which the reviews compare with the places the bid promised.

/** How the place the worker used was charged, as the partner recorded it when issuing the code. */
export const PLACE_KINDS = ['free', 'discounted', 'regular'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export const PLACE_KIND_LABELS: Record<PlaceKind, string> = {
  free: '免费名额',
  discounted: '优惠名额',
  regular: '按价收费',
};

/** The 5-point satisfaction scale; 4 and 5 count as satisfied (满意率). */
export const SATISFACTION_SCORES = [1, 2, 3, 4, 5] as const;
export const SATISFIED_FROM = 4;

export const SATISFACTION_LABELS: Record<number, string> = {
  1: '很不满意',
  2: '不满意',
  3: '一般',
  4: '满意',
  5: '非常满意',
};
