import type { Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Storage } from './storage.ts';

// One transport built from config: SMTP when SMTP_URL is set, otherwise each message is written
// as an .eml file under STORAGE_DIR/outbox. Mail goes out after the transaction that caused it
// has committed, and a failing mail server never fails the request.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
  /**
   * the message as recorded before sending (outgoing_mails): its id makes the Message-ID, and the
   * outbox file's name, the same each time it is sent again
   */
  recorded?: { id: string; at: Date };
}

export interface Mailer {
  /**
   * queues a message; delivery errors are logged, not thrown; `afterSent` runs once it is handed
   * over (e.g. marks a recorded message sent)
   */
  send(message: MailMessage, afterSent?: () => Promise<void>): void;
  /** hands a message over now and resolves once it is (sent or written to the outbox); throws on failure */
  deliver(message: MailMessage): Promise<void>;
  /** resolves once every queued message has been handed over (used at shutdown) */
  drain(): Promise<void>;
}

export function createMailer(
  config: Pick<Config, 'smtpUrl' | 'mailFrom'>,
  storage: Pick<Storage, 'saveOutgoingMail'>,
  log: (error: unknown, message: MailMessage) => void,
): Mailer {
  // nodemailer is loaded with the first message, not at start
  let transport: Promise<Transporter> | null = null;
  const transportOnce = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      config.smtpUrl
        ? nodemailer.createTransport(config.smtpUrl)
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    ));
  const pending = new Set<Promise<void>>();

  // a recorded message's Message-ID is <its id@the sender's domain>: receivers may drop a copy
  const domain = /@([^\s>]+)>?\s*$/.exec(config.mailFrom)?.[1] ?? 'localhost';

  async function deliver({ recorded, ...message }: MailMessage) {
    const messageId = recorded ? { messageId: `<${recorded.id}@${domain}>`, date: recorded.at } : {};
    const info = await (await transportOnce()).sendMail({ from: config.mailFrom, ...message, ...messageId });
    if (!config.smtpUrl) await storage.saveOutgoingMail(info.message as Buffer, recorded);
  }

  return {
    send(message, afterSent) {
      const delivery = deliver(message)
        .then(afterSent)
        .catch((error: unknown) => log(error, message))
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    },
    deliver,
    async drain() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
