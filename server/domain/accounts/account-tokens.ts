import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { accountTokens, type AccountTokenPurpose } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';

// Mailed single-use links (e-mail verification, password reset). The token travels only in the
// mail; the database keeps its SHA-256, its expiry and when it was used.

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const invalidToken = () => new AppError('INVALID_TOKEN', '链接无效、已使用或已过期，请重新申请', 'token');

/** the token's row while it can still be used: neither used nor expired */
const usable = (token: string, purpose: AccountTokenPurpose, now: Date) =>
  and(eq(accountTokens.tokenHash, hashToken(token)), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now));

/** Stores a new token's hash for the user and answers the token, to be mailed after commit. */
export async function issueAccountToken(tx: Tx, userId: string, purpose: AccountTokenPurpose, now: Date, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tx.insert(accountTokens).values({ userId, purpose, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMs) });
  return token;
}

/**
 * Uses a token once: a conditional update, so two requests with the same token never both
 * succeed. Answers its user, or throws INVALID_TOKEN (unknown, used or expired: one answer).
 */
export async function consumeAccountToken(tx: Tx, token: string, purpose: AccountTokenPurpose, now: Date): Promise<string> {
  const [used] = await tx
    .update(accountTokens)
    .set({ usedAt: now })
    .where(usable(token, purpose, now))
    .returning({ userId: accountTokens.userId });
  if (!used) throw invalidToken();
  return used.userId;
}

/** The user of a token still usable, without using it (to check a new password before hashing it). */
export async function findAccountToken(db: Db, token: string, purpose: AccountTokenPurpose, now: Date): Promise<string> {
  const [found] = await db
    .select({ userId: accountTokens.userId })
    .from(accountTokens)
    .where(usable(token, purpose, now));
  if (!found) throw invalidToken();
  return found.userId;
}
