import { describe, expect, it } from 'vitest';
import { computeEvaluation, MissingScoresError, type ScoredBid, type ScoringInput } from '../../server/domain/evaluation/scoring.ts';

const CRITERIA = [
  { key: 'plan', maxScore: 60 },
  { key: 'share', maxScore: 40 },
];
const PANEL = ['e1', 'e2', 'e3', 'e4', 'e5'];

/** A bid whose experts' totals are given; each total is split plan/share as 60 %/40 % in half points. */
function bid(bidId: string, totals: number[], over: Partial<ScoredBid> = {}, comments: Record<string, string> = {}): ScoredBid {
  const sheets = Object.fromEntries(
    PANEL.map((expertId, i) => {
      const total = totals[i]!;
      const share = Math.min(40, Math.round(total * 0.4 * 2) / 2);
      return [expertId, { scores: { plan: total - share, share }, comment: comments[expertId] ?? '' }];
    }),
  );
  return { bidId, lot: 'arts', publicBenefitRatio: 20, receivedAt: new Date('2026-03-01T08:00:00Z'), sheets, ...over };
}

const input = (bids: ScoredBid[], quotas: Record<string, number> = { arts: 2, sports: 1 }): ScoringInput => ({
  criteria: CRITERIA,
  panel: PANEL,
  quotas,
  bids,
});

describe('computeEvaluation: totals and trimmed means', () => {
  it.each([
    { totals: [80, 70, 60, 90, 50], mean: 70, median: 70 },
    { totals: [80, 80, 80, 80, 80], mean: 80, median: 80 },
    // one extreme total on each side is dropped entirely
    { totals: [100, 70, 70, 70, 0], mean: 70, median: 70 },
    { totals: [71.5, 70, 70.5, 69, 90], mean: 70.67, median: 70.5 },
  ])('$totals → mean $mean', ({ totals, mean, median }) => {
    const [result] = computeEvaluation(input([bid('b1', totals)])).bids;
    expect(result!.totals).toEqual(Object.fromEntries(PANEL.map((e, i) => [e, totals[i]])));
    expect(result!.mean).toBe(mean);
    expect(result!.median).toBe(median);
  });
});

describe('computeEvaluation: ranking, quota and ties', () => {
  const cases: { name: string; bids: ScoredBid[]; order: string[]; tie?: string }[] = [
    {
      name: 'by mean',
      bids: [bid('low', [60, 60, 60, 60, 60]), bid('high', [90, 90, 90, 90, 90]), bid('mid', [75, 75, 75, 75, 75])],
      order: ['high', 'mid', 'low'],
    },
    {
      name: 'equal means: the higher public-benefit share first',
      bids: [bid('a', [70, 70, 70, 70, 70], { publicBenefitRatio: 25 }), bid('b', [80, 70, 70, 70, 60], { publicBenefitRatio: 30 })],
      order: ['b', 'a'],
      tie: 'publicBenefitRatio',
    },
    {
      name: 'equal means and shares: the earlier submission first',
      bids: [
        bid('late', [70, 70, 70, 70, 70], { receivedAt: new Date('2026-03-02T00:00:00Z') }),
        bid('early', [70, 70, 70, 70, 70], { receivedAt: new Date('2026-03-01T00:00:00Z') }),
      ],
      order: ['early', 'late'],
      tie: 'receivedAt',
    },
    {
      // 70.5 vs 70.333…: the exact means differ although both round near 70
      name: 'means compared exactly, not rounded',
      bids: [bid('x', [70, 70, 71, 70, 80]), bid('y', [70.5, 70.5, 70.5, 60, 80])],
      order: ['y', 'x'],
    },
  ];
  it.each(cases)('$name', ({ bids, order, tie }) => {
    const result = computeEvaluation(input(bids)).bids;
    expect(result.map((r) => r.bidId)).toEqual(order);
    expect(result.map((r) => r.rank)).toEqual(order.map((_, i) => i + 1));
    expect(result[1]!.tieBrokenBy).toBe(tie ?? null);
  });

  it('ranks each lot on its own and recommends its quota', () => {
    const result = computeEvaluation(
      input([
        bid('a1', [60, 60, 60, 60, 60]),
        bid('s1', [50, 50, 50, 50, 50], { lot: 'sports' }),
        bid('a2', [80, 80, 80, 80, 80]),
        bid('a3', [70, 70, 70, 70, 70]),
        bid('s2', [55, 55, 55, 55, 55], { lot: 'sports' }),
      ]),
    ).bids;
    expect(result.map((r) => [r.bidId, r.rank, r.recommended])).toEqual([
      ['a2', 1, true],
      ['a3', 2, true],
      ['a1', 3, false],
      ['s2', 1, true],
      ['s1', 2, false],
    ]);
  });
});

