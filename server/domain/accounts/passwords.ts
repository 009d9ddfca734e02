import { and, eq } from 'drizzle-orm';
import { users } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { hashPassword, verifyPassword } from '../../lib/password-hashing.ts';
import { consumeAccountToken, findAccountToken, issueAccountToken } from './account-tokens.ts';
import { assertStrongPassword } from './password-strength.ts';
import { PASSWORD_CHANGE, RESET_ACCOUNT, RESET_ADDRESS } from './rate-limit.ts';
import { revokeSessions } from './sign-in.ts';
import type { MailedLinkDeps, RequestOrigin, SignedInUser } from './types.ts';

// Changing a password (knowing the current one) and resetting it by a mailed link. A change ends
// the user's other sessions, a reset all of them; both are audited with the new hash in the same
// transaction. A reset request answers the same whether or not the address has an account.

const RESET_TTL_MS = 60 * 60 * 1000;

export function createPasswords({
  db,
  clock,
  audit,
  mailer,
  limits,
  publicUrl,
}: MailedLinkDeps) {
  async function changePassword(user: SignedInUser, input: { oldPassword: string; newPassword: string }, origin: RequestOrigin) {
    const counted = await limits.attempt(PASSWORD_CHANGE, user.id);
    const [stored] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, user.id));
    if (!stored || !(await verifyPassword(stored.passwordHash, input.oldPassword))) {
      throw new AppError('WRONG_PASSWORD', '原密码不正确', 'oldPassword');
    }
    await limits.refund(counted);
    await assertStrongPassword(input.newPassword, 'newPassword', [user.email, user.name]);
    const passwordHash = await hashPassword(input.newPassword);
    const now = clock.realNow();
    await db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      await revokeSessions(tx, user.id, now, user.sessionId);
      await audit.record(tx, { actor: user, action: 'auth.password_change', target: `user:${user.id}`, ip: origin.ip });
    });
  }

  /** Mails a reset link when the address belongs to an active account; answers nothing either way. */
  async function requestPasswordReset(email: string, origin: RequestOrigin): Promise<void> {
    const address = email.toLowerCase();
    await limits.attempt(RESET_ADDRESS, origin.ip);
    try {
      await limits.attempt(RESET_ACCOUNT, address);
    } catch (error) {
      // a refusal here would tell that the address was asked for before: say nothing, send nothing
      if (error instanceof AppError && error.code === 'RATE_LIMITED') return;
      throw error;
    }
    const [user] = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.email, address), eq(users.active, true)));
    if (!user) return;
    const token = await db.transaction((tx) => issueAccountToken(tx, user.id, 'password_reset', clock.realNow(), RESET_TTL_MS));
    mailResetLink({ email: address, name: user.name }, token, [
      '有人为您在职工服务中心合作伙伴招募平台的账号申请了重置密码。如果是您本人，请打开下面的链接设置新密码：',
      '如果不是您本人申请，请忽略本邮件，您的密码不会改变。',
    ]);
  }

  function mailResetLink(user: { email: string; name: string }, token: string, [why, otherwise]: [string, string]): void {
    mailer.send({
      to: user.email,
      subject: '重置密码',
      text: [
        `${user.name}：`,
        '',
        why,
        '',
        `${publicUrl}/password-reset/confirm?token=${token}`,
        '',
        `链接 1 小时内有效，只能使用一次；设置新密码后，您账号的所有登录都会退出。${otherwise}`,
      ].join('\n'),
    });
  }

  /**
   * An administrator mails an account the same reset link as 忘记密码 does, audited. The password
   * stays as it is until the link is used; a disabled account must be enabled first.
   */
  async function sendPasswordReset(userId: string, actor: SignedInUser, origin: RequestOrigin): Promise<void> {
    const { user, token } = await db.transaction(async (tx) => {
      const [found] = await tx.select({ email: users.email, name: users.name, active: users.active }).from(users).where(eq(users.id, userId));
      if (!found) throw new AppError('NOT_FOUND', '用户不存在');
      if (!found.active) throw new AppError('ACCOUNT_DISABLED', '该账号已停用：请先启用，再发送重设密码邮件');
      await audit.record(tx, { actor, action: 'user.password_reset_sent', target: `user:${userId}`, ip: origin.ip });
      return { user: found, token: await issueAccountToken(tx, userId, 'password_reset', clock.realNow(), RESET_TTL_MS) };
    });
    mailResetLink(user, token, [
      '系统管理员为您在职工服务中心合作伙伴招募平台的账号发送了重设密码链接。请打开下面的链接设置新密码：',
      '在此之前，原密码仍然有效；如有疑问，请联系系统管理员。',
    ]);
  }

  /** Sets the new password of the token's user and ends every session of that user. */
  async function confirmPasswordReset(input: { token: string; newPassword: string }, origin: RequestOrigin): Promise<void> {
    const now = clock.realNow();
    const userId = await findAccountToken(db, input.token, 'password_reset', now);
    const [user] = await db.select({ email: users.email, name: users.name, role: users.role }).from(users).where(eq(users.id, userId));
    if (!user) throw new Error('token of a missing user');
    // checked before the token is used, so a weak choice leaves the link usable for a stronger one
    await assertStrongPassword(input.newPassword, 'newPassword', [user.email, user.name]);
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction(async (tx) => {
      // used here, conditionally: of two requests with one token only one gets past this line
      if ((await consumeAccountToken(tx, input.token, 'password_reset', now)) !== userId) throw new Error('token changed hands');
      await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
      await revokeSessions(tx, userId, now);
      await audit.record(tx, { actor: { id: userId, role: user.role }, action: 'auth.password_reset', target: `user:${userId}`, ip: origin.ip });
    });
  }

  return { changePassword, requestPasswordReset, sendPasswordReset, confirmPasswordReset };
}
