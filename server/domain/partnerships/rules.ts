import { RULES } from '../recruitments/rules.ts';
import type { ReviewKind, ReviewResult } from './types.ts';

// The partnership's pure rules (issue 17): the term and its end, and the lapse of an award.

/** Days from the award within which the agreement is to be signed; the award notice states the date. */
export const SIGN_WITHIN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export function signDeadline(awardedAt: Date): Date {
  return new Date(awardedAt.getTime() + SIGN_WITHIN_DAYS * DAY_MS);
}

/** Whether an award unsigned at `now` has lapsed: the deadline is the last instant to sign. */
export function hasLapsed(signBy: Date, now: Date): boolean {
  return now.getTime() > signBy.getTime();
}

export function termTooLong(termMonths: number): boolean {
  return termMonths > RULES.maxAgreementTermMonths;
}

/**
 * The end of a term of `termMonths` starting at `start`: the same day-of-month `termMonths`
 * later (UTC), or the month's last day when that month is shorter (31 Jan + 1 month → 28/29 Feb).
 */
export function termEnd(start: Date, termMonths: number): Date {
  const end = new Date(start.getTime());
  const day = start.getUTCDate();
  end.setUTCDate(1);
  end.setUTCMonth(end.getUTCMonth() + termMonths);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return end;
}

export interface ReviewOutcome {
  kind: ReviewKind;
  result: ReviewResult | null;
  completedAt: Date | null;
}

/**
 * The review a termination rests on (Shaanxi art. 16: a failed rectification ends the agreement):
 * the partnership's latest completed review, when it is a rectification review that failed; null
 * otherwise — a later review passed, or none failed.
 */
export function failedRectification<Review extends ReviewOutcome>(reviews: readonly Review[]): Review | null {
  const completed = reviews.filter((review) => review.completedAt !== null);
  const latest = completed.reduce<Review | null>((last, review) => (last === null || review.completedAt! > last.completedAt! ? review : last), null);
  return latest?.kind === 'rectification' && latest.result === 'fail' ? latest : null;
}
