import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { organizations } from '../../db/schema.ts';
import { consumeAccountToken, issueAccountToken } from './account-tokens.ts';
import { VERIFY_RESEND } from './rate-limit.ts';
import type { MailedLinkDeps, RequestOrigin, SignedInUser } from './types.ts';

// An organisation proves it owns its e-mail address by following a mailed link (SPEC §5). It may
// sign in at once, but its bids are refused (EMAIL_NOT_VERIFIED) until then.

const VERIFICATION_TTL_MS = 72 * 60 * 60 * 1000;

export function createEmailVerification({
  db,
  clock,
  audit,
  mailer,
  limits,
  publicUrl,
}: MailedLinkDeps) {
  /** Inside the registering transaction: a new token; `mailVerification` sends it after commit. */
  function issueVerification(tx: Tx, userId: string): Promise<string> {
    return issueAccountToken(tx, userId, 'verify_email', clock.realNow(), VERIFICATION_TTL_MS);
  }

  function mailVerification(to: { email: string; name: string }, token: string): void {
    mailer.send({
      to: to.email,
      subject: '请验证您的电子邮箱',
      text: [
        `${to.name}：`,
        '',
        '您的组织已在职工服务中心合作伙伴招募平台注册。请打开下面的链接并点击“确认验证”，验证此电子邮箱；验证之前不能提交响应文件。',
        '',
        `${publicUrl}/verify-email?token=${token}`,
        '',
        `链接 ${VERIFICATION_TTL_MS / 3600000} 小时内有效，只能使用一次。如果您没有注册，请忽略本邮件。`,
      ].join('\n'),
    });
  }

  /** Marks the organisation behind the token verified; the token is used up. */
  async function verifyEmail(token: string, origin: RequestOrigin): Promise<{ verified: true }> {
    const now = clock.realNow();
    await db.transaction(async (tx) => {
      const userId = await consumeAccountToken(tx, token, 'verify_email', now);
      const [organization] = await tx
        .update(organizations)
        .set({ emailVerifiedAt: now })
        .where(and(eq(organizations.userId, userId), isNull(organizations.emailVerifiedAt)))
        .returning({ id: organizations.id, email: organizations.email });
      if (organization) {
        await audit.record(tx, {
          actor: { id: userId, role: 'bidder' },
          action: 'organization.email_verified',
          target: `organization:${organization.id}`,
          ip: origin.ip,
          details: { email: organization.email },
        });
      }
    });
    return { verified: true };
  }

  /** Mails a new link to a signed-in organisation not yet verified (a lost or expired mail). */
  async function resendVerification(user: SignedInUser): Promise<{ verified: boolean }> {
    const [organization] = await db
      .select({ name: organizations.name, email: organizations.email, verifiedAt: organizations.emailVerifiedAt })
      .from(organizations)
      .where(eq(organizations.userId, user.id));
    if (!organization || organization.verifiedAt) return { verified: organization !== undefined };
    await limits.attempt(VERIFY_RESEND, user.id);
    const token = await db.transaction((tx) => issueVerification(tx, user.id));
    mailVerification(organization, token);
    return { verified: false };
  }

  return { issueVerification, mailVerification, verifyEmail, resendVerification };
}
