import { and, asc, eq, lte, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { rateLimitAttempts } from '../../db/schema.ts';
import { RateLimitedError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';

// Limits on attempts that cost the server work or let someone guess: sign-ins, registrations,
// reset requests, opening passphrases. An attempt is counted BEFORE the work it limits, under a
// lock on its key, so however many requests arrive at once, at most `max` of them get through in
// any window; the counts live in PostgreSQL, shared by every server process and kept across
// restarts. Limits run on real time: moving the test clock neither lifts nor extends them.

export interface Limit {
  scope: string;
  max: number;
  windowMs: number;
  /** the zh-CN sentence a refusal starts with; the wait is appended */
  refusal: string;
}

export interface Attempt {
  id: number;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

/** Failed sign-ins per account and address pair (SPEC §5): one organisation's typos never block another behind the same NAT. */
export const SIGN_IN_PAIR: Limit = { scope: 'sign_in_pair', max: 5, windowMs: 15 * MINUTE_MS, refusal: '登录失败次数过多' };
/**
 * Failed sign-ins from one address over all accounts: a hall of organisations fails far fewer
 * than this, a flood of guesses (each costing an argon2 hash) stops here.
 */
export const SIGN_IN_ADDRESS: Limit = { scope: 'sign_in_address', max: 100, windowMs: 15 * MINUTE_MS, refusal: '该网络地址登录失败次数过多' };
/**
 * Registrations per address and hour (REGISTRATIONS_PER_HOUR, at least 30 by SPEC §5): a hall
 * registering together fits; probing which addresses have accounts is slow.
 */
export const registrationLimit = (perHour: number): Limit => ({
  scope: 'registration_address',
  max: perHour,
  windowMs: HOUR_MS,
  refusal: '该网络地址注册次数过多',
});
/** Password reset requests per address, and per account (so nobody is flooded with reset mails). */
export const RESET_ADDRESS: Limit = { scope: 'reset_address', max: 10, windowMs: HOUR_MS, refusal: '重置密码请求过多' };
export const RESET_ACCOUNT: Limit = { scope: 'reset_account', max: 3, windowMs: HOUR_MS, refusal: '重置密码请求过多' };
/** Verification mails a signed-in organisation may ask for again. */
export const VERIFY_RESEND: Limit = { scope: 'verify_resend', max: 3, windowMs: HOUR_MS, refusal: '验证邮件发送次数过多' };
/** Wrong opening passphrases per key holder (at changing it and at the opening). */
export const PASSPHRASE_HOLDER: Limit = { scope: 'passphrase_holder', max: 5, windowMs: 15 * MINUTE_MS, refusal: '开标口令错误次数过多' };
/** Wrong current passwords per account at a password change. */
export const PASSWORD_CHANGE: Limit = { scope: 'password_change', max: 5, windowMs: 15 * MINUTE_MS, refusal: '原密码错误次数过多' };

// two-key advisory locks live in a key space apart from the audit log's one-key lock
const LOCK_CLASS = 0x726c696d;
// rows of keys never seen again are swept now and then, older than any window
const SWEEP_EVERY = 500;
const SWEEP_OLDER_THAN_MS = 24 * HOUR_MS;

export type RateLimiter = ReturnType<typeof createRateLimiter>;

export function createRateLimiter({ db, clock }: { db: Db; clock: Clock }) {
  let sinceSweep = 0;

  /**
   * Counts one attempt under `limit` for `key`, or throws RATE_LIMITED (429) without counting when
   * the window already holds `max` attempts. Call it before the work; `refund` takes it back.
   */
  async function attempt(limit: Limit, key: string): Promise<Attempt> {
    const now = clock.realNow();
    const windowStart = new Date(now.getTime() - limit.windowMs);
    const outcome = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${`${limit.scope}:${key}`}))`);
      const ofKey = and(eq(rateLimitAttempts.scope, limit.scope), eq(rateLimitAttempts.key, key));
      await tx.delete(rateLimitAttempts).where(and(ofKey, lte(rateLimitAttempts.at, windowStart)));
      const recent = await tx
        .select({ at: rateLimitAttempts.at })
        .from(rateLimitAttempts)
        .where(and(ofKey, gt(rateLimitAttempts.at, windowStart)))
        .orderBy(asc(rateLimitAttempts.at));
      const oldest = recent[0];
      if (recent.length >= limit.max && oldest) return { refused: true, retryAfterMs: oldest.at.getTime() + limit.windowMs - now.getTime() } as const;
      const [row] = await tx.insert(rateLimitAttempts).values({ scope: limit.scope, key, at: now }).returning({ id: rateLimitAttempts.id });
      if (!row) throw new Error('insert returned no row');
      return { refused: false, id: row.id } as const;
    });
    if (outcome.refused) {
      const minutes = Math.max(1, Math.ceil(outcome.retryAfterMs / MINUTE_MS));
      throw new RateLimitedError(`${limit.refusal}，请在 ${minutes} 分钟后再试`, Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)));
    }
    if (++sinceSweep >= SWEEP_EVERY) {
      sinceSweep = 0;
      await db.delete(rateLimitAttempts).where(lt(rateLimitAttempts.at, new Date(now.getTime() - SWEEP_OLDER_THAN_MS)));
    }
    return { id: outcome.id };
  }

  /** Takes back an attempt that turned out not to count (a successful sign-in, a right passphrase). */
  async function refund(counted: Attempt): Promise<void> {
    await db.delete(rateLimitAttempts).where(eq(rateLimitAttempts.id, counted.id));
  }

  /** Forgets every attempt of a key: a successful sign-in clears its pair's count. */
  async function clear(limit: Limit, key: string): Promise<void> {
    await db.delete(rateLimitAttempts).where(and(eq(rateLimitAttempts.scope, limit.scope), eq(rateLimitAttempts.key, key)));
  }

  return { attempt, refund, clear };
}
