import { describe, expect, it } from 'vitest';
import { nextDeadline, signOffsWaiting, type DeskFacts } from '../../server/domain/inspection/desk-rules.ts';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-03-10T00:00:00Z');

const facts = (overrides: Partial<DeskFacts>): DeskFacts => ({
  status: 'published',
  suspendedFrom: null,
  questionsDeadline: at('2026-03-20T00:00:00Z'),
  submissionDeadline: at('2026-03-30T00:00:00Z'),
  cancelCountersigned: false,
  opening: null,
  unansweredObjections: 0,
  panelSize: null,
  confirmedMembers: 0,
  evaluationSignedOff: false,
  publicityEndsAt: null,
  challenges: { unanswered: 0, upheld: 0 },
  awardSignedOff: false,
  ...overrides,
});

describe('the sign-offs a recruitment waits for', () => {
  const opened = { opened: true, signedOff: false };
  const ended = at('2026-03-09T00:00:00Z');
  it.each<[string, Partial<DeskFacts>, string[]]>([
    ['published', {}, []],
    ['opening not yet opened', { status: 'opening', opening: { opened: false, signedOff: false } }, []],
    ['opening opened', { status: 'opening', opening: opened }, ['opening']],
    ['opening opened, an objection unanswered', { status: 'opening', opening: opened, unansweredObjections: 1 }, []],
    ['opening suspended', { status: 'suspended', suspendedFrom: 'opening', opening: opened }, []],
    ['evaluation, panel not drawn', { status: 'evaluation' }, []],
    ['evaluation, 4 of 5 confirmed', { status: 'evaluation', panelSize: 5, confirmedMembers: 4 }, []],
    ['evaluation, all confirmed', { status: 'evaluation', panelSize: 5, confirmedMembers: 5 }, ['evaluation']],
    ['evaluation, signed off', { status: 'evaluation', panelSize: 5, confirmedMembers: 5, evaluationSignedOff: true }, []],
    ['publicity running', { status: 'publicity', publicityEndsAt: at('2026-03-11T00:00:00Z') }, []],
    ['publicity ended', { status: 'publicity', publicityEndsAt: ended }, ['award']],
    ['publicity ended, a challenge unanswered', { status: 'publicity', publicityEndsAt: ended, challenges: { unanswered: 1, upheld: 0 } }, []],
    ['publicity ended, a challenge upheld', { status: 'publicity', publicityEndsAt: ended, challenges: { unanswered: 0, upheld: 1 } }, []],
    ['publicity ended, award signed off', { status: 'publicity', publicityEndsAt: ended, awardSignedOff: true }, []],
    ['cancelled', { status: 'cancelled' }, ['cancellation']],
    ['cancelled, countersigned', { status: 'cancelled', cancelCountersigned: true }, []],
    ['awarded', { status: 'awarded', awardSignedOff: true }, []],
  ])('%s', (_case, overrides, expected) => {
    expect(signOffsWaiting(facts(overrides), NOW)).toEqual(expected);
  });
});

describe('the next deadline', () => {
  it.each<[string, Partial<DeskFacts>, string | null]>([
    ['before the questions deadline', {}, 'questions'],
    ['after it', { questionsDeadline: at('2026-03-01T00:00:00Z') }, 'submission'],
    ['after the submission deadline, the opening due', { questionsDeadline: at('2026-03-01T00:00:00Z'), submissionDeadline: at('2026-03-05T00:00:00Z') }, 'submission'],
    ['suspended while published', { status: 'suspended', suspendedFrom: 'published' }, 'questions'],
    ['opening', { status: 'opening' }, null],
    ['evaluation', { status: 'evaluation' }, null],
    ['publicity', { status: 'publicity', publicityEndsAt: at('2026-03-11T00:00:00Z') }, 'publicity'],
    ['awarded', { status: 'awarded' }, null],
    ['draft', { status: 'draft' }, null],
  ])('%s', (_case, overrides, kind) => {
    expect(nextDeadline(facts(overrides), NOW)?.kind ?? null).toBe(kind);
  });
});
