// Aggregation of the panel's scores (SPEC §5 GET …/evaluation): pure, so that anyone holding the
// stored scores can recompute the published ranking.
//
// - An expert's total for a bid is the sum of that expert's criterion scores.
// - A bid's mean drops one highest and one lowest total when the panel has five or more members
//   (it always has: SPEC §3), then averages the rest.
// - Within a lot, bids rank by mean (higher first); a tie goes to the higher public-benefit share,
//   then to the earlier submission (receivedAt of the version opened); bid id last, only so that
//   the order is total. The top `quota` of a lot are recommended.
// - Flags: an expert's total more than 20 points from the panel's median total for that bid
//   (an outlier, which needs the expert's written comment), and two experts whose score vectors
//   over every bid and criterion are identical.
// Scores are multiples of 0.5; sums are kept in half points, so ties are exact, not floating.

import type { FieldError } from '../../errors.ts';

export const OUTLIER_POINTS = 20;

/** Whether an expert's total for a bid lies more than OUTLIER_POINTS from the panel's median total. */
export const deviatesFromMedian = (total: number, median: number): boolean => Math.abs(total - median) > OUTLIER_POINTS;
const TRIM_FROM = 5;

export interface ScoringCriterion {
  key: string;
  maxScore: number;
}

export interface ScoreSheet {
  /** criterion key → score */
  scores: Readonly<Record<string, number>>;
  comment: string;
}

export interface ScoredBid {
  bidId: string;
  lot: string;
  publicBenefitRatio: number;
  receivedAt: Date;
  /** expert id → that expert's sheet */
  sheets: Readonly<Record<string, ScoreSheet>>;
}

export interface ScoringInput {
  criteria: readonly ScoringCriterion[];
  /** expert ids of the panel */
  panel: readonly string[];
  /** lot key → how many partners it takes */
  quotas: Readonly<Record<string, number>>;
  bids: readonly ScoredBid[];
}

/**
 * Every fault of one expert's sheet for one bid, each beside its criterion: an unknown criterion,
 * a criterion left blank, a score outside 0…max or off the 0.5 step. Empty when the sheet is whole.
 */
export function checkScoreSheet(
  rubric: readonly (ScoringCriterion & { name: string })[],
  scores: Readonly<Record<string, number>>,
): FieldError[] {
  const faults: FieldError[] = Object.keys(scores)
    .filter((key) => !rubric.some((criterion) => criterion.key === key))
    .map((key) => ({ code: 'UNKNOWN_CRITERION', field: `scores.${key}`, message: `没有评分因素“${key}”` }));
  for (const criterion of rubric) {
    const score = scores[criterion.key];
    const field = `scores.${criterion.key}`;
    if (score === undefined) faults.push({ code: 'SCORES_INCOMPLETE', field, message: `请为“${criterion.name}”评分` });
    else if (score < 0 || score > criterion.maxScore) {
      faults.push({ code: 'SCORE_OUT_OF_RANGE', field, message: `“${criterion.name}”的分值须在 0 至 ${criterion.maxScore} 之间` });
    } else if (!Number.isInteger(score * 2)) {
      faults.push({ code: 'SCORE_OFF_STEP', field, message: `“${criterion.name}”的分值以 0.5 分为单位` });
    }
  }
  return faults;
}

export interface OutlierFlag {
  kind: 'outlier';
  expertId: string;
  total: number;
  median: number;
  deviation: number;
  /** the expert wrote a comment for this bid */
  justified: boolean;
}

export interface BidResult {
  bidId: string;
  lot: string;
  totals: Record<string, number>;
  median: number;
  /** rounded to two decimals for display; ranking uses the exact value */
  mean: number;
  rank: number;
  recommended: boolean;
  /** which rule separated this bid from the one ranked just above, when their means are equal */
  tieBrokenBy: 'publicBenefitRatio' | 'receivedAt' | 'bidId' | null;
  flags: OutlierFlag[];
}

export interface ScoringResult {
  /** in lot order of first appearance, then rank */
  bids: BidResult[];
  /** pairs of experts whose scores are identical on every bid and criterion */
  identicalVectors: [string, string][];
}

export class MissingScoresError extends Error {
  constructor(
    readonly bidId: string,
    readonly expertId: string,
    readonly criterionKey: string,
  ) {
    super(`no score from expert ${expertId} for bid ${bidId}, criterion ${criterionKey}`);
    this.name = 'MissingScoresError';
  }
}

