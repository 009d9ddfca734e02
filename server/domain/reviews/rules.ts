import { AppError } from '../../errors.ts';
import type { ReviewKind, ReviewResult } from '../partnerships/types.ts';
import {
  CRITERION_KEYS,
  CRITERION_LABELS,
  NEGATIVE_LIST_ITEMS,
  NEGATIVE_LIST_LABELS,
  SCORED_CRITERIA,
  type CriterionKey,
  type CriterionRecord,
  type NegativeListAnswer,
  type NegativeListItem,
  type ScoredCriterion,
} from './types.ts';

// The review's rules in one place (issue 17): when a review may be scheduled, what a valid form
// is, how its points and its result follow. Pure: the service hands in the rows and the figures.

export const REVIEW_RULES = {
  /** a stage review passes, and a re-review or the final review is passed, from this total on */
  passScore: 80,
  /** the longest rectification the agent may give */
  maxRectificationDays: 90,
  /** the re-review is due this long after the rectification's deadline */
  reReviewWithinDays: 30,
} as const;

/** The default form: satisfaction, the core indicator, carries the largest weight. */
export const DEFAULT_WEIGHTS: Record<CriterionKey, number> = { satisfaction: 40, delivery: 20, places: 15, safety: 10, compliance: 15 };

const DAY_MS = 24 * 60 * 60 * 1000;
const round2 = (value: number) => Math.round(value * 100) / 100;

export interface ReviewPeriod {
  from: Date;
  to: Date;
}

export interface ScheduleInput {
  kind: 'stage' | 'final';
  periodFrom: Date;
  periodTo: Date;
  dueAt: Date;
}

export interface ExistingReview {
  kind: ReviewKind;
  periodFrom: Date;
  periodTo: Date;
  completedAt: Date | null;
}

/** Refuses a review that cannot be scheduled on this term beside these reviews. */
export function checkSchedule(input: ScheduleInput, term: { signedAt: Date; endsAt: Date }, existing: readonly ExistingReview[], now: Date): void {
  const { periodFrom, periodTo, dueAt } = input;
  if (!(periodFrom < periodTo)) throw new AppError('REVIEW_PERIOD_INVALID', '考核期间的结束须晚于开始', 'periodTo');
  if (periodFrom < term.signedAt || periodTo > term.endsAt) throw new AppError('REVIEW_PERIOD_OUTSIDE_TERM', '考核期间须在合作期限之内（自协议签署至合作期满）', 'periodFrom');
  if (input.kind === 'final' && periodTo.getTime() !== term.endsAt.getTime()) {
    throw new AppError('FINAL_REVIEW_PERIOD', '终期考核的考核期间须截至合作期满之日', 'periodTo');
  }
  if (dueAt < periodTo) throw new AppError('REVIEW_DUE_BEFORE_PERIOD_END', '考核完成期限不得早于考核期间的结束', 'dueAt');
  if (dueAt <= now) throw new AppError('REVIEW_DUE_IN_PAST', '考核完成期限须晚于当前时间', 'dueAt');
  if (existing.some((review) => review.completedAt === null)) throw new AppError('REVIEW_OPEN', '该合作关系尚有未完成的考核，完成后方可安排新的考核');
  if (input.kind === 'final' && existing.some((review) => review.kind === 'final')) throw new AppError('FINAL_REVIEW_EXISTS', '终期考核已安排');
  // a re-review looks again at the ground of its stage review: only stage and final periods may not overlap
  if (existing.some((review) => review.kind !== 'rectification' && review.periodFrom < periodTo && periodFrom < review.periodTo)) {
    throw new AppError('REVIEW_PERIOD_OVERLAPS', '考核期间与已安排的考核期间重叠', 'periodFrom');
  }
}

/** Months of a period (average month of 365.25/12 days), 2 decimals: what the monthly places are promised over. */
export function monthsOf(period: ReviewPeriod): number {
  return round2((period.to.getTime() - period.from.getTime()) / (DAY_MS * (365.25 / 12)));
}

export interface PromiseVersion {
  recordedAt: Date;
  freePlaces: number;
  discountedPlaces: number;
}

