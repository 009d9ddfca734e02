import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { satisfactionRatings, serviceUses } from '../../db/schema.ts';
import { OFFER_GROUPS, type OfferGroup } from '../offers/types.ts';
import { SATISFIED_FROM, PLACE_KINDS, type PlaceKind } from './types.ts';

// The figures a partnership's ratings and delivered places add up to over a period: what the
// partner, the agent, the inspector and a review see. Aggregates only — never who rated.

export interface Period {
  /** inclusive */
  from: Date;
  /** exclusive */
  to: Date;
}

export interface SatisfactionFigures {
  ratings: number;
  /** mean score on the 5-point scale, 2 decimals; null without ratings */
  mean: number | null;
  /** share of ratings of 4 or 5, 0–1 with 4 decimals (满意率); null without ratings */
  satisfiedShare: number | null;
  /** ratings per score 1–5 */
  distribution: [number, number, number, number, number];
  byGroup: Record<OfferGroup, { ratings: number; mean: number | null }>;
}

export interface DeliveredPlaces {
  total: number;
  byKind: Record<PlaceKind, number>;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The figures of a set of ratings. */
export function summariseRatings(ratings: readonly { score: number; group: OfferGroup }[]): SatisfactionFigures {
  const distribution: SatisfactionFigures['distribution'] = [0, 0, 0, 0, 0];
  for (const { score } of ratings) distribution[score - 1]! += 1;
  const mean = (list: readonly { score: number }[]) =>
    list.length === 0 ? null : round(list.reduce((sum, { score }) => sum + score, 0) / list.length, 2);
  const byGroup = Object.fromEntries(
    OFFER_GROUPS.map((group) => {
      const own = ratings.filter((rating) => rating.group === group);
      return [group, { ratings: own.length, mean: mean(own) }];
    }),
  ) as SatisfactionFigures['byGroup'];
  const satisfied = ratings.filter(({ score }) => score >= SATISFIED_FROM).length;
  return {
    ratings: ratings.length,
    mean: mean(ratings),
    satisfiedShare: ratings.length === 0 ? null : round(satisfied / ratings.length, 4),
    distribution,
    byGroup,
  };
}

/** The partnership's ratings given within the period. */
export async function satisfactionOf(db: Db | Tx, partnershipId: string, period: Period): Promise<SatisfactionFigures> {
  const rows = await db
    .select({ score: satisfactionRatings.score, group: satisfactionRatings.group })
    .from(satisfactionRatings)
    .where(
      and(
        eq(satisfactionRatings.partnershipId, partnershipId),
        gte(satisfactionRatings.ratedAt, period.from),
        lt(satisfactionRatings.ratedAt, period.to),
      ),
    );
  return summariseRatings(rows);
}

/** The places the partner recorded as delivered (a proof-of-use code issued) within the period. */
export async function deliveredPlacesOf(db: Db | Tx, partnershipId: string, period: Period): Promise<DeliveredPlaces> {
  const rows = await db
    .select({ place: serviceUses.place, count: sql<number>`count(*)::int` })
    .from(serviceUses)
    .where(and(eq(serviceUses.partnershipId, partnershipId), gte(serviceUses.usedAt, period.from), lt(serviceUses.usedAt, period.to)))
    .groupBy(serviceUses.place);
  const byKind = Object.fromEntries(PLACE_KINDS.map((kind) => [kind, rows.find((row) => row.place === kind)?.count ?? 0])) as DeliveredPlaces['byKind'];
  return { total: rows.reduce((sum, row) => sum + row.count, 0), byKind };
}
