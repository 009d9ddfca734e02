import { describe, expect, it } from 'vitest';
import { promisedShare, validOffer } from '../../server/domain/offers/rules.ts';
import { seeded } from '../../scripts/demo-helpers.ts';
import { LOT_OFFERS, offerFor } from '../../scripts/demo-offers.ts';

// Issue 17's demo: the services its partners publish are valid offers keeping the bid's promise
// (no inspector's alert for a share below the bid), and its worker ratings are the same on every run.

describe('17: the demo’s data', () => {
  it('17: every partner’s catalogue is valid and promises at least its bid’s public-benefit share (bids declare 20–40%)', () => {
    for (const [lot, catalogues] of Object.entries(LOT_OFFERS)) {
      expect(catalogues.length, lot).toBeGreaterThan(0);
      for (const templates of catalogues) {
        expect(templates.length).toBeGreaterThanOrEqual(1);
        expect(templates.length).toBeLessThanOrEqual(3);
        for (let bidShare = 20; bidShare <= 40; bidShare++) {
          const offers = templates.map((template) => offerFor(template, bidShare));
          for (const offer of offers) expect(() => validOffer(offer)).not.toThrow();
          expect(promisedShare(offers)).toBeGreaterThanOrEqual(bidShare);
        }
      }
    }
  });

  it('17: the seeded generator gives the same sequence for a seed, another for another seed, within [0, 1)', () => {
    const draw = (seed: number) => Array.from({ length: 1000 }, seeded(seed));
    expect(draw(17)).toEqual(draw(17));
    expect(draw(17)).not.toEqual(draw(29));
    expect(draw(17).every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
