import { describe, expect, it } from 'vitest';
import { failedRectification, type ReviewOutcome } from '../../server/domain/partnerships/rules.ts';
import { recordConditionKey } from '../../server/domain/records/records.ts';
import { DEFAULT_ELIGIBILITY } from '../../server/domain/recruitments/rules.ts';

// The pure rules of termination (issue 17): which review a termination rests on, and the
// eligibility condition the centre's record is read beside.

const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const review = (kind: ReviewOutcome['kind'], result: ReviewOutcome['result'], day: number | null): ReviewOutcome => ({
  kind,
  result,
  completedAt: day === null ? null : at(day),
});

describe('failedRectification', () => {
  it.each([
    ['no review', [], false],
    ['a stage review asking for rectification', [review('stage', 'rectify', 1)], false],
    ['a failed stage review', [review('stage', 'fail', 1)], false],
    ['a failed rectification review', [review('stage', 'rectify', 1), review('rectification', 'fail', 5)], true],
    ['a passed rectification review', [review('stage', 'rectify', 1), review('rectification', 'pass', 5)], false],
    ['a failed rectification, then a scheduled review', [review('stage', 'rectify', 1), review('rectification', 'fail', 5), review('stage', null, null)], true],
    ['a failed rectification passed by a later one', [review('rectification', 'fail', 5), review('rectification', 'pass', 9)], false],
    ['a failed rectification listed before an earlier review', [review('rectification', 'fail', 5), review('stage', 'rectify', 1)], true],
  ] as const)('%s → %s', (_, reviews, terminable) => {
    expect(failedRectification(reviews) !== null).toBe(terminable);
  });
});

describe('recordConditionKey', () => {
  it('is the condition keyed record, or else the sixth condition, or none', () => {
    expect(recordConditionKey(DEFAULT_ELIGIBILITY)).toBe('record');
    const renamed = DEFAULT_ELIGIBILITY.map((condition, index) => ({ ...condition, key: `c${index + 1}` }));
    expect(recordConditionKey(renamed)).toBe('c6');
    expect(recordConditionKey(renamed.slice(0, 2))).toBeNull();
  });
});
