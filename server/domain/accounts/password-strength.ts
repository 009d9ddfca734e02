import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { AppError } from '../../errors.ts';

// Secrets are judged by zxcvbn (a maintained estimator of how many guesses a cracker needs), not
// by a home-made list: ten spaces, 1111111111, password12 and aaaaaaaaaaaa all score 0 or 1.
// Score 3 ("safely unguessable: moderate protection from offline attacks") is the floor.

export const MIN_SCORE = 3;
// zxcvbn's cost grows with the length; what lies past this many characters only adds strength
const JUDGED_LENGTH = 100;

let estimator: ZxcvbnFactory | null = null;

/** Whether the secret is too guessable; `related` (e-mail, name) counts as known to an attacker. */
export function isWeakSecret(secret: string, related: readonly string[] = []): boolean {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  const inputs = related.flatMap((value) => [value, value.split('@')[0] ?? '', ...value.split(/[@.\s]+/)]).filter((value) => value.length >= 3);
  return estimator.check(secret.slice(0, JUDGED_LENGTH), inputs).score < MIN_SCORE;
}

export function assertStrongPassword(password: string, field: string, related: readonly string[] = []): void {
  if (isWeakSecret(password, related)) {
    throw new AppError('WEAK_PASSWORD', `密码（${field}）太容易被猜中：请避免常见密码、重复或连续的字符、邮箱或名称，可使用几个不相关的词组成的较长短语`, field);
  }
}

export function assertStrongPassphrase(passphrase: string, field: string): void {
  if (isWeakSecret(passphrase)) {
    throw new AppError('WEAK_PASSPHRASE', `开标口令（${field}）太容易被猜中：请避免重复或连续的字符和常见词语，可使用几个不相关的词组成的较长短语`, field);
  }
}
