import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { AppError } from '../../errors.ts';

// Secrets are judged by zxcvbn (a maintained estimator of how many guesses a cracker needs), not
// by a home-made list: ten spaces, 1111111111, password12 and aaaaaaaaaaaa all score 0 or 1.
// Score 3 ("safely unguessable: moderate protection from offline attacks") is the floor. Its
// dictionaries (15 MB in memory) are loaded with the first secret judged, not at start.

export const MIN_SCORE = 3;
// zxcvbn's cost grows with the length; what lies past this many characters only adds strength
const JUDGED_LENGTH = 100;

let estimator: Promise<ZxcvbnFactory> | null = null;

async function loadEstimator(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
  return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
}

/** Whether the secret is too guessable; `related` (e-mail, name) counts as known to an attacker. */
export async function isWeakSecret(secret: string, related: readonly string[] = []): Promise<boolean> {
  const judge = await (estimator ??= loadEstimator());
  const inputs = related.flatMap((value) => [value, value.split('@')[0] ?? '', ...value.split(/[@.\s]+/)]).filter((value) => value.length >= 3);
  return judge.check(secret.slice(0, JUDGED_LENGTH), inputs).score < MIN_SCORE;
}

export async function assertStrongPassword(password: string, field: string, related: readonly string[] = []): Promise<void> {
  if (await isWeakSecret(password, related)) {
    throw new AppError('WEAK_PASSWORD', `密码（${field}）太容易被猜中：请避免常见密码、重复或连续的字符、邮箱或名称，可使用几个不相关的词组成的较长短语`, field);
  }
}

export async function assertStrongPassphrase(passphrase: string, field: string): Promise<void> {
  if (await isWeakSecret(passphrase)) {
    throw new AppError('WEAK_PASSPHRASE', `开标口令（${field}）太容易被猜中：请避免重复或连续的字符和常见词语，可使用几个不相关的词组成的较长短语`, field);
  }
}
