import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { sessions, users, type Role } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { createLane } from '../../lib/lane.ts';
import { hashPassword, verifyPassword } from '../../lib/password-hashing.ts';
import type { AuditService } from '../audit/service.ts';
import { hashToken } from './account-tokens.ts';
import { SIGN_IN_ADDRESS, SIGN_IN_PAIR, type RateLimiter } from './rate-limit.ts';
import type { RequestOrigin, SessionKind, SignedInUser } from './types.ts';

// Sign-in, sign-out and the session behind each request. Every sign-in is counted against two
// limits before its password is hashed: the account and address pair (5 failures in 15 minutes)
// and the address over all accounts; a success takes its count back.

const SESSION_TTL_MS: Record<SessionKind, number> = {
  page: 12 * 60 * 60 * 1000,
  api: 24 * 60 * 60 * 1000,
};
// Every role but the organisations' acts for the centre; their sign-ins are audited.
const PRIVILEGED: ReadonlySet<Role> = new Set(['admin', 'agent', 'expert', 'inspector']);

// an e-mail address never holds a space (the schema checks its format)
const pairKey = (email: string, ip: string) => `${email} ${ip}`;

/** Ends every live session of the user but `keep` (the one making a password change). */
export async function revokeSessions(tx: Tx, userId: string, now: Date, keep?: string): Promise<void> {
  await tx
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keep ? ne(sessions.id, keep) : undefined));
}

export function createSignIn({ db, clock, audit, limits }: { db: Db; clock: Clock; audit: AuditService; limits: RateLimiter }) {
  // Compared against when the e-mail is unknown, so a miss costs as long as a wrong password.
  let dummyHash: Promise<string> | null = null;
  // One credential check at a time, database work and hash together: a flood of sign-ins then
  // queues here instead of filling the database's queue (the embedded one runs on the event
  // loop) and the audit log's lock ahead of the bids being uploaded meanwhile.
  const credentialChecks = createLane(1);

  /**
   * The account whose password this is, or INVALID_CREDENTIALS; each attempt is counted before
   * the password is checked, and a failure is audited.
   */
  async function checkCredentials(email: string, password: string, origin: RequestOrigin) {
    const pairAttempt = await limits.attempt(SIGN_IN_PAIR, pairKey(email, origin.ip));
    const addressAttempt = await limits.attempt(SIGN_IN_ADDRESS, origin.ip).catch(async (error: unknown) => {
      await limits.refund(pairAttempt);
      throw error;
    });
    const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
    const passwordOk = user
      ? await verifyPassword(user.passwordHash, password)
      : await verifyPassword(await (dummyHash ??= hashPassword(randomBytes(16))), password).then(() => false);
    if (!user || !passwordOk || !user.active) {
      await audit.recordAlone({
        actor: null,
        action: 'auth.login_failed',
        target: user ? `user:${user.id}` : undefined,
        ip: origin.ip,
        details: { email, reason: !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'inactive' },
      });
      throw new AppError('INVALID_CREDENTIALS', '邮箱或密码错误');
    }
    await limits.clear(SIGN_IN_PAIR, pairKey(email, origin.ip));
    await limits.refund(addressAttempt);
    return user;
  }

  /**
   * Checks the password and opens a new session. A page sign-in passes the session it replaces,
   * which is revoked, so the cookie's value always changes at sign-in.
   */
  async function signIn(
    credentials: { email: string; password: string },
    kind: SessionKind,
    origin: RequestOrigin,
    replacesToken?: string,
  ) {
    const email = credentials.email.toLowerCase();
    const user = await credentialChecks(() => checkCredentials(email, credentials.password, origin));

    const token = randomBytes(32).toString('base64url');
    const now = clock.realNow();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS[kind]);
    await db.transaction(async (tx) => {
      if (replacesToken) {
        await tx
          .update(sessions)
          .set({ revokedAt: now })
          .where(and(eq(sessions.tokenHash, hashToken(replacesToken)), isNull(sessions.revokedAt)));
      }
      const [session] = await tx
        .insert(sessions)
        .values({
          userId: user.id,
          kind,
          tokenHash: hashToken(token),
          ip: origin.ip,
          userAgent: origin.userAgent?.slice(0, 500) ?? null,
          expiresAt,
        })
        .returning({ id: sessions.id });
      if (PRIVILEGED.has(user.role)) {
        await audit.record(tx, {
          actor: { id: user.id, role: user.role },
          action: 'auth.login',
          target: `session:${session?.id}`,
          ip: origin.ip,
          details: { kind },
        });
      }
    });
    return { token, expiresAt, user: { id: user.id, role: user.role, name: user.name } };
  }

  async function signOut(token: string): Promise<void> {
    await db
      .update(sessions)
      .set({ revokedAt: clock.realNow() })
      .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt)));
  }

  // every request of a signed-in user runs this query: prepared once, it is neither rebuilt by
  // drizzle nor planned again by the database on each request
  const liveSession = db
    .select({ id: users.id, role: users.role, name: users.name, email: users.email, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder('tokenHash')),
        eq(sessions.kind, sql.placeholder('kind')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql.placeholder('now')),
        eq(users.active, true),
      ),
    )
    .limit(1)
    .prepare('live_session');

  /** The user behind a live session of the given kind, or null. */
  async function authenticate(token: string, kind: SessionKind): Promise<SignedInUser | null> {
    const [found] = await liveSession.execute({ tokenHash: hashToken(token), kind, now: clock.realNow() });
    return found ?? null;
  }

  return { signIn, signOut, authenticate };
}
