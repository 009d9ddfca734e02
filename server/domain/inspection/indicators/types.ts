import type { Tx } from '../../../db/client.ts';
import type { AlertEvidence, AlertSeverity } from '../types.ts';

// A red flag the portal computes from data it already holds (SPEC §7, issue 14). Each indicator
// looks at one recruitment, as the data stands, and answers its findings; the review
// (inspection/review.ts) raises each finding once, however often it is seen again.

/** What an indicator sees of the recruitment under review. */
export interface RecruitmentUnderReview {
  id: string;
  title: string;
  /** the centre that recruits */
  owner: string;
  status: string;
  submissionDeadline: Date;
  minPublicBenefitRatio: number;
  evaluationRound: number;
  inspectorId: string | null;
  escrowHolderId: string | null;
}

/** One thing an indicator found. */
export interface Finding {
  /**
   * what the finding is about within its recruitment (the shared address, the pair of experts,
   * the entry's seq…): the same key is the same finding, raised once
   */
  key: string;
  subject: string;
  evidence: AlertEvidence[];
  /** when one finding is graver than the indicator's usual severity */
  severity?: AlertSeverity;
}

export interface IndicatorDefinition {
  /** the code stored on the alert, e.g. 'bids_from_one_address' */
  id: string;
  /** its name on the pages (zh-CN) */
  label: string;
  /** what it means and why an inspector should look (zh-CN), listed on the alerts page */
  meaning: string;
  severity: AlertSeverity;
  /**
   * the findings about one recruitment as the data stands; absent for an indicator an area raises
   * itself when it refuses something (an opening with the escrow holder, a mismatched bid key…)
   */
  detect?: (tx: Tx, recruitment: RecruitmentUnderReview, now: Date) => Promise<Finding[]>;
}
