// The partnership's statuses (issue 17), shared by the schema, the state machine and the views.

export const PARTNERSHIP_STATUSES = ['awarded', 'signed', 'active', 'rectifying', 'ended', 'terminated', 'lapsed'] as const;
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];

export const PARTNERSHIP_STATUS_LABELS: Record<PartnershipStatus, string> = {
  awarded: '待签订协议',
  signed: '协议已签订',
  active: '合作中',
  rectifying: '整改中',
  ended: '合作期满',
  terminated: '已终止',
  lapsed: '逾期未签（已失效）',
};

export const CHANGE_REQUEST_ANSWERS = ['revised', 'refused'] as const;
export type ChangeRequestAnswer = (typeof CHANGE_REQUEST_ANSWERS)[number];

/**
 * A review of the partner's performance (Shaanxi art. 16): the yearly stage reviews, the re-review
 * after a rectification, and the final review at the term's end.
 */
export const REVIEW_KINDS = ['stage', 'rectification', 'final'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export const REVIEW_KIND_LABELS: Record<ReviewKind, string> = {
  stage: '阶段考核',
  rectification: '整改复核',
  final: '终期考核',
};

export const REVIEW_RESULTS = ['pass', 'rectify', 'fail'] as const;
export type ReviewResult = (typeof REVIEW_RESULTS)[number];

export const REVIEW_RESULT_LABELS: Record<ReviewResult, string> = {
  pass: '合格',
  rectify: '限期整改',
  fail: '不合格',
};
