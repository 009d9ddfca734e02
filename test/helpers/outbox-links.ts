import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';

// Reads mailed links from an outbox folder (STORAGE_DIR/outbox, where mail goes without SMTP),
// for the demo and for servers running as child processes. Each file is parsed once at each size:
// the server writes a mail with a plain writeFile, so a listing may show it empty or half-written.

const parsed = new Map<string, { to: string; subject: string; text: string }>();

async function mailsIn(dir: string) {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  const read = [];
  for (const file of files) {
    const full = path.join(dir, file);
    const key = `${full}:${statSync(full).size}`;
    if (!parsed.has(key)) {
      const mail = await simpleParser(readFileSync(full));
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      parsed.set(key, { to: to?.value[0]?.address ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
    }
    read.push(parsed.get(key)!);
  }
  return read;
}

/** The token of the last link mailed to `to` under `subject`, waiting up to `waitMs` for the mail to be written. */
export async function linkTokenInOutbox(dir: string, to: string, subject: string, waitMs = 10_000): Promise<string> {
  const until = Date.now() + waitMs;
  for (;;) {
    const mail = (await mailsIn(dir)).filter((m) => m.to === to && m.subject.startsWith(subject)).at(-1);
    const token = mail && /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    if (token) return token;
    if (Date.now() > until) throw new Error(`no mail "${subject}" to ${to} in ${dir}`);
    await sleep(50);
  }
}
