import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.ts';
import {
  checkRectifyBy,
  checkSchedule,
  checkWeights,
  DEFAULT_WEIGHTS,
  finalReviewOutstanding,
  monthsOf,
  promisedPlaces,
  reReviewOf,
  resultOf,
  satisfactionPoints,
  scoreForm,
  type FormInput,
} from '../../server/domain/reviews/rules.ts';
import type { NegativeListAnswer } from '../../server/domain/reviews/types.ts';

// The review's rules (issue 17): scheduling, the form's weights and points, satisfaction's
// points from the 满意率, the result, the rectification's deadline and the outstanding final review.

const DAY = 24 * 60 * 60 * 1000;
const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY);
const code = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return null;
};

const clean = ['sublet', 'subcontract', 'documents', 'profit', 'overcharge'].map((item) => ({ item, breached: false })) as NegativeListAnswer[];
const form = (overrides: Partial<FormInput> = {}): FormInput => ({
  weights: { ...DEFAULT_WEIGHTS },
  points: { delivery: 18, places: 12, safety: 9, compliance: 14 },
  assessor: null,
  negativeList: { sublet: false, subcontract: false, documents: false, profit: false, overcharge: false },
  ...overrides,
});

describe('scheduling', () => {
  const term = { signedAt: at(0), endsAt: at(1095) };
  const stage = { kind: 'stage' as const, periodFrom: at(0), periodTo: at(365), dueAt: at(395) };

  it('accepts a stage review within the term', () => {
    expect(code(() => checkSchedule(stage, term, [], at(10)))).toBeNull();
  });

  it.each([
    ['an empty period', { periodTo: at(0) }, [], 'REVIEW_PERIOD_INVALID'],
    ['a period before signing', { periodFrom: at(-1) }, [], 'REVIEW_PERIOD_OUTSIDE_TERM'],
    ['a period past the term', { periodTo: at(1096), dueAt: at(1100) }, [], 'REVIEW_PERIOD_OUTSIDE_TERM'],
    ['a due date before the period ends', { dueAt: at(300) }, [], 'REVIEW_DUE_BEFORE_PERIOD_END'],
    ['an open review', {}, [{ kind: 'stage', periodFrom: at(400), periodTo: at(700), completedAt: null }], 'REVIEW_OPEN'],
    ['an overlapping period', {}, [{ kind: 'stage', periodFrom: at(300), periodTo: at(600), completedAt: at(610) }], 'REVIEW_PERIOD_OVERLAPS'],
  ] as const)('refuses %s', (_name, overrides, existing, expected) => {
    expect(code(() => checkSchedule({ ...stage, ...overrides }, term, existing, at(10)))).toBe(expected);
  });

  it('lets a stage period follow a rectification re-review over the same days', () => {
    const existing = [{ kind: 'rectification' as const, periodFrom: at(365), periodTo: at(420), completedAt: at(430) }];
    expect(code(() => checkSchedule({ ...stage, periodFrom: at(365), periodTo: at(730), dueAt: at(760) }, term, existing, at(430)))).toBeNull();
  });

  it('a final review covers up to the term’s end, once', () => {
    const final = { kind: 'final' as const, periodFrom: at(730), periodTo: at(1095), dueAt: at(1125) };
    expect(code(() => checkSchedule(final, term, [], at(740)))).toBeNull();
    expect(code(() => checkSchedule({ ...final, periodTo: at(1000) }, term, [], at(740)))).toBe('FINAL_REVIEW_PERIOD');
    expect(code(() => checkSchedule(final, term, [{ kind: 'final', periodFrom: at(730), periodTo: at(1095), completedAt: at(1100) }], at(740)))).toBe('FINAL_REVIEW_EXISTS');
  });
});

