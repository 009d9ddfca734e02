// The only place that reads the time. Recruitment rules read `now()`; sign-in sessions and
// tokens expire on `realNow()`, so moving the test clock never keeps a stale session alive.

export interface Clock {
  now(): Date;
  realNow(): Date;
}

export interface AdjustableClock extends Clock {
  /** moves the clock to `at`; it keeps running from there */
  set(at: Date): void;
  advance(ms: number): void;
}

export function createClock(): Clock {
  return { now: () => new Date(), realNow: () => new Date() };
}

export function createAdjustableClock(start?: Date): AdjustableClock {
  let offsetMs = start ? start.getTime() - Date.now() : 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    realNow: () => new Date(),
    set(at) {
      offsetMs = at.getTime() - Date.now();
    },
    advance(ms) {
      offsetMs += ms;
    },
  };
}

export function isAdjustable(clock: Clock): clock is AdjustableClock {
  return 'set' in clock && 'advance' in clock;
}
