import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  drawOfPosition,
  drawPanel,
  drawSequence,
  eligibleCandidates,
  isValidPanelSize,
  panelChangesIn,
  panelSequence,
  replacementFor,
  supplementaryCandidates,
  vacantSeats,
  type MemberRecord,
  type PoolExpert,
} from '../../server/domain/evaluation/draw.ts';

const SEED = 'a3'.repeat(32);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

const expert = (id: string, over: Partial<PoolExpert> = {}): PoolExpert => ({ id, specialties: ['文艺演出'], affiliationUscc: null, active: true, ...over });

describe('eligibleCandidates', () => {
  it('keeps active experts of a requested specialty, never one affiliated with a bidder, ordered by id', () => {
    const pool = [
      expert('c', { specialties: ['体育'] }),
      expert('a'),
      expert('e', { active: false }),
      expert('b', { affiliationUscc: '52330100000010001X' }),
      expert('d', { specialties: ['体育', '文艺演出'], affiliationUscc: '91330100000000000A' }),
    ];
    expect(eligibleCandidates(pool, { specialties: [], bidderUscc: ['52330100000010001X'] })).toEqual(['a', 'c', 'd']);
    expect(eligibleCandidates(pool, { specialties: ['文艺演出'], bidderUscc: [] })).toEqual(['a', 'b', 'd']);
    expect(eligibleCandidates(pool, { specialties: ['体育'], bidderUscc: ['91330100000000000A'] })).toEqual(['c']);
  });
});

describe('isValidPanelSize', () => {
  it.each([
    [5, true],
    [7, true],
    [3, false],
    [4, false],
    [6, false],
    [5.5, false],
  ])('%s → %s', (size, ok) => expect(isValidPanelSize(size)).toBe(ok));
});

describe('drawSequence', () => {
  it('orders every candidate once, the same way for the same seed and differently for another', () => {
    const candidates = ids(11);
    const sequence = drawSequence(SEED, candidates);
    expect([...sequence].sort()).toEqual(candidates);
    expect(drawSequence(SEED, candidates)).toEqual(sequence);
    expect(drawSequence('5c'.repeat(32), candidates)).not.toEqual(sequence);
  });

  it('follows the documented procedure step by step', () => {
    // an independent rendering of the README procedure: HMAC(seed, "k"), 48 bits, rejection
    const candidates = ids(7);
    const remaining = [...candidates];
    const expected: string[] = [];
    let k = 0;
    while (remaining.length > 0) {
      const n = remaining.length;
      let index: number | undefined;
      while (index === undefined) {
        const u = createHmac('sha256', Buffer.from(SEED, 'hex')).update(`${k++}`).digest().readUIntBE(0, 6);
        if (u < n * Math.floor(2 ** 48 / n)) index = u % n;
      }
      expected.push(remaining.splice(index, 1)[0]!);
    }
    expect(drawSequence(SEED, candidates)).toEqual(expected);
  });

  it('refuses a seed that is not 32 bytes of hex', () => {
    expect(() => drawSequence('abc', ids(5))).toThrow();
  });
});

describe('drawPanel and replacementFor', () => {
  it('seats the first `size` of the sequence, the first as chair; a recusal is replaced by the next in the sequence', () => {
    const candidates = ids(9);
    const sequence = drawSequence(SEED, candidates);
    const panel = drawPanel(SEED, candidates, 5);
    expect(panel).toEqual(sequence.slice(0, 5).map((userId, i) => ({ userId, order: i + 1, position: i + 1 })));
    expect(replacementFor(sequence, 5, 1)).toEqual({ userId: sequence[5], order: 1, position: 6 });
    expect(replacementFor(sequence, 6, 3)).toEqual({ userId: sequence[6], order: 3, position: 7 });
    expect(replacementFor(sequence, 9, 2)).toBeNull();
  });

  it('refuses an even or small panel, or more seats than candidates', () => {
    expect(() => drawPanel(SEED, ids(9), 4)).toThrow();
    expect(() => drawPanel(SEED, ids(4), 5)).toThrow();
  });
});

