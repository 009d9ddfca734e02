import { and, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { alerts, recruitments, users } from '../../db/schema.ts';
import type { SignedInUser } from '../accounts/types.ts';
import { EVERY_INSPECTOR_INDICATORS } from './alerts.ts';

// What an inspector oversees. An inspector watches the recruitments it is named on; an
// administrator may grant one the supervising view (users.supervisesAll) of every recruitment of
// the centre. The grant is read at each request, so a withdrawal takes effect at once.

export interface Overseer {
  id: string;
  supervisesAll: boolean;
}

export async function overseerOf(db: Db | Tx, inspector: Pick<SignedInUser, 'id'>): Promise<Overseer> {
  const [row] = await db.select({ supervisesAll: users.supervisesAll }).from(users).where(eq(users.id, inspector.id));
  return { id: inspector.id, supervisesAll: row?.supervisesAll ?? false };
}

/**
 * The recruitments on the overseer's desk (a condition on `recruitments`): those it is named on,
 * and a draft cancelled before any inspector was named while it waits for the countersignature
 * any inspector may give; every one for a supervising inspector.
 */
export function recruitmentsOverseenBy(overseer: Overseer): SQL | undefined {
  if (overseer.supervisesAll) return undefined;
  return or(
    eq(recruitments.inspectorId, overseer.id),
    and(isNull(recruitments.inspectorId), eq(recruitments.status, 'cancelled'), isNull(recruitments.cancelCountersignedBy)),
  );
}

/**
 * The alerts the overseer sees (a condition on `alerts` left-joined with `recruitments`): its
 * recruitments' alerts, and those that concern every inspector (concernsEveryInspector); every
 * one for a supervising inspector.
 */
export function alertsSeenBy(overseer: Overseer): SQL | undefined {
  if (overseer.supervisesAll) return undefined;
  return or(
    isNull(alerts.recruitmentId),
    inArray(alerts.indicator, [...EVERY_INSPECTOR_INDICATORS]),
    eq(recruitments.inspectorId, overseer.id),
  );
}