describe('computeEvaluation: flags', () => {
  it('flags a total more than 20 points from the median, justified once commented', () => {
    const bids = [bid('b1', [70, 72, 49.5, 91, 70], {}, { e4: '方案创新性突出，理由见评审意见' }), bid('b2', [70, 71, 50, 90, 70])];
    const result = computeEvaluation(input(bids));
    const flags = result.bids.find((r) => r.bidId === 'b1')!.flags;
    expect(flags).toEqual([
      { kind: 'outlier', expertId: 'e3', total: 49.5, median: 70, deviation: -20.5, justified: false },
      { kind: 'outlier', expertId: 'e4', total: 91, median: 70, deviation: 21, justified: true },
    ]);
    // exactly 20 from the median is not an outlier
    expect(result.bids.find((r) => r.bidId === 'b2')!.flags).toEqual([]);
  });

  it('flags two experts whose scores are identical on every bid and criterion', () => {
    const same = (id: string, t: number[]) => bid(id, t);
    const result = computeEvaluation(input([same('b1', [70, 70, 60, 80, 65]), same('b2', [60, 60, 61, 59, 58])]));
    expect(result.identicalVectors).toEqual([['e1', 'e2']]);
    expect(computeEvaluation(input([bid('b1', [70, 71, 60, 80, 65])])).identicalVectors).toEqual([]);
  });
});

describe('computeEvaluation: refusals', () => {
  it('refuses a missing score', () => {
    const incomplete = bid('b1', [70, 70, 70, 70, 70]);
    const sheets = { ...incomplete.sheets, e3: { scores: { plan: 40 }, comment: '' } };
    expect(() => computeEvaluation(input([{ ...incomplete, sheets }]))).toThrow(MissingScoresError);
    const { e5: _absent, ...fourSheets } = incomplete.sheets;
    expect(() => computeEvaluation(input([{ ...incomplete, sheets: fourSheets }]))).toThrow(/expert e5/);
  });

  it('refuses a score off the half-point step or out of range', () => {
    const b = bid('b1', [70, 70, 70, 70, 70]);
    expect(() => computeEvaluation(input([{ ...b, sheets: { ...b.sheets, e1: { scores: { plan: 40.25, share: 20 }, comment: '' } } }]))).toThrow(RangeError);
    expect(() => computeEvaluation(input([{ ...b, sheets: { ...b.sheets, e1: { scores: { plan: 61, share: 20 }, comment: '' } } }]))).toThrow(RangeError);
  });
});

describe('recomputation', () => {
  it('gives the same result from the same scores in any input order', () => {
    const bids = [bid('a', [80, 70, 60, 90, 50]), bid('b', [70, 70, 70, 70, 70], { publicBenefitRatio: 30 }), bid('c', [65, 66, 67, 68, 69])];
    const first = computeEvaluation(input(bids));
    const again = computeEvaluation({ ...input([...bids].reverse()), panel: [...PANEL].reverse() });
    expect(again.bids.map(({ bidId, rank, mean, recommended }) => ({ bidId, rank, mean, recommended }))).toEqual(
      first.bids.map(({ bidId, rank, mean, recommended }) => ({ bidId, rank, mean, recommended })),
    );
  });
});
