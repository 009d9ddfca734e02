import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { TestApp } from './app.ts';

export interface SentMail {
  to: string;
  subject: string;
  text: string;
}

/** The mails written to the outbox so far, decoded, once every queued one is written. */
export async function outbox(t: TestApp): Promise<SentMail[]> {
  await t.app.services.mailer.drain();
  const dir = path.join(t.storageDir, 'outbox');
  let files: string[] = [];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return Promise.all(
    files.map(async (file) => {
      const mail = await simpleParser(readFileSync(path.join(dir, file)));
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      return { to: to?.value[0]?.address ?? '', subject: mail.subject ?? '', text: mail.text ?? '' };
    }),
  );
}

/** The token of the last mailed link to `to` whose subject starts with `subject`. */
export async function mailedToken(t: TestApp, to: string, subject: string): Promise<string> {
  const mail = (await outbox(t)).filter((m) => m.to === to && m.subject.startsWith(subject)).at(-1);
  const token = mail && /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no mail "${subject}" with a link to ${to}`);
  return token;
}
