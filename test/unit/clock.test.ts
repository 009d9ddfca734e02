import { describe, expect, it } from 'vitest';
import { createAdjustableClock } from '../../server/lib/clock.ts';

describe('adjustable clock', () => {
  it('moves to a set time and keeps running from there, while real time stays real', async () => {
    const clock = createAdjustableClock();
    clock.set(new Date('2030-01-01T00:00:00Z'));
    const first = clock.now().getTime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(clock.now().getTime() - first).toBeGreaterThanOrEqual(15);
    expect(Math.abs(clock.realNow().getTime() - Date.now())).toBeLessThan(5);
  });

  it('advances by a number of milliseconds', () => {
    const clock = createAdjustableClock(new Date('2030-01-01T00:00:00Z'));
    clock.advance(24 * 3600 * 1000);
    expect(clock.now().toISOString().slice(0, 10)).toBe('2030-01-02');
  });
});
