import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { createAgentMails } from './agent-mails.ts';
import { createDailyDigests } from './digest.ts';
import { createMailOnce } from './mail-once.ts';
import type { NotificationSettings } from './schemas.ts';
import { createSignOffMails } from './sign-offs.ts';

// Notifications (issue 14), composed from their stories: the inspector's sign-offs waiting
// (sign-offs.ts), the agent told of questions, objections and challenges (agent-mails.ts), the
// inspector's daily digest (digest.ts), and each person's choice to receive the digest or not.

export type NotificationService = ReturnType<typeof createNotificationService>;

export function createNotificationService({
  db,
  clock,
  audit,
  mailer,
  publicUrl,
  report,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  mailer: Pick<Mailer, 'send' | 'deliver'>;
  publicUrl: string;
  /** logs a notification that could not be sent: what caused it has committed all the same */
  report: (error: unknown) => void;
}) {
  const mailOnce = createMailOnce({ db, clock, mailer });

  async function settingsOf(user: SignedInUser): Promise<NotificationSettings> {
    const [row] = await db.select({ dailyDigest: users.dailyDigest }).from(users).where(eq(users.id, user.id));
    if (!row) throw new AppError('NOT_FOUND', '用户不存在');
    return row;
  }

  /** Turns the daily digest on or off; audited when it changes. */
  async function changeSettings(user: SignedInUser, { dailyDigest }: NotificationSettings, origin: RequestOrigin): Promise<NotificationSettings> {
    await db.transaction(async (tx) => {
      const [changed] = await tx
        .update(users)
        .set({ dailyDigest })
        .where(and(eq(users.id, user.id), ne(users.dailyDigest, dailyDigest)))
        .returning({ id: users.id });
      if (changed) {
        await audit.record(tx, { actor: user, action: 'user.notifications', target: `user:${user.id}`, ip: origin.ip, details: { dailyDigest } });
      }
    });
    return { dailyDigest };
  }

  return {
    signOffs: createSignOffMails({ db, clock, mailOnce, publicUrl, report }),
    agentMails: createAgentMails({ db, mailOnce, publicUrl, report }),
    digests: createDailyDigests({ db, clock, mailer, publicUrl }),
    settingsOf,
    changeSettings,
  };
}
