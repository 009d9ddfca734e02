import { describe, expect, it } from 'vitest';
import {
  addressPrefix,
  formatUseCode,
  normalizeUseCode,
  ratingKeyOf,
  ratingKeys,
  RATING_WINDOW_DAYS,
  useCodeHash,
  withinRatingWindow,
} from '../../server/domain/satisfaction/codes.ts';
import { validRating } from '../../server/domain/satisfaction/rating.ts';

// The proof-of-use code's format and reading, the rating window, the keyed hashes and the
// rating's own checks (issue 17).

const DAY = 24 * 60 * 60 * 1000;

describe('proof-of-use codes', () => {
  it('are 40 random bits as two groups of four Crockford symbols', () => {
    expect(formatUseCode(new Uint8Array([0, 0, 0, 0, 0]))).toBe('0000-0000');
    expect(formatUseCode(new Uint8Array([255, 255, 255, 255, 255]))).toBe('ZZZZ-ZZZZ');
    expect(formatUseCode(new Uint8Array([0x39, 0xd6, 0x2a, 0x32, 0x7b]))).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(() => formatUseCode(new Uint8Array(4))).toThrow(RangeError);
  });

  it('are read without regard to case, dashes or spaces, I and L as 1, O as 0', () => {
    expect(normalizeUseCode('7kq2-m9xd')).toBe('7KQ2M9XD');
    expect(normalizeUseCode(' 7KQ2 M9XD ')).toBe('7KQ2M9XD');
    expect(normalizeUseCode('7KQ2-M9XO')).toBe('7KQ2M9X0');
    expect(normalizeUseCode('iLQ2-M9XD')).toBe('11Q2M9XD');
    expect(useCodeHash(normalizeUseCode('7kq2m9xd')!)).toBe(useCodeHash(normalizeUseCode('7KQ2-M9XD')!));
  });

  it('refuse what cannot be one: wrong length, U, other characters', () => {
    for (const typed of ['7KQ2-M9X', '7KQ2-M9XDA', '7KQ2-M9XU', '7KQ2-M9X!', '', '评价码评价码评价']) expect(normalizeUseCode(typed)).toBeNull();
  });

  it('are stored as SHA-256, never as themselves', () => {
    const hash = useCodeHash('7KQ2M9XD');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('7KQ2M9XD');
  });

  it(`can rate for ${RATING_WINDOW_DAYS} days after the service, not after`, () => {
    const used = new Date('2026-03-01T02:00:00Z');
    expect(withinRatingWindow(used, used)).toBe(true);
    expect(withinRatingWindow(used, new Date(used.getTime() + RATING_WINDOW_DAYS * DAY))).toBe(true);
    expect(withinRatingWindow(used, new Date(used.getTime() + RATING_WINDOW_DAYS * DAY + 1))).toBe(false);
  });
});

describe('the keys ratings are limited by', () => {
  const key = ratingKeyOf('a session secret of at least thirty-two characters');

  it('are keyed hashes that differ per address and per device, and per server secret', () => {
    const one = ratingKeys(key, '203.0.113.5', 'device-a');
    expect(one.addressKey).toMatch(/^[0-9a-f]{64}$/);
    expect(ratingKeys(key, '203.0.113.5', 'device-b').addressKey).toBe(one.addressKey);
    expect(ratingKeys(key, '203.0.113.6', 'device-a').deviceKey).toBe(one.deviceKey);
    expect(ratingKeys(key, '203.0.113.6', 'device-a').addressKey).not.toBe(one.addressKey);
    expect(ratingKeys(ratingKeyOf('another secret, also thirty-two characters'), '203.0.113.5', 'device-a').addressKey).not.toBe(one.addressKey);
  });

  it('count an IPv6 address by its /64, an IPv4-mapped one as IPv4', () => {
    expect(addressPrefix('203.0.113.5')).toBe('203.0.113.5');
    expect(addressPrefix('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(addressPrefix('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(addressPrefix('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(addressPrefix('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressPrefix('::1')).toBe('0:0:0:0::/64');
    expect(ratingKeys(key, '2001:db8:0:1::1', 'd').addressKey).toBe(ratingKeys(key, '2001:db8:0:1:ffff::9', 'd').addressKey);
  });
});

describe('a rating', () => {
  const good = { code: '7kq2-m9xd', score: 4, group: 'hardship', comment: '  很好  ' };

  it('reads its code and trims its comment; a blank comment is none', () => {
    expect(validRating(good)).toEqual({ canonicalCode: '7KQ2M9XD', score: 4, group: 'hardship', comment: '很好' });
    expect(validRating({ ...good, comment: '   ' }).comment).toBeNull();
    expect(validRating({ ...good, code: 'no such code' }).canonicalCode).toBeNull();
  });

  it.each([
    [{ score: 0 }, 'SCORE_INVALID'],
    [{ score: 2.5 }, 'SCORE_INVALID'],
    [{ score: Number.NaN }, 'SCORE_INVALID'],
    [{ group: 'all' }, 'GROUP_INVALID'],
    [{ comment: '长'.repeat(501) }, 'COMMENT_TOO_LONG'],
  ])('refuses %o (%s)', (change, code) => {
    expect(() => validRating({ ...good, ...change })).toThrow(expect.objectContaining({ code }));
  });

  it('counts a comment’s length in characters, not UTF-16 units', () => {
    expect(validRating({ ...good, comment: '😀'.repeat(500) }).comment).toHaveLength(1000);
  });
});
