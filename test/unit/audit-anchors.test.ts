import { describe, expect, it } from 'vitest';
import { checkAnchor, checkpointHead, lookupsNeeded, type Anchor } from '../../server/domain/audit/anchors.ts';
import { GENESIS_HASH } from '../../server/domain/audit/chain.ts';

const h = (c: string) => c.repeat(64);
const log = { hashAt: new Map([[1, h('a')], [2, h('b')], [3, h('c')]]), seqOf: new Map([[h('a'), 1], [h('b'), 2], [h('c'), 3]]) };
const anchor = (seq: number | null, hash: string): Anchor => ({ source: 'checkpoint_file', label: '检查点', seq, hash });

describe('a chain head recorded elsewhere', () => {
  it.each([
    ['at its seq with its hash', anchor(2, h('b')), true, undefined],
    ['the empty log (seq 0)', anchor(0, GENESIS_HASH), true, undefined],
    ['recorded without seq, found by hash', anchor(null, h('c')), true, undefined],
    ['with another hash at its seq: a rewrite', anchor(2, h('d')), false, /第 2 条记录的链头与操作日志不符（日志被改写）/],
    ['past the end of the log: a truncated tail', anchor(5, h('e')), false, /第 5 条记录已不在操作日志中（日志被截断）/],
    ['recorded without seq, absent from the log', anchor(null, h('f')), false, /不在操作日志中/],
    ['of seq 0 with a hash other than the genesis', anchor(0, h('a')), false, /改写/],
  ])('%s', (_case, recorded, ok, problem) => {
    const checked = checkAnchor(recorded, log);
    expect(checked.ok).toBe(ok);
    if (problem) expect(checked.problem).toMatch(problem);
    else expect(checked.problem).toBeUndefined();
  });

  it('asks the log only for the seqs and hashes it needs', () => {
    expect(lookupsNeeded([anchor(0, GENESIS_HASH), anchor(2, h('b')), anchor(2, h('b')), anchor(null, h('c')), anchor(null, GENESIS_HASH)])).toEqual({
      seqs: [2],
      hashes: [h('c')],
    });
  });
});

describe("a checkpoint's keywords", () => {
  it('carry its seq and head', () => {
    expect(checkpointHead(`kind:audit_checkpoint audit-chain-seq:42 audit-chain-head:${h('a')} template-version:1.0`)).toEqual({ seq: 42, head: h('a') });
  });
  it.each(['kind:audit_checkpoint', `audit-chain-seq:4x2 audit-chain-head:${h('a')}`, 'audit-chain-seq:1 audit-chain-head:abc'])('are refused when incomplete: %s', (keywords) => {
    expect(checkpointHead(keywords)).toBeNull();
  });
});
