import { asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { partnershipReviews } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { deliveredPlacesOf, satisfactionOf } from '../satisfaction/aggregate.ts';
import { offersOf } from '../offers/catalogue.ts';
import { monthsOf, promisedPlaces } from './rules.ts';
import type { PlacesRecord, SatisfactionRecord } from './types.ts';

// Reading reviews, and the figures of a review's period the form shows and the result counts:
// the period's worker satisfaction (ratings, 满意率) and the public-benefit places delivered
// beside those the catalogue promises.

export type ReviewRow = typeof partnershipReviews.$inferSelect;

export async function loadReview(executor: Db | Tx, id: string): Promise<ReviewRow> {
  const [row] = await executor.select().from(partnershipReviews).where(eq(partnershipReviews.id, id));
  if (!row) throw new AppError('NOT_FOUND', '考核不存在');
  return row;
}

/** The partnership's reviews, by due date. */
export async function reviewsOf(executor: Db | Tx, partnershipId: string): Promise<ReviewRow[]> {
  return executor
    .select()
    .from(partnershipReviews)
    .where(eq(partnershipReviews.partnershipId, partnershipId))
    .orderBy(asc(partnershipReviews.dueAt), asc(partnershipReviews.scheduledAt));
}

export interface PeriodFigures {
  satisfaction: SatisfactionRecord;
  places: PlacesRecord;
}

/** The period's figures; the promise counts each catalogue version over the months it was in force (rules.ts). */
export async function figuresOf(executor: Db | Tx, partnershipId: string, period: { from: Date; to: Date }): Promise<PeriodFigures> {
  const [satisfaction, delivered, offers] = await Promise.all([
    satisfactionOf(executor, partnershipId, period),
    deliveredPlacesOf(executor, partnershipId, period),
    offersOf(executor, [partnershipId]),
  ]);
  const months = monthsOf(period);
  return {
    satisfaction: { ratings: satisfaction.ratings, mean: satisfaction.mean, satisfiedShare: satisfaction.satisfiedShare },
    places: {
      delivered: { free: delivered.byKind.free, discounted: delivered.byKind.discounted },
      promised: promisedPlaces(offers, period),
      months,
    },
  };
}