/**
 * The free and discounted places the catalogue promised over the period: each version of each
 * offer, per month, over the months it was in force within the period (from its saving to the
 * next version's), so a promise raised or cut within the period counts for its own months.
 */
export function promisedPlaces(offers: readonly { versions: readonly PromiseVersion[] }[], period: ReviewPeriod) {
  let free = 0;
  let discounted = 0;
  for (const { versions } of offers) {
    versions.forEach((version, index) => {
      const from = Math.max(version.recordedAt.getTime(), period.from.getTime());
      const to = Math.min(versions[index + 1]?.recordedAt.getTime() ?? Number.POSITIVE_INFINITY, period.to.getTime());
      if (from >= to) return;
      const months = monthsOf({ from: new Date(from), to: new Date(to) });
      free += version.freePlaces * months;
      discounted += version.discountedPlaces * months;
    });
  }
  return { free: Math.round(free), discounted: Math.round(discounted) };
}

/** Satisfaction's points: its weight × 满意率; a period without ratings scores 0 (the form says so). */
export function satisfactionPoints(weight: number, figures: { ratings: number; satisfiedShare: number | null }): number {
  return figures.ratings === 0 || figures.satisfiedShare === null ? 0 : round2(weight * figures.satisfiedShare);
}

export interface FormInput {
  weights: Record<CriterionKey, number>;
  /** the agent's points for each scored criterion */
  points: Record<ScoredCriterion, number>;
  /** a third-party assessor's points, all scored criteria, with its name */
  assessor: { name: string; points: Record<ScoredCriterion, number> } | null;
  negativeList: Partial<Record<NegativeListItem, boolean>>;
}

/** Refuses weights that do not sum to 100 or leave satisfaction short of the strictly largest. */
export function checkWeights(weights: Record<CriterionKey, number>): void {
  for (const key of CRITERION_KEYS) {
    const weight = weights[key];
    if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
      throw new AppError('REVIEW_WEIGHT_INVALID', `“${CRITERION_LABELS[key]}”的权重须为 1 至 100 的整数`, `weights.${key}`);
    }
  }
  const sum = CRITERION_KEYS.reduce((total, key) => total + weights[key], 0);
  if (sum !== 100) throw new AppError('REVIEW_WEIGHTS_NOT_100', `各项指标的权重之和须为 100（现为 ${sum}）`, 'weights');
  const largestOther = Math.max(...CRITERION_KEYS.filter((key) => key !== 'satisfaction').map((key) => weights[key]));
  if (weights.satisfaction <= largestOther) {
    throw new AppError('SATISFACTION_NOT_LARGEST', `职工满意度是核心指标，其权重（${weights.satisfaction}）须大于其他任何一项（最大为 ${largestOther}）`, 'weights.satisfaction');
  }
}

