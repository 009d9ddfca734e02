import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';

// Reads mailed links from an outbox folder (STORAGE_DIR/outbox, where mail goes without SMTP),
// for the demo and for servers running as child processes. Each file is parsed once.

const parsed = new Map<string, { to: string; subject: string; text: string }>();

/** The mails written to the outbox folder `dir`, oldest first. */
export async function mailsIn(dir: string) {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  for (const file of files) {
    const full = path.join(dir, file);
    if (parsed.has(full)) continue;
    const mail = await simpleParser(readFileSync(full));
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    parsed.set(full, { to: to?.value[0]?.address ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
  }
  return files.map((file) => parsed.get(path.join(dir, file))!);
}

/** The last link with a token mailed to `to` under `subject`, waiting up to `waitMs` for the mail to be written. */
export async function linkInOutbox(dir: string, to: string, subject: string, waitMs = 10_000): Promise<string> {
  const until = Date.now() + waitMs;
  for (;;) {
    const mail = (await mailsIn(dir)).filter((m) => m.to === to && m.subject.startsWith(subject)).at(-1);
    const link = mail && /https?:\/\/\S*[?&]token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    if (link) return link;
    if (Date.now() > until) throw new Error(`no mail "${subject}" to ${to} in ${dir}`);
    await sleep(50);
  }
}

/** The token of the last link mailed to `to` under `subject` (linkInOutbox). */
export async function linkTokenInOutbox(dir: string, to: string, subject: string, waitMs = 10_000): Promise<string> {
  return /[?&]token=([A-Za-z0-9_-]+)/.exec(await linkInOutbox(dir, to, subject, waitMs))![1]!;
}
