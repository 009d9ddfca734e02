import { DAY_MS } from '../recruitments/rules.ts';

// The rules of publicity and award (SPEC §3, §5), pure: data in, data out.

/** Publicity ends exactly `days` × 24 h after the announcement, whatever the calendar does. */
export function publicityEndsAt(announcedAt: Date, days: number): Date {
  return new Date(announcedAt.getTime() + days * DAY_MS);
}

export function publicityOpen(now: Date, endsAt: Date): boolean {
  return now.getTime() < endsAt.getTime();
}

export interface EvaluatedBid {
  bidId: string;
  lot: string;
  mean: number | null;
  rank: number | null;
  recommended: boolean;
  publicBenefitRatio: number | null;
}

export interface Candidate {
  bidId: string;
  lot: string;
  score: number;
  rank: number;
  publicBenefitRatio: number;
}

/** The candidates are the bids the evaluation recommends (top `quota` of each lot), in rank order. */
export function candidatesOf(bids: readonly EvaluatedBid[]): Candidate[] {
  return bids
    .flatMap((bid) =>
      bid.recommended && bid.mean !== null && bid.rank !== null
        ? [{ bidId: bid.bidId, lot: bid.lot, score: bid.mean, rank: bid.rank, publicBenefitRatio: bid.publicBenefitRatio ?? 0 }]
        : [],
    )
    .sort((a, b) => (a.lot === b.lot ? a.rank - b.rank : a.lot < b.lot ? -1 : 1));
}

export interface ChallengeState {
  answeredAt: Date | null;
  upheld: boolean | null;
}

export type AwardBlocker = 'PUBLICITY_NOT_ENDED' | 'CHALLENGES_OPEN' | 'CHALLENGE_UPHELD';

/**
 * Why the award may not be signed off or made yet, or null, from the challenges of the current
 * round's publicity. An upheld challenge blocks until the evaluation is redone (redoBlocker): the
 * new round has a publicity and challenges of its own.
 */
export function awardBlocker(now: Date, endsAt: Date, challenges: readonly ChallengeState[]): AwardBlocker | null {
  if (publicityOpen(now, endsAt)) return 'PUBLICITY_NOT_ENDED';
  if (challenges.some((c) => c.answeredAt === null)) return 'CHALLENGES_OPEN';
  if (challenges.some((c) => c.upheld === true)) return 'CHALLENGE_UPHELD';
  return null;
}

export type RedoBlocker = 'CHALLENGES_OPEN' | 'NO_UPHELD_CHALLENGE';

/**
 * Why the evaluation may not be redone, or null, from the challenges of the current round. A
 * redo needs an upheld challenge, and every challenge answered first: the redo closes the round,
 * and a challenge left open in it could no longer be answered. It need not wait for the end of
 * publicity, which the redo withdraws.
 */
export function redoBlocker(challenges: readonly ChallengeState[]): RedoBlocker | null {
  if (challenges.some((c) => c.answeredAt === null)) return 'CHALLENGES_OPEN';
  if (!challenges.some((c) => c.upheld === true)) return 'NO_UPHELD_CHALLENGE';
  return null;
}
