import { describe, expect, it } from 'vitest';
import { beijingLocalToIso, toBeijingLocal } from '../../server/lib/datetime.ts';

describe('datetime-local values in Beijing time', () => {
  it.each([
    ['2026-12-20T17:00', '2026-12-20T17:00:00+08:00', '2026-12-20T09:00:00.000Z'],
    ['2026-12-20T17:00:30', '2026-12-20T17:00:30+08:00', '2026-12-20T09:00:30.000Z'],
    // before 08:00 in Beijing it is still the previous day in UTC
    ['2026-01-01T07:59', '2026-01-01T07:59:00+08:00', '2025-12-31T23:59:00.000Z'],
    ['2028-02-29T00:00', '2028-02-29T00:00:00+08:00', '2028-02-28T16:00:00.000Z'],
  ])('reads %s as %s', (local, iso, utc) => {
    expect(beijingLocalToIso(local)).toBe(iso);
    expect(new Date(iso).toISOString()).toBe(utc);
  });

  it.each([
    ['', 'empty'],
    ['2026-12-20', 'a date without time'],
    ['2026-12-20 17:00', 'a space instead of T'],
    ['2026-12-20T17:00Z', 'a zone'],
    ['2026-12-20T17:00:00.000', 'milliseconds'],
    ['2026-02-30T10:00', 'a day the month does not have'],
    ['2027-02-29T10:00', '29 February outside a leap year'],
    ['2026-12-20T24:00', 'hour 24'],
    ['2026-13-01T10:00', 'month 13'],
    ['2026-12-20T17:60', 'minute 60'],
  ])('refuses %j (%s)', (local) => {
    expect(beijingLocalToIso(local)).toBeNull();
  });

  it.each([
    ['2026-12-20T09:00:00.000Z', '2026-12-20T17:00'],
    ['2025-12-31T23:59:00.000Z', '2026-01-01T07:59'],
    ['2026-12-20T09:00:30.000Z', '2026-12-20T17:00:30'],
  ])('shows %s as %s', (utc, local) => {
    expect(toBeijingLocal(new Date(utc))).toBe(local);
  });

  it('comes back to the same instant', () => {
    const instant = new Date('2026-06-15T03:45:00.000Z');
    const iso = beijingLocalToIso(toBeijingLocal(instant));
    expect(iso && new Date(iso).getTime()).toBe(instant.getTime());
  });
});
