import { describe, expect, it } from 'vitest';
import { createGroupCommit, type Settled } from '../../server/lib/group-commit.ts';

const ok = <T>(value: T): Settled<T> => ({ ok: true, value });

describe('group commit', () => {
  it('writes alone when nothing waits, then takes everyone who came meanwhile in one batch', async () => {
    const batches: number[][] = [];
    const submit = createGroupCommit(async (items: readonly number[]) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item) => ok(item * 10));
    }, 100);
    const results = await Promise.all([1, 2, 3, 4].map(submit));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never puts more than the maximum in one batch', async () => {
    const sizes: number[] = [];
    const submit = createGroupCommit(async (items: readonly number[]) => {
      sizes.push(items.length);
      return items.map(ok);
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => submit(i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });

  it('gives each item its own outcome: one refusal fails that caller only', async () => {
    const submit = createGroupCommit(async (items: readonly number[]) =>
      items.map((item): Settled<number> => (item === 2 ? { ok: false, error: new Error('refused 2') } : ok(item))),
    100);
    const results = await Promise.allSettled([1, 2, 3].map(submit));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('refused 2'));
  });

  it('retries a batch that failed as a whole item by item, so only the bad item fails', async () => {
    const batches: number[][] = [];
    const submit = createGroupCommit(async (items: readonly number[]) => {
      batches.push([...items]);
      if (items.includes(3)) throw new Error('the transaction failed');
      return items.map(ok);
    }, 100);
    const results = await Promise.allSettled([1, 2, 3, 4].map(submit));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('keeps working after a failure', async () => {
    let fail = true;
    const submit = createGroupCommit(async (items: readonly number[]) => {
      if (fail) throw new Error('down');
      return items.map(ok);
    }, 100);
    await expect(submit(1)).rejects.toThrow('down');
    fail = false;
    await expect(submit(2)).resolves.toBe(2);
  });
});
