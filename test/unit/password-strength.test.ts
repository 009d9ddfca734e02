import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.ts';
import { assertStrongPassphrase, assertStrongPassword, isWeakSecret } from '../../server/domain/accounts/password-strength.ts';

describe('isWeakSecret (zxcvbn score under 3)', () => {
  it.each([
    ['          ', true],
    ['1111111111', true],
    ['password12', true],
    ['aaaaaaaaaaaa', true],
    ['qwertyuiop', true],
    ['abcdefghijkl', true],
    ['Password2024!', true],
    ['org-password-123', false],
    ['the opening passphrase', false],
    ['correct horse battery', false],
    ['纪检监督员的开标口令很长', false],
  ])('%j → weak: %s', async (secret, weak) => {
    expect(await isWeakSecret(secret)).toBe(weak);
  });

  it('counts the account’s own e-mail and name as known to an attacker', async () => {
    expect(await isWeakSecret('lihua.chen.portal')).toBe(false);
    expect(await isWeakSecret('lihua.chen.portal', ['lihua.chen.portal@example.org'])).toBe(true);
  });

  it('refuses with the field named', async () => {
    await expect(assertStrongPassword('password12', 'newPassword')).rejects.toThrow(AppError);
    await expect(assertStrongPassword('password12', 'newPassword')).rejects.toMatchObject({ code: 'WEAK_PASSWORD', field: 'newPassword', statusCode: 400 });
    await expect(assertStrongPassphrase('aaaaaaaaaaaa', 'passphrase')).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE', field: 'passphrase', statusCode: 400 });
    await expect(assertStrongPassword('org-password-123', 'password')).resolves.toBeUndefined();
  });
});
