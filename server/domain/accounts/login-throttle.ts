// Counts failed sign-ins per account and address pair: many organisations signing in from one
// hall or NAT are never blocked by one another's mistakes, and guessing one account's password
// from one address stops after a few tries. A success clears the pair's count.

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
const PRUNE_ABOVE = 10_000;

export interface LoginThrottle {
  /** ms until the pair may try again, or 0 */
  retryAfterMs(email: string, ip: string): number;
  recordFailure(email: string, ip: string): void;
  recordSuccess(email: string, ip: string): void;
}

export function createLoginThrottle(now: () => number): LoginThrottle {
  const failures = new Map<string, number[]>();
  const key = (email: string, ip: string) => `${email.toLowerCase()}\u0000${ip}`;
  const recent = (k: string) => (failures.get(k) ?? []).filter((at) => at > now() - WINDOW_MS);

  return {
    retryAfterMs(email, ip) {
      const times = recent(key(email, ip));
      if (times.length < MAX_FAILURES) return 0;
      return (times[times.length - MAX_FAILURES] ?? 0) + WINDOW_MS - now();
    },
    recordFailure(email, ip) {
      const k = key(email, ip);
      failures.set(k, [...recent(k), now()]);
      if (failures.size > PRUNE_ABOVE) {
        for (const [other] of failures) if (recent(other).length === 0) failures.delete(other);
      }
    },
    recordSuccess(email, ip) {
      failures.delete(key(email, ip));
    },
  };
}
