import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { documentClaims } from '../../db/schema.ts';

// Who produces a recruitment's documents, when several server processes share the database
// (issue 13): the one holding its claim. A claim is a lease in the database, renewed while the
// holder lives (every RENEW_EVERY_MS, and checked before each document); a holder that dies
// stops renewing it, and once it has run out the next sweep of any instance takes it over. The
// same rows work on PGlite, where one process has them all.

/** how long a claim holds without renewal */
export const CLAIM_LEASE_S = 30;
const RENEW_EVERY_MS = 10_000;

export interface Claim {
  /** extends the lease; throws when the claim was lost (ran out and taken over) */
  renew(): Promise<void>;
  release(): Promise<void>;
}

export class ClaimLostError extends Error {
  override name = 'ClaimLostError';
  constructor(recruitmentId: string) {
    super(`the claim on recruitment ${recruitmentId}'s documents ran out and was taken over`);
  }
}

const leaseEnd = sql`now() + make_interval(secs => ${CLAIM_LEASE_S})`;

/** Takes the claim on a recruitment's documents; null while another holds it. */
export async function claimDocuments(db: Db, recruitmentId: string): Promise<Claim | null> {
  const holder = randomUUID();
  const [taken] = await db
    .insert(documentClaims)
    .values({ recruitmentId, holder, until: leaseEnd })
    .onConflictDoUpdate({
      target: documentClaims.recruitmentId,
      set: { holder, until: leaseEnd },
      setWhere: sql`${documentClaims.until} < now()`,
    })
    .returning({ holder: documentClaims.holder });
  if (!taken) return null;
  const mine = and(eq(documentClaims.recruitmentId, recruitmentId), eq(documentClaims.holder, holder));
  const renew = async () => {
    const renewed = await db.update(documentClaims).set({ until: leaseEnd }).where(mine).returning({ holder: documentClaims.holder });
    if (renewed.length === 0) throw new ClaimLostError(recruitmentId);
  };
  // a long step (a slow signing device) keeps the claim; a lost one is found by the next renew()
  const heartbeat = setInterval(() => renew().catch(() => {}), RENEW_EVERY_MS);
  heartbeat.unref();
  return {
    renew,
    async release() {
      clearInterval(heartbeat);
      await db.delete(documentClaims).where(mine);
    },
  };
}
