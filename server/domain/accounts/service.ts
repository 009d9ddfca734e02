import { randomBytes } from 'node:crypto';
import { and, asc, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { organizations, users, type Role } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import { hashPassword } from '../../lib/password-hashing.ts';
import { AppError } from '../../errors.ts';
import type { AuditService } from '../audit/service.ts';
import { createEmailVerification } from './email-verification.ts';
import { assertStrongPassword, isWeakSecret } from './password-strength.ts';
import { createPasswords } from './passwords.ts';
import { createRateLimiter, registrationLimit } from './rate-limit.ts';
import type { CreateUserInput, RegisterOrganizationInput } from './schemas.ts';
import { createSignIn, revokeSessions } from './sign-in.ts';
import type { RequestOrigin, SignedInUser } from './types.ts';
import { isValidUscc, normalizeUscc } from './uscc.ts';

// Accounts: staff created by an administrator, organisations registering themselves, and the
// stories composed here from their own modules: sign-in and sessions (sign-in.ts), passwords
// (passwords.ts), e-mail verification (email-verification.ts), the attempt limits (rate-limit.ts).

export type { RequestOrigin, SessionKind, SignedInUser } from './types.ts';

function invalidUscc(field: string): AppError {
  return new AppError('INVALID_USCC', '统一社会信用代码无效：请核对 18 位代码（校验位不符）', field);
}

function duplicateEmail(): AppError {
  return new AppError('DUPLICATE_EMAIL', '该电子邮箱已注册', 'email');
}

export type AccountService = ReturnType<typeof createAccountService>;

export function createAccountService({
  db,
  clock,
  audit,
  mailer,
  publicUrl,
  registrationsPerHour,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  mailer: Mailer;
  publicUrl: string;
  registrationsPerHour: number;
}) {
  const registrations = registrationLimit(registrationsPerHour);
  const limits = createRateLimiter({ db, clock });
  const sessions = createSignIn({ db, clock, audit, limits });
  const verification = createEmailVerification({ db, clock, audit, mailer, limits, publicUrl });
  const passwords = createPasswords({ db, clock, audit, mailer, limits, publicUrl });

  async function emailTaken(email: string): Promise<boolean> {
    const [found] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
    return found !== undefined;
  }

  async function createUser(input: CreateUserInput, actor: SignedInUser | null, origin: RequestOrigin) {
    const email = input.email.toLowerCase();
    const affiliationUscc = input.affiliationUscc?.trim() ? normalizeUscc(input.affiliationUscc) : null;
    if (affiliationUscc !== null && !isValidUscc(affiliationUscc)) throw invalidUscc('affiliationUscc');
    // rules on the input come before what the database holds: a weak password is a 400 whatever exists
    await assertStrongPassword(input.password, 'password', [email, input.name]);
    if (await emailTaken(email)) throw duplicateEmail();
    const specialties = input.role === 'expert' ? [...new Set((input.specialties ?? []).map((s) => s.trim()))] : [];
    const passwordHash = await hashPassword(input.password);
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

  /**
   * Registers an organisation and mails it the link that verifies its e-mail. Once the input's own
   * rules hold, the attempt is counted per address before anything is looked up: whether an
   * address is taken (by an organisation or by staff, one answer for both) can only be asked slowly.
   */
  async function registerOrganization(input: RegisterOrganizationInput, origin: RequestOrigin) {
    const uscc = normalizeUscc(input.uscc);
    if (!isValidUscc(uscc)) throw invalidUscc('uscc');
    const email = input.email.toLowerCase();
    await assertStrongPassword(input.password, 'password', [email, input.name, input.contactName]);
    await limits.attempt(registrations, origin.ip);
    const duplicateUscc = new AppError('DUPLICATE_USCC', '该统一社会信用代码已注册', 'uscc');
    const [existing] = await db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.uscc, uscc))
      .limit(1);
    if (existing) throw duplicateUscc;
    if (await emailTaken(email)) throw duplicateEmail();
    const passwordHash = await hashPassword(input.password);
    let created;
    try {
      created = await db.transaction(async (tx) => {
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
            // on the portal's clock, as the deadlines are: a late registration is judged against them
            createdAt: clock.now(),
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
        const token = await verification.issueVerification(tx, user.id);
        return { id: organization.id, userId: user.id, token };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'organizations_uscc_key')) throw duplicateUscc;
      if (isUniqueViolation(error, 'users_email_key')) throw duplicateEmail();
      throw error;
    }
    verification.mailVerification({ email, name: input.name.trim() }, created.token);
    return { id: created.id, userId: created.userId };
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
      organization: organization && {
        id: organization.id,
        name: organization.name,
        uscc: organization.uscc,
        emailVerified: organization.emailVerifiedAt !== null,
      },
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
        supervisesAll: users.supervisesAll,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(role ? eq(users.role, role) : undefined)
      .orderBy(asc(users.role), asc(users.createdAt));
  }

  /**
   * Enables or disables any account; a disabled account cannot sign in, its sessions end at once
   * and it is never drawn for a panel. An administrator cannot disable itself, nor the last active
   * administrator: the active administrators are locked first, so two disabling each other at once
   * cannot both succeed.
   */
  async function setUserActive(userId: string, active: boolean, actor: SignedInUser, origin: RequestOrigin) {
    if (!active && userId === actor.id) throw new AppError('CANNOT_DISABLE_SELF', '不能停用自己的账号');
    return db.transaction(async (tx) => {
      const admins = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.role, 'admin'), eq(users.active, true)))
        .for('update');
      if (!active && admins.length === 1 && admins[0]?.id === userId) {
        throw new AppError('LAST_ACTIVE_ADMIN', '这是最后一个启用中的管理员账号，不能停用：请先创建或启用另一个管理员');
      }
      const [user] = await tx
        .update(users)
        .set({ active })
        .where(eq(users.id, userId))
        .returning({ id: users.id, role: users.role, active: users.active });
      if (!user) throw new AppError('NOT_FOUND', '用户不存在');
      if (!active) await revokeSessions(tx, userId, clock.realNow());
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
   * Grants or withdraws an inspector's supervising view of every recruitment of the centre
   * (inspection/oversight.ts). Asking for the view the inspector already has changes nothing.
   */
  async function setSupervisesAll(userId: string, supervisesAll: boolean, actor: SignedInUser, origin: RequestOrigin) {
    return db.transaction(async (tx) => {
      const [user] = await tx.select({ role: users.role, supervisesAll: users.supervisesAll }).from(users).where(eq(users.id, userId));
      if (!user) throw new AppError('NOT_FOUND', '用户不存在');
      if (user.role !== 'inspector') throw new AppError('NOT_AN_INSPECTOR', '只能授予纪检监督员全部项目监督权限');
      const [changed] = await tx
        .update(users)
        .set({ supervisesAll })
        .where(and(eq(users.id, userId), ne(users.supervisesAll, supervisesAll)))
        .returning({ id: users.id });
      if (changed) {
        await audit.record(tx, {
          actor,
          action: supervisesAll ? 'user.supervise_grant' : 'user.supervise_withdraw',
          target: `user:${userId}`,
          ip: origin.ip,
        });
      }
      return { id: userId, role: user.role, supervisesAll };
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
    if (configured.password !== null && (await isWeakSecret(configured.password, [email]))) {
      throw new Error('ADMIN_PASSWORD 太容易被猜中（常见密码、重复或连续的字符）：请换一个更长、更随机的密码');
    }
    await createUser({ email, name: '系统管理员', role: 'admin', password }, null, { ip: 'startup' });
    return { email, password, generated: configured.password === null };
  }

  return {
    createUser,
    registerOrganization,
    ...sessions,
    verifyEmail: verification.verifyEmail,
    resendVerification: verification.resendVerification,
    ...passwords,
    getProfile,
    listUsers,
    setUserActive,
    setSupervisesAll,
    ensureAdmin,
    /** the attempt limits, for other areas' secrets (opening passphrases) */
    limits,
  };
}
