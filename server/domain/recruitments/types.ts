// The shape of a recruitment as the service hands it to pages, the API, the Atom feed and the
// OCDS export. Times are Date objects; percentages are numbers from 0 to 100.

export const RECRUITMENT_STATUSES = [
  'draft',
  'published',
  'opening',
  'evaluation',
  'publicity',
  'awarded',
  'failed',
  'cancelled',
  'suspended',
] as const;
export type RecruitmentStatus = (typeof RECRUITMENT_STATUSES)[number];

export const PUBLICATION_CHANNELS = ['trading_platform', 'union_website', 'newspaper', 'other'] as const;
export type PublicationChannel = (typeof PUBLICATION_CHANNELS)[number];

// 'candidates' is the publicity notice (中选候选人公示), 'award' the result notice (入选结果公告),
// 'redo' the withdrawal of a round's candidates for a new evaluation round (重新评审公告).
export const ANNOUNCEMENT_KINDS = ['announcement', 'amendment', 'cancellation', 'suspension', 'resumption', 'candidates', 'award', 'redo'] as const;
export type AnnouncementKind = (typeof ANNOUNCEMENT_KINDS)[number];

export interface Lot {
  key: string;
  name: string;
  quota: number;
  description: string;
}

export interface EligibilityCondition {
  key: string;
  text: string;
}

export interface Criterion {
  key: string;
  name: string;
  maxScore: number;
  description: string;
}

export interface Publication {
  id: string;
  channel: PublicationChannel;
  /** e.g. 浙江省公共资源交易平台, 浙江工人日报 */
  name: string;
  /** the calendar day it appeared there, YYYY-MM-DD */
  publishedOn: string;
  url: string | null;
}

/** A deadline or other field an amendment changed, with the values before and after. */
export interface AnnouncementChange {
  field: 'submissionDeadline' | 'questionsDeadline';
  from: string;
  to: string;
}

export interface Announcement {
  id: string;
  /** 0 for the original announcement, then 1, 2, … in the order published */
  number: number;
  kind: AnnouncementKind;
  title: string;
  body: string;
  changes: AnnouncementChange[];
  publishedAt: Date;
}

export interface AnsweredQuestion {
  id: string;
  text: string;
  answer: string;
  askedAt: Date;
  answeredAt: Date;
}

export interface Recruitment {
  id: string;
  title: string;
  summary: string;
  /** Markdown */
  body: string;
  /** the recruiting centre, e.g. 浙江省职工服务中心 */
  owner: string;
  agentId: string;
  status: RecruitmentStatus;
  /** while suspended: the status that resume returns to */
  suspendedFrom: RecruitmentStatus | null;
  /** 1, then one more for each redo of the evaluation after an upheld challenge */
  evaluationRound: number;
  minPublicBenefitRatio: number;
  agreementTermMonths: number;
  questionsDeadline: Date;
  submissionDeadline: Date;
  publicityDays: number;
  decisionRef: string | null;
  inspectorId: string | null;
  escrowHolderId: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** when the inspector countersigned the cancellation */
  cancelCountersignedAt: Date | null;
  /** of the bid key the server seals bids to now; the signed announcement states the one published */
  bidKeyFingerprint: string | null;
  lots: Lot[];
  eligibility: EligibilityCondition[];
  criteria: Criterion[];
  publications: Publication[];
  /** in number order */
  announcements: Announcement[];
  answeredQuestions: AnsweredQuestion[];
}
