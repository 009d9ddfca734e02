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
