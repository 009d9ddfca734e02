import { describe, expect, it } from 'vitest';
import { describeDetails, type Names } from '../../server/domain/audit/describe.ts';
import { belowBid, promisedShare, sameOffer, trackedChanges, validOffer } from '../../server/domain/offers/rules.ts';
import type { OfferInput } from '../../server/domain/offers/types.ts';
import { AppError } from '../../server/errors.ts';

// The rules of a published offer (issue 17): what is valid, the catalogue's promised share and
// what a change records.

const base: OfferInput = {
  service: ' 职工书法培训 ',
  openingHours: '周二至周日 9:00–17:00',
  procedure: '登记后参加',
  listPrice: 200,
  prices: { modelWorker: 0, hardship: 0, unionMember: 100, allWorkers: 160 },
  placesPerMonth: 100,
  freePlaces: 30,
  discountedPlaces: 20,
};

const codeOf = (input: OfferInput) => {
  try {
    validOffer(input);
    return null;
  } catch (error) {
    return error instanceof AppError ? [error.code, error.field] : error;
  }
};

describe('validOffer', () => {
  it('takes a valid offer, its texts trimmed; 0 is a free price, 0.01 the smallest', () => {
    expect(validOffer(base).service).toBe('职工书法培训');
    expect(codeOf({ ...base, listPrice: 0.01, prices: { modelWorker: 0, hardship: 0.01, unionMember: 0.01, allWorkers: 0.01 } })).toBeNull();
    expect(codeOf({ ...base, listPrice: 199.99 })).toBeNull();
  });

  it.each<[string, Partial<OfferInput>, [string, string]]>([
    ['negative list price', { listPrice: -0.01 }, ['PRICE_INVALID', 'listPrice']],
    ['three decimals', { listPrice: 10.005 }, ['PRICE_INVALID', 'listPrice']],
    ['not a number (a blank form field)', { listPrice: Number.NaN }, ['PRICE_INVALID', 'listPrice']],
    ['infinite', { listPrice: Number.POSITIVE_INFINITY }, ['PRICE_INVALID', 'listPrice']],
    ['a group above the list', { prices: { ...base.prices, unionMember: 200.01 } }, ['GROUP_PRICE_ABOVE_LIST', 'prices.unionMember']],
    ['a negative group price', { prices: { ...base.prices, hardship: -1 } }, ['PRICE_INVALID', 'prices.hardship']],
    ['fractional places', { discountedPlaces: 0.5 }, ['PLACES_INVALID', 'discountedPlaces']],
    ['negative places', { freePlaces: -1 }, ['PLACES_INVALID', 'freePlaces']],
    ['more promised than offered', { placesPerMonth: 49 }, ['PLACES_EXCEED_TOTAL', 'freePlaces']],
    ['a blank service', { service: '  ' }, ['VALIDATION_FAILED', 'service']],
    ['blank opening hours', { openingHours: '' }, ['VALIDATION_FAILED', 'openingHours']],
  ])('refuses %s', (_name, change, expected) => {
    expect(codeOf({ ...base, ...change })).toEqual(expected);
  });
});

describe('promisedShare', () => {
  it.each<[string, { placesPerMonth: number; freePlaces: number; discountedPlaces: number }[], number | null]>([
    ['no service', [], null],
    ['no places at all', [{ placesPerMonth: 0, freePlaces: 0, discountedPlaces: 0 }], null],
    ['one service', [{ placesPerMonth: 100, freePlaces: 30, discountedPlaces: 20 }], 50],
    ['summed over services, not averaged', [{ placesPerMonth: 100, freePlaces: 50, discountedPlaces: 0 }, { placesPerMonth: 300, freePlaces: 0, discountedPlaces: 0 }], 12.5],
    ['rounded to 2 decimals', [{ placesPerMonth: 3, freePlaces: 1, discountedPlaces: 0 }], 33.33],
  ])('%s', (_name, offers, share) => {
    expect(promisedShare(offers)).toBe(share);
  });

  it('is below the bid’s only when both are known and it falls short by more than the margin', () => {
    expect(belowBid(39.99, 40, 0)).toBe(true);
    expect(belowBid(40, 40, 0)).toBe(false);
    expect(belowBid(38, 40, 2)).toBe(false);
    expect(belowBid(null, 40, 0)).toBe(false);
    expect(belowBid(10, null, 0)).toBe(false);
  });
});

describe('a change', () => {
  it('records each price and number of places that changed, as [before, after]', () => {
    const after = { ...base, listPrice: 180, prices: { ...base.prices, allWorkers: 150 }, freePlaces: 10 };
    expect(trackedChanges(base, after)).toEqual({ listPrice: [200, 180], allWorkers: [160, 150], freePlaces: [30, 10] });
    expect(sameOffer(base, { ...base })).toBe(true);
    expect(sameOffer(base, { ...base, procedure: '电话预约' })).toBe(false);
  });

  it('is told in words on the record', () => {
    const names: Names = { of: () => undefined, lot: () => undefined };
    const lines = describeDetails(
      'offer.change',
      { offerId: 'x', version: 2, service: '职工书法培训', changes: { listPrice: [200, 180], freePlaces: [30, 10] }, share: 30, bidShare: 40 },
      names,
    );
    expect(lines).toEqual(['服务项目“职工书法培训”第 2 版', '标准价格：200 元 → 180 元', '每月免费名额：30 个 → 10 个', '服务目录公益名额比例 30%（响应文件承诺 40%）']);
  });
});
