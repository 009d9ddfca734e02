import { AppError } from '../../errors.ts';
import type { PartnershipStatus } from '../partnerships/types.ts';
import { OFFER_GROUP_LABELS, OFFER_GROUPS, TRACKED_FIELDS, type OfferInput, type TrackedField } from './types.ts';

// The rules of a published offer, free of HTTP and the database: what a valid offer is, when the
// partner may publish, and the catalogue's promised public-benefit share that the bid's is
// compared with.

/** A partner publishes from the signed agreement until the partnership ends. */
export const PUBLISHING_STATUSES: readonly PartnershipStatus[] = ['signed', 'active', 'rectifying'];

/** Whole fen: no more than 2 decimals (a float's noise below a thousandth of a fen tolerated). */
const inFen = (value: number) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;

function checkPrice(value: number, field: string, label: string) {
  if (!Number.isFinite(value) || value < 0 || !inFen(value)) {
    throw new AppError('PRICE_INVALID', `${label}须为不小于 0 的金额，最多两位小数`, field);
  }
}

function checkPlaces(value: number, field: string, label: string) {
  if (!Number.isInteger(value) || value < 0) throw new AppError('PLACES_INVALID', `${label}须为不小于 0 的整数`, field);
}

function checkText(value: string, field: string, label: string) {
  if (value.trim() === '') throw new AppError('VALIDATION_FAILED', `请填写${label}`, field);
}

/** Refuses an offer that breaks a rule (400, with the field); answers it with its texts trimmed. */
export function validOffer(input: OfferInput): OfferInput {
  checkText(input.service, 'service', '服务项目');
  checkText(input.openingHours, 'openingHours', '开放时间');
  checkText(input.procedure, 'procedure', '服务流程');
  checkPrice(input.listPrice, 'listPrice', '标准价格');
  for (const group of OFFER_GROUPS) {
    const label = `${OFFER_GROUP_LABELS[group]}价格`;
    checkPrice(input.prices[group], `prices.${group}`, label);
    if (input.prices[group] > input.listPrice) {
      throw new AppError('GROUP_PRICE_ABOVE_LIST', `${label}（${input.prices[group]} 元）不得高于标准价格（${input.listPrice} 元）`, `prices.${group}`);
    }
  }
  checkPlaces(input.placesPerMonth, 'placesPerMonth', '每月服务名额');
  checkPlaces(input.freePlaces, 'freePlaces', '每月免费名额');
  checkPlaces(input.discountedPlaces, 'discountedPlaces', '每月优惠名额');
  if (input.freePlaces + input.discountedPlaces > input.placesPerMonth) {
    throw new AppError('PLACES_EXCEED_TOTAL', '免费名额与优惠名额之和不得超过每月服务名额', 'freePlaces');
  }
  return { ...input, service: input.service.trim(), openingHours: input.openingHours.trim(), procedure: input.procedure.trim() };
}

export type Places = Pick<OfferInput, 'placesPerMonth' | 'freePlaces' | 'discountedPlaces'>;

/**
 * The catalogue's promised public-benefit share, in % (2 decimals), comparable with the bid's
 * publicBenefitRatio: the free and discounted places per month over all places per month, summed
 * over the current version of every service. Null when the catalogue offers no place at all.
 */
export function promisedShare(offers: readonly Places[]): number | null {
  const total = offers.reduce((sum, offer) => sum + offer.placesPerMonth, 0);
  if (total === 0) return null;
  const benefit = offers.reduce((sum, offer) => sum + offer.freePlaces + offer.discountedPlaces, 0);
  return Math.round((benefit / total) * 10_000) / 100;
}

/** Below the bid's promise: a known share more than `marginPoints` under the bid's declared one. */
export const belowBid = (share: number | null, bidShare: number | null, marginPoints: number): boolean =>
  share !== null && bidShare !== null && share < bidShare - marginPoints;

const tracked = (input: OfferInput, field: TrackedField): number =>
  field === 'listPrice' || field === 'placesPerMonth' || field === 'freePlaces' || field === 'discountedPlaces' ? input[field] : input.prices[field];

/** The prices and places a new version changes, as [before, after]. */
export function trackedChanges(before: OfferInput, after: OfferInput): Partial<Record<TrackedField, [number, number]>> {
  const changes: Partial<Record<TrackedField, [number, number]>> = {};
  for (const field of TRACKED_FIELDS) {
    const [from, to] = [tracked(before, field), tracked(after, field)];
    if (from !== to) changes[field] = [from, to];
  }
  return changes;
}

/** Whether a new version changes nothing at all. */
export const sameOffer = (before: OfferInput, after: OfferInput): boolean =>
  Object.keys(trackedChanges(before, after)).length === 0 &&
  before.service === after.service &&
  before.openingHours === after.openingHours &&
  before.procedure === after.procedure;
