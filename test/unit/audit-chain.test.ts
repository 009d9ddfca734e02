import { describe, expect, it } from 'vitest';
import { checkChain, entryHash, GENESIS_HASH, startOfChain, type ChainedEntry } from '../../server/domain/audit/chain.ts';

function buildChain(length: number): ChainedEntry[] {
  const entries: ChainedEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const content = {
      seq,
      at: new Date(Date.UTC(2026, 10, 22, 8, 0, seq)),
      actorId: seq % 2 ? '6f1c2b58-1f6e-4e0e-9c1a-6f0e2a9b1c01' : null,
      actorRole: seq % 2 ? 'agent' : null,
      action: seq % 2 ? 'auth.login' : 'auth.login_failed',
      target: `user:${seq}`,
      recruitmentId: null,
      ip: '127.0.0.1',
      details: { email: `u${seq}@example.org`, nested: { b: 2, a: [1, 'x'] } },
    };
    const hash = entryHash(content, prevHash);
    entries.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

describe('audit hash chain', () => {
  it('verifies an untouched chain and reports its head', () => {
    const chain = buildChain(5);
    expect(checkChain(chain)).toEqual({ ok: true, entries: 5, head: chain[4]!.hash });
  });

  it('verifies an empty chain with the genesis head', () => {
    expect(checkChain([])).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it('does not depend on the order of keys in details (canonical serialisation)', () => {
    const [entry] = buildChain(1);
    const reordered = { ...entry!, details: { nested: { a: [1, 'x'], b: 2 }, email: 'u1@example.org' } };
    expect(entryHash(reordered, GENESIS_HASH)).toBe(entry!.hash);
  });

  it('continues across pages from the previous state', () => {
    const chain = buildChain(6);
    const firstPage = checkChain(chain.slice(0, 3));
    expect(checkChain(chain.slice(3), firstPage)).toEqual(checkChain(chain));
  });

  const tamperings: [string, (entry: ChainedEntry) => ChainedEntry][] = [
    ['action', (e) => ({ ...e, action: 'auth.logout' })],
    ['time', (e) => ({ ...e, at: new Date(e.at.getTime() + 1) })],
    ['actor', (e) => ({ ...e, actorId: null })],
    ['details', (e) => ({ ...e, details: { ...e.details, email: 'other@example.org' } })],
    ['ip', (e) => ({ ...e, ip: '10.0.0.1' })],
    ['target', (e) => ({ ...e, target: null })],
  ];
  it.each(tamperings)('detects a changed %s at the entry that was changed', (_field, tamper) => {
    const chain = buildChain(5);
    chain[2] = tamper(chain[2]!);
    expect(checkChain(chain)).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash', entries: 2 });
  });

  it('detects an entry rewritten with a recomputed hash at the next link', () => {
    const chain = buildChain(5);
    const forged = { ...chain[2]!, action: 'forged' };
    chain[2] = { ...forged, hash: entryHash(forged, forged.prevHash) };
    expect(checkChain(chain)).toMatchObject({ ok: false, brokenAt: 4, reason: 'link' });
  });

  it('detects a deleted entry', () => {
    const chain = buildChain(5);
    chain.splice(1, 1);
    expect(checkChain(chain)).toMatchObject({ ok: false, brokenAt: 3, reason: 'sequence' });
  });

  it('detects swapped entries', () => {
    const chain = buildChain(4);
    [chain[1], chain[2]] = [chain[2]!, chain[1]!];
    expect(checkChain(chain)).toMatchObject({ ok: false, brokenAt: 3, reason: 'sequence' });
  });

  it('starts from the genesis hash', () => {
    const chain = buildChain(2);
    chain[0] = { ...chain[0]!, prevHash: 'f'.repeat(64) };
    expect(checkChain(chain)).toMatchObject({ ok: false, brokenAt: 1, reason: 'link' });
    expect(startOfChain().head).toBe(GENESIS_HASH);
  });
});
