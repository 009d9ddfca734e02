import { describe, expect, it } from 'vitest';
import { isValidUscc, normalizeUscc, usccCheckCharacter } from '../../server/domain/accounts/uscc.ts';

// Codes of registered enterprises, published on their business licences.
const REAL_CODES = [
  '91330100716105852F',
  '9144030071526726XG',
  '914403001922038216',
  '91110000802100433B',
  '91310000MA1FL4B24G',
  '91110108551385082Q',
  '91350100M000100Y43',
  '51100000500010993L',
];
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('unified social credit code (GB 32100-2015)', () => {
  it.each(REAL_CODES)('accepts the real code %s', (code) => {
    expect(isValidUscc(code)).toBe(true);
  });

  it('refuses every single-character corruption of every real code', () => {
    let tried = 0;
    for (const code of REAL_CODES) {
      for (let position = 0; position < 18; position++) {
        for (const symbol of ALPHABET) {
          if (symbol === code[position]) continue;
          const corrupted = code.slice(0, position) + symbol + code.slice(position + 1);
          expect(isValidUscc(corrupted), corrupted).toBe(false);
          tried++;
        }
      }
    }
    expect(tried).toBe(REAL_CODES.length * 18 * 30);
  });

  it('refuses transpositions of adjacent different characters', () => {
    const code = REAL_CODES[0]!;
    for (let i = 0; i < 17; i++) {
      if (code[i] === code[i + 1]) continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      expect(isValidUscc(swapped), swapped).toBe(false);
    }
  });

  it.each([
    ['', 'empty'],
    ['91330100716105852', 'too short'],
    ['91330100716105852FF', 'too long'],
    ['91330100716105852f', 'lower case is not canonical'],
    ['9I330100716105852F', 'letter I is not in the alphabet'],
    ['01330100716105852F', 'registration authority 0 does not exist'],
    ['9133A100716105852F', 'division code must be digits'],
  ])('refuses %j (%s)', (code) => {
    expect(isValidUscc(code)).toBe(false);
  });

  it('computes the check character with weights 3^i mod 31', () => {
    expect(usccCheckCharacter('91330100716105852')).toBe('F');
    expect(usccCheckCharacter('9133010071610585I')).toBeNull();
  });

  it('normalises what people type', () => {
    expect(normalizeUscc(' 9133 0100 7161 0585 2f ')).toBe('91330100716105852F');
  });
});