function checkPoints(points: Record<ScoredCriterion, number>, weights: Record<CriterionKey, number>, prefix: 'points' | 'assessor.points', who: string): void {
  for (const key of SCORED_CRITERIA) {
    const value = points[key];
    const field = `${prefix}.${key}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || round2(value) !== value) {
      throw new AppError('REVIEW_POINTS_INVALID', `${who}对“${CRITERION_LABELS[key]}”的评分须为不小于 0 的数，最多两位小数`, field);
    }
    if (value > weights[key]) {
      throw new AppError('REVIEW_POINTS_ABOVE_WEIGHT', `${who}对“${CRITERION_LABELS[key]}”的评分（${value}）不得超过其权重 ${weights[key]}`, field);
    }
  }
}

/** Every item of the negative list answered, in the list's order; refused when one is missing. */
export function negativeListAnswers(answers: Partial<Record<NegativeListItem, boolean>>): NegativeListAnswer[] {
  return NEGATIVE_LIST_ITEMS.map((item) => {
    const breached = answers[item];
    if (typeof breached !== 'boolean') {
      throw new AppError('NEGATIVE_LIST_INCOMPLETE', `负面清单每一项都须作答：“${NEGATIVE_LIST_LABELS[item]}”尚未作答`, `negativeList.${item}`);
    }
    return { item, breached };
  });
}

/**
 * The form's criteria with their points. A scored criterion's points are the agent's, or — when a
 * third-party assessor scored too — the mean of the agent's and the assessor's: the agent speaks
 * for a party to the agreement, the assessor is independent, neither alone decides.
 */
export function scoreForm(input: FormInput, satisfaction: { ratings: number; satisfiedShare: number | null }): { criteria: CriterionRecord[]; total: number; negativeList: NegativeListAnswer[] } {
  checkWeights(input.weights);
  checkPoints(input.points, input.weights, 'points', '经办人');
  if (input.assessor) {
    if (input.assessor.name.trim() === '') throw new AppError('ASSESSOR_NAME_REQUIRED', '请填写第三方评估机构的名称', 'assessor.name');
    checkPoints(input.assessor.points, input.weights, 'assessor.points', '第三方评估机构');
  }
  const negativeList = negativeListAnswers(input.negativeList);
  const criteria = CRITERION_KEYS.map((key): CriterionRecord => {
    const weight = input.weights[key];
    if (key === 'satisfaction') return { key, weight, points: satisfactionPoints(weight, satisfaction), agentPoints: null, assessorPoints: null, scoredBy: 'portal' };
    const agentPoints = input.points[key];
    const assessorPoints = input.assessor ? input.assessor.points[key] : null;
    return {
      key,
      weight,
      points: assessorPoints === null ? agentPoints : round2((agentPoints + assessorPoints) / 2),
      agentPoints,
      assessorPoints,
      scoredBy: assessorPoints === null ? 'agent' : 'agentAndAssessor',
    };
  });
  return { criteria, total: round2(criteria.reduce((sum, criterion) => sum + criterion.points, 0)), negativeList };
}

/**
 * The result: a review passes from REVIEW_RULES.passScore with the negative list clean — a
 * breached item never passes. A stage review that does not pass asks for rectification; a
 * re-review or the final review that does not pass fails.
 */
export function resultOf(kind: ReviewKind, total: number, negativeList: readonly NegativeListAnswer[]): ReviewResult {
  const passes = total >= REVIEW_RULES.passScore && negativeList.every((answer) => !answer.breached);
  if (passes) return 'pass';
  return kind === 'stage' ? 'rectify' : 'fail';
}

/** Refuses a rectification deadline missing, past, beyond REVIEW_RULES.maxRectificationDays or the term's end. */
export function checkRectifyBy(rectifyBy: Date | null, now: Date, endsAt: Date): Date {
  if (!rectifyBy) throw new AppError('RECTIFY_BY_REQUIRED', '考核结果为限期整改，请填写整改期限', 'rectifyBy');
  if (rectifyBy <= now) throw new AppError('RECTIFY_BY_INVALID', '整改期限须晚于当前时间', 'rectifyBy');
  if (rectifyBy.getTime() - now.getTime() > REVIEW_RULES.maxRectificationDays * DAY_MS) {
    throw new AppError('RECTIFY_BY_INVALID', `整改期限最长 ${REVIEW_RULES.maxRectificationDays} 天`, 'rectifyBy');
  }
  if (rectifyBy > endsAt) throw new AppError('RECTIFY_BY_INVALID', '整改期限不得晚于合作期满之日', 'rectifyBy');
  return rectifyBy;
}

/** The re-review after a rectification: its period is the rectification's, due some days after. */
export function reReviewOf(completedAt: Date, rectifyBy: Date): { periodFrom: Date; periodTo: Date; dueAt: Date } {
  return { periodFrom: completedAt, periodTo: rectifyBy, dueAt: new Date(rectifyBy.getTime() + REVIEW_RULES.reReviewWithinDays * DAY_MS) };
}

/** The partnership's status a review of this kind is completed in. */
export const STATUS_FOR_REVIEW: Record<ReviewKind, 'active' | 'rectifying'> = { stage: 'active', rectification: 'rectifying', final: 'active' };

/** Whether the term is over with its final review not completed: an outstanding final review. */
export function finalReviewOutstanding(endsAt: Date | null, status: string, finalCompleted: boolean, now: Date): boolean {
  return endsAt !== null && endsAt <= now && (status === 'active' || status === 'rectifying') && !finalCompleted;
}
