import { createHash } from 'node:crypto';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { openingEnteredShares } from '../../db/schema.ts';
import { openEnteredShare, parseEncryptedJson, SealingError, sealEnteredShare } from '../../lib/sealing.ts';
import type { Storage } from '../../lib/storage.ts';
import { BID_KEY_THRESHOLD } from './keys.ts';

// Shares entered at an opening in progress (SPEC §4.1). The holders may enter on different server
// processes, and a process may restart between two entries, so the opened shares are kept in the
// database — encrypted with a secret the servers hold outside it, for a limited time — and taken
// (deleted) by the one process that opens the bids with them. SECURITY.md, "Entered shares".

/** How long an entered share stays usable: the holders of one opening enter within this time. */
export const ENTERED_SHARE_LIFETIME_MS = 30 * 60_000;

/**
 * The 32-byte secret the entries are encrypted with: from ENTERED_SHARE_SECRET when set (kept
 * outside the storage folder, so that the database and the storage together do not hold it),
 * otherwise generated once into the storage every instance shares.
 */
export function enteredShareSecret(configured: string | null, storage: Pick<Storage, 'secret'>): Buffer {
  if (configured !== null) return createHash('sha256').update(configured, 'utf8').digest();
  return Buffer.from(storage.secret('entered-shares'), 'base64url');
}

export type EnteredShares = ReturnType<typeof createEnteredShares>;

/** A share taken to open the bids: its bytes, wiped by whoever took it once done. */
export interface TakenShare {
  holderId: string;
  share: Buffer;
  enteredAt: Date;
}

export function createEnteredShares({ db, secret }: { db: Db; secret: Buffer }) {
  const usableSince = (now: Date) => new Date(now.getTime() - ENTERED_SHARE_LIFETIME_MS);

  /** Keeps a holder's opened share (replacing an earlier one), in the transaction recording the entry; wipes `share`. */
  async function keep(tx: Tx, recruitmentId: string, holderId: string, share: Buffer, now: Date) {
    try {
      const sealedShare = sealEnteredShare(share, secret, recruitmentId, holderId, now);
      await tx
        .insert(openingEnteredShares)
        .values({ recruitmentId, holderId, sealedShare, enteredAt: now })
        .onConflictDoUpdate({
          target: [openingEnteredShares.recruitmentId, openingEnteredShares.holderId],
          set: { sealedShare, enteredAt: now },
        });
    } finally {
      share.fill(0);
    }
  }

  /** The holders whose share is usable now. */
  async function holders(recruitmentId: string, now: Date): Promise<Map<string, Date>> {
    const rows = await db
      .select({ holderId: openingEnteredShares.holderId, enteredAt: openingEnteredShares.enteredAt })
      .from(openingEnteredShares)
      .where(and(eq(openingEnteredShares.recruitmentId, recruitmentId), gt(openingEnteredShares.enteredAt, usableSince(now))));
    return new Map(rows.map((row) => [row.holderId, row.enteredAt]));
  }

  /**
   * Takes the usable shares once there are enough to rebuild the bid key: they are deleted in the
   * same statement, so of several processes asking at once exactly one gets them; the others, and
   * any caller while too few are in, get null. A process that dies after taking them leaves the
   * holders to enter again, which the opening page shows. `rejected`: the holders whose entry did
   * not open with the secret and its own time, dropped.
   */
  async function take(recruitmentId: string, now: Date): Promise<{ taken: TakenShare[] | null; rejected: string[] }> {
    const since = usableSince(now);
    const usable = and(eq(openingEnteredShares.recruitmentId, recruitmentId), gt(openingEnteredShares.enteredAt, since));
    const taken = await db
      .delete(openingEnteredShares)
      .where(
        and(
          usable,
          sql`(select count(*) from ${openingEnteredShares} where ${openingEnteredShares.recruitmentId} = ${recruitmentId} and ${openingEnteredShares.enteredAt} > ${since.toISOString()}::timestamptz) >= ${BID_KEY_THRESHOLD}`,
        ),
      )
      .returning({ holderId: openingEnteredShares.holderId, sealedShare: openingEnteredShares.sealedShare, enteredAt: openingEnteredShares.enteredAt });
    if (taken.length < BID_KEY_THRESHOLD) {
      // another statement removed some of those counted meanwhile: what this one took waits again, as it was
      if (taken.length > 0) await db.insert(openingEnteredShares).values(taken.map((row) => ({ recruitmentId, ...row }))).onConflictDoNothing();
      return { taken: null, rejected: [] };
    }
    // an entry that does not open with its own time (written or re-dated by someone other than a
    // server) is no entry: it is dropped, and the genuine ones wait again if too few are left
    const opened: TakenShare[] = [];
    const rejected: string[] = [];
    for (const { holderId, sealedShare, enteredAt } of taken) {
      try {
        opened.push({ holderId, share: openEnteredShare(parseEncryptedJson(sealedShare), secret, recruitmentId, holderId, enteredAt), enteredAt });
      } catch (error) {
        if (!(error instanceof SealingError)) throw error;
        rejected.push(holderId);
      }
    }
    if (opened.length >= BID_KEY_THRESHOLD) return { taken: opened, rejected };
    try {
      if (opened.length > 0) await putBack(recruitmentId, opened);
    } finally {
      for (const { share } of opened) share.fill(0);
    }
    return { taken: null, rejected };
  }

  /**
   * Gives back shares taken for an opening that did not complete (the storage out of reach): they
   * wait again for what is left of their lifetime, unless the holder has entered anew meanwhile.
   */
  async function putBack(recruitmentId: string, taken: readonly TakenShare[]) {
    await db
      .insert(openingEnteredShares)
      .values(taken.map(({ holderId, share, enteredAt }) => ({ recruitmentId, holderId, sealedShare: sealEnteredShare(share, secret, recruitmentId, holderId, enteredAt), enteredAt })))
      .onConflictDoNothing();
  }

  /** Removes the shares no longer usable (by the periodic clean-up); answers how many. */
  async function forgetExpired(now: Date): Promise<number> {
    const removed = await db
      .delete(openingEnteredShares)
      .where(lte(openingEnteredShares.enteredAt, usableSince(now)))
      .returning({ holderId: openingEnteredShares.holderId });
    return removed.length;
  }

  return { keep, holders, take, putBack, forgetExpired };
}
