// Every number the red flags judge by, in one place, each with its reason. An indicator reads its
// threshold from here and nowhere else (`THRESHOLDS.name` is the number); the alerts page shows
// each beside the indicators with its reason in THRESHOLD_REASONS, which must name every one.

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
  /**
   * a partner's catalogue promising a public-benefit share more than this many percentage points
   * below its bid's: the share was scored and the award relied on it, so any shortfall is flagged
   */
  offerShareMarginPoints: 0,
  /** a partnership's ratings of this many last days are looked at for one source… */
  ratingsConcentrationDays: 30,
  /** …when there are at least this many of them… */
  ratingsConcentrationMin: 10,
  /** …and more than this share comes from one address or one device */
  ratingsConcentrationShare: 0.3,
} as const;

export type ThresholdName = keyof typeof THRESHOLDS;

/** Why each threshold is what it is (zh-CN), as the alerts page explains it. */
export const THRESHOLD_REASONS: Record<ThresholdName, string> = {
  scoreDeviationPoints: '专家总分偏离评审委员会中位数超过此分值（百分制）：SPEC §7 规定的评分异常标准。',
  lateAmendmentDays: '距提交截止不足此天数时发布更正或变更截止时间：与“更正公告须留足 15 日”的规则一致（SPEC §3、§7）。',
  lateRegistrationDays:
    '单位在提交截止前此天数内才注册：公告须至少公开 20 日（MIN_TENDER_DAYS），临近截止才注册的单位读不完公告，可能是被临时拉来凑数的。',
  lastMinutes: '截止前此分钟数内从同一地址集中提交的响应文件：可能由同一人在最后时刻代为提交。',
  lastMinuteBids: '同一地址在上述时段内至少提交此数量的响应文件时才预警。',
  concentrationShare:
    '同一单位入选同一中心已定标项目的比例超过此值（且项目数不少于下一项）：长期由同一单位中选，值得核查。',
  concentrationMinRecruitments: '计算中选集中度所需的最少已定标项目数：项目太少时比例没有意义。',
  minSecondsPerBid: '专家完成全部评分平均每份响应文件用时少于此秒数：不可能认真阅读了响应文件。',
  sameScoresMinBids: '两位专家评分完全相同、或一位专家给各响应文件总分相同，至少涉及此数量的响应文件才预警：只评一份时意见一致说明不了什么。',
  competitionMargin: '有效响应文件少于类别名额加此数即为竞争不足：评审委员会没有真正的选择余地（参照 ProZorro 的“竞争不足”指标）。',
  offerShareMarginPoints:
    '合作伙伴发布的服务目录中公益（免费和优惠）名额比例低于其响应文件承诺的比例超过此百分点即预警：承诺比例是评审打分和入选的依据，为 0 表示任何降低都须核查。',
  ratingsConcentrationDays: '检查合作伙伴最近此天数内的满意度评价：与评价码的有效期（30 天）一致。',
  ratingsConcentrationMin: '期间内评价至少达到此数量才计算集中度：评价太少时比例没有意义。',
  ratingsConcentrationShare:
    '来自同一网络地址或同一设备的评价超过此比例即预警：每台设备每天最多评价 5 次，正常情况下评价分散在众多职工的手机上；在阵地无线网络下评价会使地址集中，须结合设备来源判断。',
};
