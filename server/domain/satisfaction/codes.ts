import { createHash, createHmac } from 'node:crypto';
import { crockfordBase32, crockfordSymbols } from '../../lib/verification-code.ts';

// The proof-of-use code (issue 17) and the keys a rating is limited by. Pure: the random bytes
// and the secret come from the caller.
//
// A code is 8 Crockford base32 symbols (40 random bits) shown as two groups of four, e.g.
// 7KQ2-M9XD: short enough to read out at a counter, long enough that guessing one is hopeless
// within the wrong-code limit. It is typed back case- and dash-insensitively and stored only as
// the SHA-256 of its canonical form.

export const USE_CODE_BYTES = 5;
const SYMBOLS = (USE_CODE_BYTES * 8) / 5;
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{8}$/;

/** How long after the service its code can still be used to rate it. */
export const RATING_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The code as handed to the worker: 7KQ2-M9XD. */
export function formatUseCode(random: Uint8Array): string {
  if (random.length !== USE_CODE_BYTES) throw new RangeError(`a proof-of-use code takes ${USE_CODE_BYTES} random bytes`);
  return crockfordBase32(random).match(/.{4}/g)!.join('-');
}

/** The canonical form of a typed code (no dashes, upper case), or null when it cannot be one. */
export function normalizeUseCode(typed: string): string | null {
  const symbols = crockfordSymbols(typed);
  return symbols.length === SYMBOLS && CANONICAL.test(symbols) ? symbols : null;
}

/** What is stored of a code: SHA-256 (hex) of its canonical form. */
export function useCodeHash(canonical: string): string {
  return createHash('sha256').update(`service-use:${canonical}`).digest('hex');
}

/** Whether a code issued at `usedAt` may still be used to rate at `now`. */
export function withinRatingWindow(usedAt: Date, now: Date): boolean {
  return now.getTime() - usedAt.getTime() <= RATING_WINDOW_DAYS * DAY_MS;
}

/**
 * The key of the ratings' keyed hashes, derived from the server's session secret (SESSION_SECRET
 * or the one kept in storage): no key of its own to hold, and a hash never reveals an address
 * to someone with the database alone.
 */
export function ratingKeyOf(sessionSecret: string): Buffer {
  return createHmac('sha256', sessionSecret).update('satisfaction-rating-keys').digest();
}

/**
 * The address as limits count it: an IPv4 address whole, an IPv6 address by its /64 (a device
 * gets a whole /64 and can pick any address in it).
 */
export function addressPrefix(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface RatingKeys {
  addressKey: string;
  deviceKey: string;
}

/** The keyed hashes stored with a rating: limits, not identities. */
export function ratingKeys(key: Buffer, ip: string, deviceToken: string): RatingKeys {
  const hmac = (value: string) => createHmac('sha256', key).update(value).digest('hex');
  return { addressKey: hmac(`address:${addressPrefix(ip)}`), deviceKey: hmac(`device:${deviceToken}`) };
}

/**
 * The limits against stuffing. Per device: a worker rates the few services of a day. Per
 * address: generous, as workers rating on the site's own Wi-Fi share one. Wrong codes per
 * address: guessing stops long before it could find a code.
 */
export const RATINGS_PER_DEVICE_PER_DAY = 5;
export const RATINGS_PER_ADDRESS_PER_DAY = 50;
export const WRONG_CODES_PER_ADDRESS_PER_HOUR = 10;
export const LIMIT_WINDOW_MS = DAY_MS;
