import { describe, expect, it } from 'vitest';
import {
  checkAmendment,
  checkPublication,
  checkTerms,
  DAY_MS,
  DEFAULT_ELIGIBILITY,
  type RecruitmentTerms,
} from '../../server/domain/recruitments/rules.ts';

const NOW = new Date('2026-11-22T02:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS);

function terms(overrides: Partial<RecruitmentTerms> = {}): RecruitmentTerms {
  return {
    lots: [{ key: 'arts', name: '文艺演出', quota: 3, description: '' }],
    eligibility: DEFAULT_ELIGIBILITY,
    criteria: [
      { key: 'a', name: 'A', maxScore: 40, description: '' },
      { key: 'b', name: 'B', maxScore: 35.5, description: '' },
      { key: 'c', name: 'C', maxScore: 24.5, description: '' },
    ],
    minPublicBenefitRatio: 20,
    agreementTermMonths: 60,
    questionsDeadline: days(20),
    submissionDeadline: days(30),
    publicityDays: 3,
    ...overrides,
  };
}

const codes = (violations: { code: string }[]) => violations.map((v) => v.code);

describe('recruitment terms', () => {
  it('accepts terms at every limit', () => {
    expect(checkTerms(terms())).toEqual([]);
  });

  it('has six default eligibility conditions', () => {
    expect(DEFAULT_ELIGIBILITY).toHaveLength(6);
    expect(new Set(DEFAULT_ELIGIBILITY.map((c) => c.key)).size).toBe(6);
  });

  it.each([
    ['CRITERIA_SUM_NOT_100', { criteria: [{ key: 'a', name: 'A', maxScore: 99.5, description: '' }] }],
    ['CRITERIA_SUM_NOT_100', { criteria: [{ key: 'a', name: 'A', maxScore: 100.5, description: '' }] }],
    ['INVALID_MAX_SCORE', { criteria: [{ key: 'a', name: 'A', maxScore: 33.3, description: '' }, { key: 'b', name: 'B', maxScore: 66.7, description: '' }] }],
    ['AGREEMENT_TERM_TOO_LONG', { agreementTermMonths: 61 }],
    ['PUBLICITY_TOO_SHORT', { publicityDays: 2 }],
    ['QUESTIONS_DEADLINE_AFTER_SUBMISSION', { questionsDeadline: days(31) }],
    ['DUPLICATE_KEY', { eligibility: [{ key: 'x', text: 'a' }, { key: 'x', text: 'b' }] }],
  ] as const)('refuses %s', (code, overrides) => {
    expect(codes(checkTerms(terms(overrides as Partial<RecruitmentTerms>)))).toEqual([code]);
  });
});

describe('publication', () => {
  const draft = { decisionRef: '党委会 2026-12', submissionDeadline: days(20), questionsDeadline: days(10) };

  it('accepts a deadline exactly MIN_TENDER_DAYS away', () => {
    expect(checkPublication(draft, NOW, 20)).toEqual([]);
  });

  it('refuses a deadline 1 ms short of MIN_TENDER_DAYS', () => {
    const short = { ...draft, submissionDeadline: new Date(days(20).getTime() - 1) };
    expect(codes(checkPublication(short, NOW, 20))).toEqual(['DEADLINE_TOO_SOON']);
  });

  it('refuses without a collective decision, or with the question deadline passed', () => {
    expect(codes(checkPublication({ ...draft, decisionRef: '  ' }, NOW, 20))).toEqual(['DECISION_REF_REQUIRED']);
    expect(codes(checkPublication({ ...draft, decisionRef: null }, NOW, 20))).toEqual(['DECISION_REF_REQUIRED']);
    expect(codes(checkPublication({ ...draft, questionsDeadline: NOW }, NOW, 20))).toEqual(['QUESTIONS_DEADLINE_PASSED']);
  });
});

describe('amendments (15-day rule)', () => {
  const published = days(-10);
  // questions closing a minute from now keep out of the way of deadlines brought forward
  const current = { submissionDeadline: days(20), questionsDeadline: new Date(NOW.getTime() + 60_000), publishedAt: published };
  type Amendment = { affectsPreparation: boolean; submissionDeadline: Date | null; questionsDeadline: Date | null };
  const amendment: Amendment = { affectsPreparation: true, submissionDeadline: null, questionsDeadline: null };
  const MIN_TENDER_DAYS = 20;
  const check = (a: Partial<Amendment>, c: Partial<typeof current> = {}) =>
    checkAmendment({ ...amendment, ...a }, { ...current, ...c }, NOW, MIN_TENDER_DAYS);

  it('allows any amendment with 15 or more days left', () => {
    expect(check({}, { submissionDeadline: days(15) })).toEqual([]);
  });

  it('refuses an amendment that affects preparation with under 15 days left', () => {
    expect(codes(check({}, { submissionDeadline: new Date(days(15).getTime() - 1) }))).toEqual(['DEADLINE_TOO_CLOSE']);
  });

  it('accepts it when the deadline moves to at least 15 days after the amendment', () => {
    const close = { submissionDeadline: days(5), publishedAt: days(-30) };
    expect(check({ submissionDeadline: days(15) }, close)).toEqual([]);
    expect(codes(check({ submissionDeadline: days(14) }, close))).toEqual(['DEADLINE_TOO_CLOSE']);
  });

  it('lets a clarification that changes nothing to prepare through', () => {
    expect(check({ affectsPreparation: false }, { submissionDeadline: days(2), questionsDeadline: days(1) })).toEqual([]);
  });

  it('never lets a deadline change land under 15 days away, whatever affectsPreparation says', () => {
    const twoMinutes = new Date(NOW.getTime() + 2 * 60_000);
    expect(codes(check({ affectsPreparation: false, submissionDeadline: twoMinutes }, { publishedAt: days(-30) }))).toEqual(['DEADLINE_TOO_CLOSE']);
    expect(codes(check({ affectsPreparation: false, submissionDeadline: new Date(days(15).getTime() - 1) }, { publishedAt: days(-30) }))).toEqual([
      'DEADLINE_TOO_CLOSE',
    ]);
    expect(check({ affectsPreparation: false, submissionDeadline: days(15) }, { publishedAt: days(-30) })).toEqual([]);
  });

  it('never brings the deadline earlier than publication + MIN_TENDER_DAYS', () => {
    // published 10 days ago: the earliest deadline is 10 days from now, then the 15-day rule too
    const earliest = new Date(published.getTime() + MIN_TENDER_DAYS * DAY_MS);
    expect(codes(check({ affectsPreparation: false, submissionDeadline: new Date(earliest.getTime() - 1) }))).toEqual([
      'DEADLINE_BEFORE_MINIMUM',
      'DEADLINE_TOO_CLOSE',
    ]);
    // published 2 days ago, deadline brought to 17 days from now: 15-day rule kept, minimum not
    const recent = { publishedAt: days(-2), submissionDeadline: days(30) };
    expect(codes(check({ affectsPreparation: false, submissionDeadline: days(17) }, recent))).toEqual(['DEADLINE_BEFORE_MINIMUM']);
    expect(check({ affectsPreparation: false, submissionDeadline: days(18) }, recent)).toEqual([]);
  });

  it('treats a deadline given again unchanged as no deadline change', () => {
    expect(check({ affectsPreparation: false, submissionDeadline: days(2) }, { submissionDeadline: days(2), questionsDeadline: days(1) })).toEqual([]);
  });

  it('refuses a deadline in the past and a questions deadline after the submission deadline', () => {
    expect(codes(check({ affectsPreparation: false, submissionDeadline: days(-1) }))).toContain('DEADLINE_IN_PAST');
    expect(codes(check({ questionsDeadline: days(25) }))).toEqual(['QUESTIONS_DEADLINE_AFTER_SUBMISSION']);
  });
});
