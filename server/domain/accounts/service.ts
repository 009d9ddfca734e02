import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { and, asc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { organizations, sessions, users, type Role } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../errors.ts';
import type { AuditService } from '../audit/service.ts';
import { createLoginThrottle } from './login-throttle.ts';
import type { CreateUserInput, RegisterOrganizationInput } from './schemas.ts';
import { isValidUscc, normalizeUscc } from './uscc.ts';

export type SessionKind = 'page' | 'api';

export interface SignedInUser {
  id: string;
  role: Role;
  name: string;
  email: string;
  sessionId: string;
}

export interface RequestOrigin {
  ip: string;
  userAgent?: string;
}

const SESSION_TTL_MS: Record<SessionKind, number> = {
  page: 12 * 60 * 60 * 1000,
  api: 24 * 60 * 60 * 1000,
};
// Every role but the organisations' acts for the centre; their sign-ins are audited.
const PRIVILEGED: ReadonlySet<Role> = new Set(['admin', 'agent', 'expert', 'inspector']);
const ARGON2 = { type: argon2.argon2id } as const;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function invalidUscc(field: string): AppError {
  return new AppError('INVALID_USCC', '统一社会信用代码无效：请核对 18 位代码（校验位不符）', field);
}

function duplicateEmail(): AppError {
  return new AppError('DUPLICATE_EMAIL', '该电子邮箱已注册', 'email');
}

export type AccountService = ReturnType<typeof createAccountService>;

export function createAccountService({ db, clock, audit }: { db: Db; clock: Clock; audit: AuditService }) {
  const throttle = createLoginThrottle(() => clock.realNow().getTime());
  // Compared against when the e-mail is unknown, so a miss costs as long as a wrong password.
  const dummyHash = argon2.hash(randomBytes(16), ARGON2);

  async function emailTaken(email: string): Promise<boolean> {
    const [found] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
    return found !== undefined;
  }

  async function createUser(input: CreateUserInput, actor: SignedInUser | null, origin: RequestOrigin) {
    const email = input.email.toLowerCase();
    const affiliationUscc = input.affiliationUscc?.trim() ? normalizeUscc(input.affiliationUscc) : null;
    if (affiliationUscc !== null && !isValidUscc(affiliationUscc)) throw invalidUscc('affiliationUscc');
    if (await emailTaken(email)) throw duplicateEmail();
    const specialties = input.role === 'expert' ? [...new Set((input.specialties ?? []).map((s) => s.trim()))] : [];
    const passwordHash = await argon2.hash(input.password, ARGON2);
    try {
      return await db.transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({
            email,
            name: input.name.trim(),
            role: input.role,
            passwordHash,
            specialties,
            affiliationUscc: input.role === 'expert' ? affiliationUscc : null,
          })
          .returning();
        if (!user) throw new Error('insert returned no row');
        await audit.record(tx, {
          actor: actor && { id: actor.id, role: actor.role },
          action: 'user.create',
          target: `user:${user.id}`,
          ip: origin.ip,
          details: { email, role: user.role, name: user.name, specialties, affiliationUscc: user.affiliationUscc },
        });
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw duplicateEmail();
      throw error;
    }
  }

  async function registerOrganization(input: RegisterOrganizationInput, origin: RequestOrigin) {
    const uscc = normalizeUscc(input.uscc);
    if (!isValidUscc(uscc)) throw invalidUscc('uscc');
    const email = input.email.toLowerCase();
    const duplicateUscc = new AppError('DUPLICATE_USCC', '该统一社会信用代码已注册', 'uscc');
    const [existing] = await db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.uscc, uscc))
      .limit(1);
    if (existing) throw duplicateUscc;
    if (await emailTaken(email)) throw duplicateEmail();
    const passwordHash = await argon2.hash(input.password, ARGON2);
    try {
      return await db.transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({ email, name: input.name.trim(), role: 'bidder', passwordHash })
          .returning({ id: users.id });
        if (!user) throw new Error('insert returned no row');
        const [organization] = await tx
          .insert(organizations)
          .values({
            userId: user.id,
            name: input.name.trim(),
            uscc,
            type: input.type.trim(),
            legalRepresentative: input.legalRepresentative.trim(),
            contactName: input.contactName.trim(),
            phone: input.phone.trim(),
            email,
            address: input.address.trim(),
          })
          .returning({ id: organizations.id });
        if (!organization) throw new Error('insert returned no row');
        await audit.record(tx, {
          actor: { id: user.id, role: 'bidder' },
          action: 'organization.register',
          target: `organization:${organization.id}`,
          ip: origin.ip,
          details: { name: input.name.trim(), uscc, type: input.type.trim(), email },
        });
        return { id: organization.id, userId: user.id };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'organizations_uscc_key')) throw duplicateUscc;
      if (isUniqueViolation(error, 'users_email_key')) throw duplicateEmail();
      throw error;
    }
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
    const waitMs = throttle.retryAfterMs(email, origin.ip);
    if (waitMs > 0) {
      throw new AppError('RATE_LIMITED', `登录失败次数过多，请在 ${Math.ceil(waitMs / 60000)} 分钟后再试`);
    }
    const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
    const passwordOk = user
      ? await argon2.verify(user.passwordHash, credentials.password)
      : await argon2.verify(await dummyHash, credentials.password).then(() => false);
    if (!user || !passwordOk || !user.active) {
      throttle.recordFailure(email, origin.ip);
      await audit.recordAlone({
        actor: null,
        action: 'auth.login_failed',
        target: user ? `user:${user.id}` : undefined,
        ip: origin.ip,
        details: { email, reason: !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'inactive' },
      });
      throw new AppError('INVALID_CREDENTIALS', '邮箱或密码错误');
    }
    throttle.recordSuccess(email, origin.ip);

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

  async function getProfile(userId: string) {
    const [found] = await db
      .select({ user: users, organization: organizations })
      .from(users)
      .leftJoin(organizations, eq(organizations.userId, users.id))
      .where(eq(users.id, userId))
      .limit(1);
    if (!found) throw new AppError('NOT_FOUND', '用户不存在');
    const { user, organization } = found;
    return {
      id: user.id,
      role: user.role,
      name: user.name,
      email: user.email,
      specialties: user.specialties,
      affiliationUscc: user.affiliationUscc,
      organization: organization && { id: organization.id, name: organization.name, uscc: organization.uscc },
    };
  }

  /** Every account, or those of one role (the expert pool). */
  function listUsers(role?: Role) {
    return db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        specialties: users.specialties,
        affiliationUscc: users.affiliationUscc,
        active: users.active,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(role ? eq(users.role, role) : undefined)
      .orderBy(asc(users.role), asc(users.createdAt));
  }

  /** Enables or disables an account; a disabled account cannot sign in and is never drawn for a panel. */
  async function setUserActive(userId: string, active: boolean, actor: SignedInUser, origin: RequestOrigin) {
    return db.transaction(async (tx) => {
      const [user] = await tx
        .update(users)
        .set({ active })
        .where(and(eq(users.id, userId), ne(users.role, 'bidder')))
        .returning({ id: users.id, role: users.role, active: users.active });
      if (!user) throw new AppError('NOT_FOUND', '用户不存在');
      await audit.record(tx, {
        actor,
        action: active ? 'user.activate' : 'user.deactivate',
        target: `user:${userId}`,
        ip: origin.ip,
      });
      return user;
    });
  }

  /**
   * On an empty database, creates the administrator. Returns the generated password when none was
   * configured, so that the caller can print it once; null when users already exist.
   */
  async function ensureAdmin(configured: { email: string | null; password: string | null }) {
    const [anyUser] = await db.select({ id: users.id }).from(users).limit(1);
    if (anyUser) return null;
    const email = configured.email ?? 'admin@portal.local';
    const password = configured.password ?? randomBytes(12).toString('base64url');
    await createUser({ email, name: '系统管理员', role: 'admin', password }, null, { ip: 'startup' });
    return { email, password, generated: configured.password === null };
  }

  return { createUser, registerOrganization, signIn, signOut, authenticate, getProfile, listUsers, setUserActive, ensureAdmin };
}
