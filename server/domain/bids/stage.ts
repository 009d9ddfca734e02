import type { RecruitmentStatus } from '../recruitments/types.ts';

// Where a bid stands, as its own organisation is told on its desk and receipt (issue 15 point 11):
// from received, through the opening and the evaluation, to the publicity and the award. Pure:
// the facts are gathered by standing.ts.

export type BidStage =
  | 'received'
  | 'withdrawn'
  | 'awaiting_opening'
  | 'not_opened'
  | 'opened'
  | 'not_valid'
  | 'lot_failed'
  | 'not_qualified'
  | 'under_evaluation'
  | 'candidate'
  | 'not_candidate'
  | 'selected'
  | 'not_selected'
  | 'cancelled';

export interface BidFacts {
  bidStatus: 'submitted' | 'withdrawn';
  recruitmentStatus: RecruitmentStatus;
  /** the status a suspended recruitment will resume to */
  suspendedFrom: RecruitmentStatus | null;
  deadlinePassed: boolean;
  /** the bids of the recruitment have been opened */
  bidsOpened: boolean;
  /** this bid has a line in the opening record, and whether its digest verified there */
  opening: { digestVerified: boolean } | null;
  lotFailed: boolean;
  /** the chair's review in the current round; null before it */
  qualified: boolean | null;
  /** announced as a candidate in the current round's publicity */
  candidate: boolean;
  selected: boolean;
}

export const STAGE_LABELS: Record<BidStage, string> = {
  received: '已收到',
  withdrawn: '已撤回',
  awaiting_opening: '已截止，待开标',
  not_opened: '未开启',
  opened: '已开标',
  not_valid: '无效响应',
  lot_failed: '该类别流标',
  not_qualified: '资格审查未通过',
  under_evaluation: '评审中',
  candidate: '中选候选人（公示中）',
  not_candidate: '未列为中选候选人',
  selected: '入选',
  not_selected: '未入选',
  cancelled: '招募项目已终止',
};

/** What each stage means for the organisation, in a sentence. */
const STAGE_NOTES: Record<BidStage, string> = {
  received: '提交截止前可撤回或重新提交。',
  withdrawn: '撤回的响应文件不参加开标。',
  awaiting_opening: '提交已截止，响应文件将在开标时由密钥持有人共同解密。',
  not_opened: '该响应文件未在开标时开启，不参加评审。',
  opened: '响应文件已开启，摘要与回执一致；开标记录签字确认后进入评审。',
  not_valid: '开标时重新计算的摘要与回执不一致，不计为有效响应。',
  lot_failed: '该类别有效响应不足 3 家，依规流标，将另行招募。',
  not_qualified: '评审委员会资格审查未通过，不参加评分。',
  under_evaluation: '评审委员会正在评审；评审结果经纪检监督员签字确认后公示。',
  candidate: '贵单位已列为中选候选人，公示期满且无成立的质疑后定标。',
  not_candidate: '公示期内对结果有异议的，可在公示页面提出质疑。',
  selected: '入选通知书和合作协议（草案）签发后列于下方，并发送至贵单位邮箱。',
  not_selected: '未入选通知书签发后列于下方，并发送至贵单位邮箱。',
  cancelled: '招募项目已终止，详见招募公告页面。',
};

/**
 * The stage of a bid from its facts. A suspended recruitment is judged by the status it will
 * resume to; the page says it is suspended besides.
 */
export function bidStage(facts: BidFacts): BidStage {
  const status = facts.suspendedFrom ?? facts.recruitmentStatus;
  if (status === 'cancelled') return 'cancelled';
  if (facts.bidStatus === 'withdrawn') return 'withdrawn';
  if (!facts.deadlinePassed && status === 'published') return 'received';
  if (!facts.opening) return facts.bidsOpened ? 'not_opened' : 'awaiting_opening';
  if (!facts.opening.digestVerified) return 'not_valid';
  if (facts.lotFailed || status === 'failed') return 'lot_failed';
  if (status === 'opening') return 'opened';
  if (facts.qualified === false) return status === 'awarded' ? 'not_selected' : 'not_qualified';
  if (status === 'publicity') return facts.candidate ? 'candidate' : 'not_candidate';
  if (status === 'awarded') return facts.selected ? 'selected' : 'not_selected';
  return 'under_evaluation';
}

/** From the publicity on, the organisation sees its own score and rank (never another's). */
export function showsScore(facts: BidFacts, stage: BidStage): boolean {
  const status = facts.suspendedFrom ?? facts.recruitmentStatus;
  return (status === 'publicity' || status === 'awarded') && facts.qualified === true && stage !== 'not_valid';
}

export function stageView(facts: BidFacts) {
  const stage = bidStage(facts);
  return {
    stage,
    label: STAGE_LABELS[stage],
    note: STAGE_NOTES[stage],
    suspended: facts.recruitmentStatus === 'suspended',
  };
}
