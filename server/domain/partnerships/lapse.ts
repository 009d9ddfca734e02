import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { partnerships } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AuditService } from '../audit/service.ts';
import { hasLapsed } from './rules.ts';
import { applyPartnershipTransition } from './transition.ts';
import { startSweep } from '../../lib/sweep.ts';

// An award whose agreement is not signed by the award notice's deadline lapses (视为放弃入选资格):
// found by a sweep on the clock and on every read of a partnership, so the status never shows
// `awarded` past the deadline. Each lapse is its own transaction and audit entry, by the portal.

export function createLapses({ db, clock, audit }: { db: Db; clock: Clock; audit: AuditService }) {
  /** Lapses every overdue award (of one recruitment, or one partnership, when given); returns how many. */
  async function lapseOverdue(scope: { recruitmentId?: string; partnershipId?: string } = {}): Promise<number> {
    const now = clock.now();
    const due = await db
      .select()
      .from(partnerships)
      .where(
        and(
          eq(partnerships.status, 'awarded'),
          lt(partnerships.signBy, now),
          scope.recruitmentId ? eq(partnerships.recruitmentId, scope.recruitmentId) : undefined,
          scope.partnershipId ? eq(partnerships.id, scope.partnershipId) : undefined,
        ),
      );
    let lapsed = 0;
    // the query only narrows; hasLapsed is the rule
    for (const partnership of due.filter((row) => hasLapsed(row.signBy, now))) {
      try {
        await db.transaction((tx) =>
          applyPartnershipTransition(tx, audit, partnership, 'lapse', null, null, {
            set: { lapsedAt: now },
            details: { signBy: partnership.signBy.toISOString(), acceptedVersion: partnership.acceptedVersion },
          }),
        );
        lapsed++;
      } catch (error) {
        // signed (or lapsed by another process) in the meantime
        if (!(error instanceof AppError && error.code === 'INVALID_TRANSITION')) throw error;
      }
    }
    return lapsed;
  }

  // the sweep on the clock (lib/sweep.ts)
  return { lapseOverdue, startSweep: (everyMs: number, report: (error: unknown) => void) => startSweep(everyMs, lapseOverdue, report) };
}

export type Lapses = ReturnType<typeof createLapses>;
