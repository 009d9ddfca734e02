import { describe, expect, it } from 'vitest';
import { etagMatches, etagVariant } from '../../server/lib/etag.ts';
import { freshReads } from '../../server/lib/fresh-reads.ts';
import { formatRemaining, formatTime } from '../../server/lib/labels.ts';
import { createPageCache } from '../../server/lib/page-cache.ts';
import { nextChange } from '../../server/plugins/anonymous-cache.ts';
import { compileTimeSlots, remainingSlot, TIME_SLOTS } from '../../server/plugins/views.ts';

/** a read whose answers the test gives, one by one */
function controlledRead() {
  const pending: { key: string; answer: (value: number) => void }[] = [];
  const read = (key: string) => new Promise<number>((answer) => pending.push({ key, answer }));
  return { read, pending };
}

describe('fresh reads', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('share one read among the callers of one turn of the event loop, started after they all asked', async () => {
    const { read, pending } = controlledRead();
    const latest = freshReads(read);
    const together = [latest('a'), latest('a'), latest('a')];
    expect(pending).toHaveLength(0);
    await turn();
    expect(pending).toHaveLength(1);
    // a caller after the read started gets a read of its own
    const later = latest('a');
    pending[0]!.answer(1);
    expect(await Promise.all(together)).toEqual([1, 1, 1]);
    await turn();
    expect(pending).toHaveLength(2);
    pending[1]!.answer(2);
    expect(await later).toBe(2);
  });

  it('keep keys apart', async () => {
    const { read, pending } = controlledRead();
    const latest = freshReads(read);
    const a = latest('a');
    const b = latest('b');
    await turn();
    expect(pending.map((p) => p.key)).toEqual(['a', 'b']);
    pending[0]!.answer(1);
    pending[1]!.answer(2);
    expect([await a, await b]).toEqual([1, 2]);
  });

  it('pass a failed read on to its callers, and the next caller reads again', async () => {
    let calls = 0;
    const latest = freshReads(async () => {
      calls++;
      if (calls === 1) throw new Error('database unavailable');
      return calls;
    });
    await expect(latest('a')).rejects.toThrow('database unavailable');
    expect(await latest('a')).toBe(2);
  });
});

describe('the page cache', () => {
  it('makes a page once per version, and again for a new version', async () => {
    const cache = createPageCache(10);
    let made = 0;
    const make = async () => ({ body: `page ${++made}`, validUntil: Infinity });
    const [one, two] = await Promise.all([cache.get('k', '1', 0, make), cache.get('k', '1', 0, make)]);
    expect(made).toBe(1);
    expect(one).toBe(two);
    expect((await cache.get('k', '1', 5, make)).body).toBe('page 1');
    const next = await cache.get('k', '2', 5, make);
    expect(next.body).toBe('page 2');
    expect(next.etag).not.toBe(one.etag);
  });

  it('makes it again from the instant the clock alone changes it, and for a clock set back', async () => {
    const cache = createPageCache(10);
    let made = 0;
    const make = async () => ({ body: `page ${++made}`, validUntil: 100 });
    await cache.get('k', '1', 50, make);
    expect((await cache.get('k', '1', 99, make)).body).toBe('page 1');
    expect((await cache.get('k', '1', 100, make)).body).toBe('page 2');
    expect((await cache.get('k', '1', 20, make)).body).toBe('page 3');
  });

  it('keeps the last used entries only', async () => {
    const cache = createPageCache(2);
    let made = 0;
    const make = async () => ({ body: `page ${++made}`, validUntil: Infinity });
    await cache.get('a', '1', 0, make);
    await cache.get('b', '1', 0, make);
    await cache.get('a', '1', 0, make);
    await cache.get('c', '1', 0, make);
    expect(made).toBe(3);
    await cache.get('a', '1', 0, make);
    expect(made).toBe(3);
    await cache.get('b', '1', 0, make);
    expect(made).toBe(4);
  });

  it('keeps no failure: the next caller makes it again', async () => {
    const cache = createPageCache(10);
    await expect(cache.get('k', '1', 0, async () => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    expect((await cache.get('k', '1', 0, async () => ({ body: 'page', validUntil: Infinity }))).body).toBe('page');
  });
});

describe('time slots', () => {
  it('are filled in with the server time and the time left as served', () => {
    const deadline = new Date('2026-12-31T16:00:00Z');
    const now = new Date('2026-12-07T14:05:09.123Z');
    const fill = compileTimeSlots(`<time datetime="${TIME_SLOTS.serverTime}">${TIME_SLOTS.serverTimeText}</time> 剩余 ${remainingSlot(deadline)}。`);
    expect(fill(now).toString()).toBe(
      `<time datetime="2026-12-07T14:05:09.123Z">${formatTime(now)}</time> 剩余 ${formatRemaining(deadline.getTime() - now.getTime())}。`,
    );
    expect(fill(new Date('2027-01-01T00:00:00Z')).toString()).toMatch(/剩余 已截止。$/);
    expect(compileTimeSlots('没有时间')(now).toString()).toBe('没有时间');
  });

  it('next change: the first instant after now, or never', () => {
    const now = new Date(1000);
    expect(nextChange(now, [new Date(500), new Date(3000), null, new Date(2000)])).toBe(2000);
    expect(nextChange(now, [new Date(1000), undefined])).toBe(Infinity);
  });
});

describe('ETag matching', () => {
  it('takes a list, weak tags and *', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", W/"a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });

  it('tags a variant inside the quotes, matching neither way with the original', () => {
    expect(etagVariant('"abc"', '-br')).toBe('"abc-br"');
    expect(etagMatches('"abc"', etagVariant('"abc"', '-br'))).toBe(false);
    expect(etagMatches('W/"abc-br"', etagVariant('"abc"', '-br'))).toBe(true);
  });
});
