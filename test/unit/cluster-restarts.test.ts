import { describe, expect, it } from 'vitest';
import { afterCrash, RESTARTS } from '../../server/cluster.ts';

describe('a dead worker forked again (WEB_CONCURRENCY)', () => {
  it('is forked again soon after a worker that had run a while, whatever came before', () => {
    expect(afterCrash(RESTARTS.fastCrashMs, 3)).toEqual({ fastCrashes: 0, delayMs: RESTARTS.firstDelayMs });
  });

  it('waits twice as long at each worker in a row that dies young, then gives up', () => {
    const delays: number[] = [];
    let fastCrashes = 0;
    for (;;) {
      const next = afterCrash(1_000, fastCrashes);
      if (next === 'give up') break;
      delays.push(next.delayMs);
      fastCrashes = next.fastCrashes;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    expect(delays).toHaveLength(RESTARTS.giveUpAfter - 1);
  });
});
