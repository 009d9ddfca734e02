import { describe, expect, it } from 'vitest';
import { createLoginThrottle, MAX_FAILURES, WINDOW_MS } from '../../server/domain/accounts/login-throttle.ts';

describe('login throttle', () => {
  function setup() {
    let now = 1_000_000;
    const throttle = createLoginThrottle(() => now);
    return { throttle, advance: (ms: number) => (now += ms) };
  }

  it(`blocks an account and address pair after ${MAX_FAILURES} failures within the window`, () => {
    const { throttle } = setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.recordFailure('a@x.org', '1.1.1.1');
    expect(throttle.retryAfterMs('a@x.org', '1.1.1.1')).toBe(0);
    throttle.recordFailure('A@X.org', '1.1.1.1');
    expect(throttle.retryAfterMs('a@x.org', '1.1.1.1')).toBe(WINDOW_MS);
  });

  it('never blocks another account behind the same address, nor the same account elsewhere', () => {
    const { throttle } = setup();
    for (let i = 0; i < MAX_FAILURES * 2; i++) throttle.recordFailure('a@x.org', '1.1.1.1');
    expect(throttle.retryAfterMs('b@x.org', '1.1.1.1')).toBe(0);
    expect(throttle.retryAfterMs('a@x.org', '2.2.2.2')).toBe(0);
  });

  it('forgets failures once the window has passed', () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < MAX_FAILURES; i++) throttle.recordFailure('a@x.org', '1.1.1.1');
    advance(WINDOW_MS - 1);
    expect(throttle.retryAfterMs('a@x.org', '1.1.1.1')).toBe(1);
    advance(1);
    expect(throttle.retryAfterMs('a@x.org', '1.1.1.1')).toBe(0);
  });

  it('clears the count on success', () => {
    const { throttle } = setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.recordFailure('a@x.org', '1.1.1.1');
    throttle.recordSuccess('a@x.org', '1.1.1.1');
    throttle.recordFailure('a@x.org', '1.1.1.1');
    expect(throttle.retryAfterMs('a@x.org', '1.1.1.1')).toBe(0);
  });
});
