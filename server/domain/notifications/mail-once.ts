import type { Db } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer, MailMessage } from '../../lib/mailer.ts';
import { asRecorded, claimMail, markMailSent } from '../documents/outbox.ts';

// A notification is recorded under its purpose before it is sent (outgoing_mails, unique per
// purpose and recipient, issue 13): the same moment seen twice, or by two server processes, mails
// it once. It goes out after the commit that caused it, without holding up the request.

export type MailOnce = (purpose: string, message: Omit<MailMessage, 'recorded'>) => Promise<boolean>;

export function createMailOnce({ db, clock, mailer }: { db: Db; clock: Clock; mailer: Pick<Mailer, 'send'> }): MailOnce {
  /** Queues the message unless it was recorded before; answers whether it was queued now. */
  return async (purpose, message) => {
    const mail = await claimMail(db, purpose, message.to, clock.realNow());
    if (!mail) return false;
    mailer.send({ ...message, recorded: asRecorded(mail) }, () => markMailSent(db, mail.id, clock.realNow()));
    return true;
  };
}