describe('the form', () => {
  it('refuses weights not summing to 100, and satisfaction not strictly the largest', () => {
    expect(code(() => checkWeights({ ...DEFAULT_WEIGHTS, safety: 11 }))).toBe('REVIEW_WEIGHTS_NOT_100');
    expect(code(() => checkWeights({ satisfaction: 30, delivery: 30, places: 15, safety: 10, compliance: 15 }))).toBe('SATISFACTION_NOT_LARGEST');
    expect(code(() => checkWeights({ satisfaction: 31, delivery: 29, places: 15, safety: 10, compliance: 15 }))).toBeNull();
    expect(code(() => checkWeights({ ...DEFAULT_WEIGHTS, safety: 0, compliance: 25 }))).toBe('REVIEW_WEIGHT_INVALID');
  });

  it('satisfaction scores its weight × 满意率, and 0 without ratings', () => {
    expect(satisfactionPoints(40, { ratings: 50, satisfiedShare: 0.87 })).toBe(34.8);
    expect(satisfactionPoints(40, { ratings: 0, satisfiedShare: null })).toBe(0);
  });

  it('adds the points; with an assessor, each scored criterion is the mean of both', () => {
    const scored = scoreForm(form(), { ratings: 10, satisfiedShare: 0.9 });
    expect(scored.total).toBe(36 + 18 + 12 + 9 + 14);
    const both = scoreForm(form({ assessor: { name: '评估中心', points: { delivery: 15, places: 12, safety: 10, compliance: 14 } } }), { ratings: 10, satisfiedShare: 0.9 });
    expect(both.criteria.find((c) => c.key === 'delivery')).toMatchObject({ points: 16.5, agentPoints: 18, assessorPoints: 15, scoredBy: 'agentAndAssessor' });
    expect(both.criteria.find((c) => c.key === 'satisfaction')).toMatchObject({ points: 36, scoredBy: 'portal' });
  });

  it.each([
    ['a score above its weight', form({ points: { delivery: 21, places: 12, safety: 9, compliance: 14 } }), 'REVIEW_POINTS_ABOVE_WEIGHT'],
    ['a missing score', form({ points: { delivery: Number.NaN, places: 12, safety: 9, compliance: 14 } }), 'REVIEW_POINTS_INVALID'],
    ['an assessor without a name', form({ assessor: { name: ' ', points: { delivery: 15, places: 12, safety: 9, compliance: 14 } } }), 'ASSESSOR_NAME_REQUIRED'],
    ['an unanswered negative-list item', form({ negativeList: { sublet: false, subcontract: false, documents: false, profit: false } }), 'NEGATIVE_LIST_INCOMPLETE'],
  ])('refuses %s', (_name, input, expected) => {
    expect(code(() => scoreForm(input, { ratings: 10, satisfiedShare: 0.9 }))).toBe(expected);
  });
});

describe('the result', () => {
  const breached = clean.map((answer) => (answer.item === 'subcontract' ? { ...answer, breached: true } : answer));

  it('passes from 80 with a clean negative list; a breached item never passes', () => {
    expect(resultOf('stage', 80, clean)).toBe('pass');
    expect(resultOf('stage', 79.99, clean)).toBe('rectify');
    expect(resultOf('stage', 100, breached)).toBe('rectify');
    expect(resultOf('rectification', 100, breached)).toBe('fail');
    expect(resultOf('rectification', 85, clean)).toBe('pass');
    expect(resultOf('final', 70, clean)).toBe('fail');
  });

  it('a rectification deadline is required, in the future, at most 90 days and within the term', () => {
    expect(code(() => checkRectifyBy(null, at(0), at(1000)))).toBe('RECTIFY_BY_REQUIRED');
    expect(code(() => checkRectifyBy(at(0), at(0), at(1000)))).toBe('RECTIFY_BY_INVALID');
    expect(code(() => checkRectifyBy(at(91), at(0), at(1000)))).toBe('RECTIFY_BY_INVALID');
    expect(code(() => checkRectifyBy(at(60), at(0), at(50)))).toBe('RECTIFY_BY_INVALID');
    expect(checkRectifyBy(at(90), at(0), at(1000))).toEqual(at(90));
    expect(reReviewOf(at(0), at(90))).toEqual({ periodFrom: at(0), periodTo: at(90), dueAt: at(120) });
  });
});

describe('figures and the term’s end', () => {
  it('promises each catalogue version’s monthly places over the months it was in force within the period', () => {
    expect(monthsOf({ from: at(0), to: at(365.25) })).toBe(12);
    const period = { from: at(0), to: at(365.25) };
    const unchanged = { versions: [{ recordedAt: at(-10), freePlaces: 10, discountedPlaces: 5 }] };
    // published a quarter into the period, cut halfway through
    const changed = { versions: [{ recordedAt: at(365.25 / 4), freePlaces: 4, discountedPlaces: 0 }, { recordedAt: at(365.25 / 2), freePlaces: 2, discountedPlaces: 2 }] };
    expect(promisedPlaces([unchanged], period)).toEqual({ free: 120, discounted: 60 });
    expect(promisedPlaces([unchanged, changed], period)).toEqual({ free: 120 + 12 + 12, discounted: 60 + 12 });
    expect(promisedPlaces([{ versions: [{ recordedAt: at(400), freePlaces: 9, discountedPlaces: 9 }] }], period)).toEqual({ free: 0, discounted: 0 });
  });

  it('an ended term without its completed final review is outstanding', () => {
    expect(finalReviewOutstanding(at(100), 'active', false, at(101))).toBe(true);
    expect(finalReviewOutstanding(at(100), 'rectifying', false, at(101))).toBe(true);
    expect(finalReviewOutstanding(at(100), 'active', true, at(101))).toBe(false);
    expect(finalReviewOutstanding(at(100), 'active', false, at(99))).toBe(false);
    expect(finalReviewOutstanding(at(100), 'ended', false, at(101))).toBe(false);
  });
});
