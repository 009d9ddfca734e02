// Every number the red flags judge by, in one place, each with its reason. An indicator reads its
// threshold from here and nowhere else; the alerts page shows them beside the indicators.

import { OUTLIER_POINTS } from '../../evaluation/scoring.ts';

export const THRESHOLDS = {
  /**
   * SPEC §7: an expert's total this many points from the panel median (of 100) — the evaluation's
   * own rule, which makes such an expert write a comment before confirming
   */
  scoreDeviationPoints: OUTLIER_POINTS,
  /** SPEC §7: an amendment or deadline change this close to the submission deadline */
  lateAmendmentDays: 15,
  /**
   * a bidder registered this close to the deadline: too late to have read the announcement in the
   * 20 days it must stand (MIN_TENDER_DAYS), a sign of a bidder brought in to make up the numbers
   */
  lateRegistrationDays: 3,
  /** bids arriving this close to the deadline from one address: filed together at the last minute */
  lastMinutes: 10,
  /** …when at least this many arrive so from one address */
  lastMinuteBids: 2,
  /**
   * the same organisation selected in more than this share of one centre's awarded recruitments
   * (and at least `concentrationMinRecruitments` of them): a steady winner deserves a look
   */
  concentrationShare: 0.5,
  concentrationMinRecruitments: 3,
  /** an expert who took less than this per bid over all score sheets did not read the bids */
  minSecondsPerBid: 60,
  /**
   * scores alike (two experts' identical sheets, one expert's equal totals) say something only
   * over at least this many bids: on a single bid, experts agreeing is no sign of anything
   */
  sameScoresMinBids: 2,
  /**
   * thin competition: fewer valid bids than the lot's quota plus this many leaves the panel no
   * real choice (ProZorro's "low competition" indicator)
   */
  competitionMargin: 1,
} as const;
