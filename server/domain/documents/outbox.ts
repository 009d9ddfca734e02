import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { outgoingMails } from '../../db/schema.ts';

// A message is recorded before it is sent, once per purpose and recipient (issue 13): sent again
// after a crash, it is the same message — the same Message-ID, the same outbox file (lib/mailer.ts).

export type RecordedMail = typeof outgoingMails.$inferSelect;

/** The message for `purpose` to `recipient`: recorded now, or as it was recorded before. */
export async function recordMail(db: Db | Tx, purpose: string, recipient: string, now: Date): Promise<RecordedMail> {
  await db.insert(outgoingMails).values({ id: randomUUID(), purpose, recipient, createdAt: now }).onConflictDoNothing();
  const [mail] = await db
    .select()
    .from(outgoingMails)
    .where(and(eq(outgoingMails.purpose, purpose), eq(outgoingMails.recipient, recipient)));
  if (!mail) throw new Error(`mail ${purpose} to ${recipient} was not recorded`);
  return mail;
}

/**
 * Records the message for `purpose` to `recipient` unless it was recorded before: answers it only
 * to the one caller, of any server process, that recorded it, who alone sends it.
 */
export async function claimMail(db: Db | Tx, purpose: string, recipient: string, now: Date): Promise<RecordedMail | null> {
  const [mail] = await db.insert(outgoingMails).values({ id: randomUUID(), purpose, recipient, createdAt: now }).onConflictDoNothing().returning();
  return mail ?? null;
}

export async function markMailSent(db: Db | Tx, id: string, now: Date) {
  await db.update(outgoingMails).set({ sentAt: now }).where(eq(outgoingMails.id, id));
}

/** what the mailer needs to send a recorded message as itself */
export const asRecorded = (mail: RecordedMail) => ({ id: mail.id, at: mail.createdAt });