function halfPoints(input: ScoringInput, bid: ScoredBid, expertId: string, criterionKey: string): number {
  const score = bid.sheets[expertId]?.scores[criterionKey];
  if (score === undefined || !Number.isFinite(score)) throw new MissingScoresError(bid.bidId, expertId, criterionKey);
  const half = score * 2;
  const max = input.criteria.find((c) => c.key === criterionKey)?.maxScore ?? 0;
  if (!Number.isInteger(half) || score < 0 || score > max) {
    throw new RangeError(`score ${score} for criterion ${criterionKey} is not a multiple of 0.5 within 0..${max}`);
  }
  return half;
}

/** The middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Working {
  bid: ScoredBid;
  totalsHalf: Record<string, number>;
  /** the mean as a fraction: trimmed sum in half points over the number of totals kept */
  trimmedHalf: number;
  kept: number;
}

/** Compares two means without division: a/b vs c/d as a·d vs c·b. */
const compareMeans = (a: Working, b: Working) => b.trimmedHalf * a.kept - a.trimmedHalf * b.kept;

export function computeEvaluation(input: ScoringInput): ScoringResult {
  if (input.panel.length === 0) throw new Error('a panel has members');
  const working: Working[] = input.bids.map((bid) => {
    const totalsHalf: Record<string, number> = {};
    for (const expertId of input.panel) {
      totalsHalf[expertId] = input.criteria.reduce((sum, c) => sum + halfPoints(input, bid, expertId, c.key), 0);
    }
    const sorted = Object.values(totalsHalf).sort((a, b) => a - b);
    const kept = input.panel.length >= TRIM_FROM ? sorted.slice(1, -1) : sorted;
    return { bid, totalsHalf, trimmedHalf: kept.reduce((sum, v) => sum + v, 0), kept: kept.length };
  });

  const lots = [...new Set(input.bids.map((bid) => bid.lot))];
  const bids: BidResult[] = [];
  for (const lot of lots) {
    const ranked = working
      .filter((w) => w.bid.lot === lot)
      .sort(
        (a, b) =>
          compareMeans(a, b) ||
          b.bid.publicBenefitRatio - a.bid.publicBenefitRatio ||
          a.bid.receivedAt.getTime() - b.bid.receivedAt.getTime() ||
          (a.bid.bidId < b.bid.bidId ? -1 : 1),
      );
    const quota = input.quotas[lot] ?? 0;
    ranked.forEach((w, index) => {
      const above = ranked[index - 1];
      let tieBrokenBy: BidResult['tieBrokenBy'] = null;
      if (above && compareMeans(above, w) === 0) {
        if (above.bid.publicBenefitRatio !== w.bid.publicBenefitRatio) tieBrokenBy = 'publicBenefitRatio';
        else if (above.bid.receivedAt.getTime() !== w.bid.receivedAt.getTime()) tieBrokenBy = 'receivedAt';
        else tieBrokenBy = 'bidId';
      }
      const totals = Object.fromEntries(Object.entries(w.totalsHalf).map(([expertId, half]) => [expertId, half / 2]));
      const mid = median(Object.values(totals));
      const flags: OutlierFlag[] = input.panel
        .filter((expertId) => deviatesFromMedian(totals[expertId] as number, mid))
        .map((expertId) => ({
          kind: 'outlier',
          expertId,
          total: totals[expertId] as number,
          median: mid,
          deviation: (totals[expertId] as number) - mid,
          justified: (w.bid.sheets[expertId]?.comment.trim() ?? '') !== '',
        }));
      bids.push({
        bidId: w.bid.bidId,
        lot,
        totals,
        median: mid,
        mean: Math.round((w.trimmedHalf / 2 / w.kept) * 100) / 100,
        rank: index + 1,
        recommended: index < quota,
        tieBrokenBy,
        flags,
      });
    });
  }

  const vector = (expertId: string) =>
    input.bids.flatMap((bid) => input.criteria.map((c) => halfPoints(input, bid, expertId, c.key))).join(',');
  const identicalVectors: [string, string][] = [];
  if (input.bids.length > 0) {
    const vectors = input.panel.map((expertId) => [expertId, vector(expertId)] as const);
    for (const [i, [a, va]] of vectors.entries()) {
      for (const [b, vb] of vectors.slice(i + 1)) if (va === vb) identicalVectors.push([a, b]);
    }
  }
  return { bids, identicalVectors };
}