describe('the supplementary draw (step 6)', () => {
  it('draws over the eligible experts never drawn, and its sequence continues the panel’s', () => {
    const first = ids(6);
    const later = ids(9);
    const candidates = supplementaryCandidates(later, first);
    expect(candidates).toEqual(later.slice(6));
    const OTHER = '5c'.repeat(32);
    const sequence = panelSequence([
      { seed: SEED, candidates: first },
      { seed: OTHER, candidates },
    ]);
    expect(sequence).toEqual([...drawSequence(SEED, first), ...drawSequence(OTHER, candidates)]);
    expect(replacementFor(sequence, 6, 3)).toEqual({ userId: drawSequence(OTHER, candidates)[0], order: 3, position: 7 });
    expect(replacementFor(sequence, 9, 1)).toBeNull();
  });

  it('finds the seats no member holds, a recused member holding none', () => {
    const members = [
      { seat: 1, status: 'serving' },
      { seat: 2, status: 'recused' },
      { seat: 3, status: 'pending' },
      { seat: 4, status: 'recused' },
      { seat: 4, status: 'serving' },
    ];
    expect(vacantSeats(5, members)).toEqual([2, 5]);
    expect(vacantSeats(3, members.slice(2).concat({ seat: 1, status: 'pending' }, { seat: 2, status: 'serving' }))).toEqual([]);
  });
});

describe('drawOfPosition', () => {
  it('names the draw that put each sequence position there', () => {
    const draws = [
      { seed: SEED, candidates: ids(5) },
      { seed: SEED, candidates: ids(2) },
      { seed: SEED, candidates: ids(1) },
    ];
    expect([1, 5, 6, 7, 8].map((position) => drawOfPosition(draws, position))).toEqual([0, 0, 1, 1, 2]);
    expect(() => drawOfPosition(draws, 9)).toThrow();
  });
});

describe('panelChangesIn', () => {
  const member = (userId: string, position: number, seat: number, over: Partial<MemberRecord> = {}): MemberRecord => ({
    userId,
    position,
    seat,
    status: 'serving',
    fromRound: 1,
    untilRound: null,
    replacedReason: null,
    declarationNote: null,
    ...over,
  });
  const draws = [
    { seed: SEED, candidates: ids(7) },
    { seed: SEED, candidates: ids(2) },
  ];
  // seat 2's first expert recused in round 1 (position 6 took it); the redo to round 2 replaced
  // seat 3 (position 7 took it); in round 2 the agent replaced seat 4, whose expert could not
  // serve, with the sequence exhausted, and the supplementary draw's first expert (position 8) took it
  const members = [
    member('a', 1, 1),
    member('b', 2, 2, { status: 'recused', declarationNote: '理事' }),
    member('c', 3, 3, { status: 'recused', untilRound: 1, replacedReason: '质疑成立' }),
    member('d', 4, 4, { status: 'recused', untilRound: 1, replacedReason: '因病' }),
    member('e', 5, 5),
    member('f', 6, 2),
    member('g', 7, 3, { fromRound: 2 }),
    member('h', 8, 4, { fromRound: 2 }),
  ];

  it('tells each round the recusals, replacements and seats taken in it, in sequence order', () => {
    expect(panelChangesIn(1, members, draws, 5)).toEqual([
      { kind: 'recused', userId: 'b', seat: 2, note: '理事' },
      { kind: 'seated', userId: 'f', seat: 2, drawNumber: 0 },
    ]);
    expect(panelChangesIn(2, members, draws, 5)).toEqual([
      { kind: 'replaced', userId: 'c', seat: 3, reason: '质疑成立' },
      { kind: 'replaced', userId: 'd', seat: 4, reason: '因病' },
      { kind: 'seated', userId: 'g', seat: 3, drawNumber: 0 },
      { kind: 'seated', userId: 'h', seat: 4, drawNumber: 1 },
    ]);
    expect(panelChangesIn(3, members, draws, 5)).toEqual([]);
  });

  it('places a member replaced before it sat in any round in its first round', () => {
    const drawnLate = member('g', 7, 3, { fromRound: 2, status: 'recused', replacedReason: '账号停用' });
    expect(panelChangesIn(2, [drawnLate], draws, 5)).toEqual([
      { kind: 'seated', userId: 'g', seat: 3, drawNumber: 0 },
      { kind: 'replaced', userId: 'g', seat: 3, reason: '账号停用' },
    ]);
  });
});
