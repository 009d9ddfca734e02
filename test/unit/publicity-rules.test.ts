import { describe, expect, it } from 'vitest';
import { awardBlocker, candidatesOf, publicityEndsAt, publicityOpen, redoBlocker } from '../../server/domain/awards/rules.ts';

const at = (iso: string) => new Date(iso);

describe('publicity rules', () => {
  it('publicity ends exactly days × 24 h later, across a month end, and is open until that instant', () => {
    const start = at('2026-01-30T09:15:00.123Z');
    const end = publicityEndsAt(start, 3);
    expect(end.toISOString()).toBe('2026-02-02T09:15:00.123Z');
    expect(publicityOpen(new Date(end.getTime() - 1), end)).toBe(true);
    expect(publicityOpen(end, end)).toBe(false);
  });

  it('the candidates are the recommended, ranked bids, per lot in rank order', () => {
    const bid = (bidId: string, lot: string, rank: number | null, recommended: boolean) => ({
      bidId,
      lot,
      mean: rank === null ? null : 90 - rank,
      rank,
      recommended,
      publicBenefitRatio: 30,
    });
    const chosen = candidatesOf([bid('a3', 'arts', 3, false), bid('s1', 'sports', 1, true), bid('a2', 'arts', 2, true), bid('a1', 'arts', 1, true), bid('x', 'arts', null, false)]);
    expect(chosen.map((c) => c.bidId)).toEqual(['a1', 'a2', 's1']);
    expect(chosen[0]).toEqual({ bidId: 'a1', lot: 'arts', score: 89, rank: 1, publicBenefitRatio: 30 });
  });

  const END = at('2026-03-01T00:00:00Z');
  const AFTER = at('2026-03-01T00:00:01Z');
  const open = { answeredAt: null, upheld: null };
  const rejected = { answeredAt: AFTER, upheld: false };
  const upheld = { answeredAt: AFTER, upheld: true };

  it.each([
    ['publicity still running', at('2026-02-28T23:59:59Z'), [], 'PUBLICITY_NOT_ENDED'],
    ['running, even with an upheld challenge', at('2026-02-28T23:59:59Z'), [upheld], 'PUBLICITY_NOT_ENDED'],
    ['ended, no challenge', END, [], null],
    ['ended, challenges rejected', AFTER, [rejected, rejected], null],
    ['ended, one unanswered', AFTER, [rejected, open], 'CHALLENGES_OPEN'],
    ['ended, one unanswered and one upheld', AFTER, [upheld, open], 'CHALLENGES_OPEN'],
    ['ended, one upheld', AFTER, [rejected, upheld], 'CHALLENGE_UPHELD'],
  ] as const)('award blocker: %s', (_, now, challenges, expected) => {
    expect(awardBlocker(now, END, challenges)).toBe(expected);
  });

  it.each([
    ['no challenge', [], 'NO_UPHELD_CHALLENGE'],
    ['challenges rejected', [rejected, rejected], 'NO_UPHELD_CHALLENGE'],
    ['one unanswered', [open], 'CHALLENGES_OPEN'],
    ['one upheld, one unanswered', [upheld, open], 'CHALLENGES_OPEN'],
    ['one upheld', [upheld], null],
    ['one upheld, one rejected', [rejected, upheld], null],
  ] as const)('redo blocker: %s', (_, challenges, expected) => {
    expect(redoBlocker(challenges)).toBe(expected);
  });
});
