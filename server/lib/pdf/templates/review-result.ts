import type { Block } from '../layout.ts';
import { chineseDate, percent, score } from '../format.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type OrganizationInfo, type Template } from './template.ts';

// The result of a performance review (issue 17, Shaanxi art. 16): the criteria with their weights,
// points and who scored them, the worker-satisfaction figures the core indicator was computed
// from, the negative list as answered, the result and, for a rectification, its deadline. The
// labels come in as the portal words them (reviews/document.ts).

export interface ReviewResultInput extends DocumentBase {
  organization: OrganizationInfo;
  lotName: string;
  /** e.g. 阶段考核 */
  kindLabel: string;
  periodFrom: Date;
  periodTo: Date;
  criteria: { label: string; weight: number; points: number; agentPoints: number | null; assessorPoints: number | null; scoredBy: string }[];
  assessorName: string | null;
  satisfaction: { ratings: number; satisfiedShare: number | null; mean: number | null };
  places: { delivered: { free: number; discounted: number }; promised: { free: number; discounted: number }; months: number };
  negativeList: { label: string; breached: boolean }[];
  total: number;
  passScore: number;
  result: 'pass' | 'rectify' | 'fail';
  resultLabel: string;
  /** a rectification's deadline, and when its re-review is due */
  rectifyBy: Date | null;
  reReviewDueAt: Date | null;
  remarks: string | null;
}

const optional = (value: number | null) => (value === null ? '—' : score(value));
/** the period ends before `periodTo` (exclusive): its last day is the one before that instant */
const lastDay = (periodTo: Date) => chineseDate(new Date(periodTo.getTime() - 1));

function consequence(input: ReviewResultInput): string {
  switch (input.result) {
    case 'pass':
      return `考核结果为“${input.resultLabel}”。`;
    case 'rectify':
      return (
        `考核结果为“${input.resultLabel}”。请贵单位于${chineseDate(input.rectifyBy!)}前完成整改，` +
        `中心将于${chineseDate(input.reReviewDueAt!)}前进行整改复核；整改复核不合格的，中心可依协议终止合作。`
      );
    case 'fail':
      return `考核结果为“${input.resultLabel}”。中心将依照合作协议的约定处理。`;
  }
}

export const reviewResult: Template<ReviewResultInput> = {
  kind: 'review_result',
  version: '1.0',
  title: '考核结果通知书',
  about: (input) => `${input.organization.name} · ${input.kindLabel}`,
  keywords: (input) => [`review-result:${input.result}`, `review-total:${score(input.total)}`, `satisfaction-ratings:${input.satisfaction.ratings}`],
  build(input, context) {
    const { recruitment, organization, satisfaction, places } = input;
    const blocks: Block[] = [
      { kind: 'title', text: '考核结果通知书', subtitle: recruitment.owner },
      { kind: 'paragraph', text: `${organization.name}：` },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `依据${recruitmentName(recruitment)}的合作协议和以职工满意度为核心指标的考核制度，` +
          `中心对贵单位${chineseDate(input.periodFrom)}至${lastDay(input.periodTo)}期间的服务进行了${input.kindLabel}。结果通知如下：`,
      },
      {
        kind: 'fields',
        rows: [
          ['合作单位', `${organization.name}（${organization.uscc}）`],
          ['服务类别', input.lotName],
          ['考核类型', input.kindLabel],
          ['考核期间', `${chineseDate(input.periodFrom)}至${lastDay(input.periodTo)}`],
          ['考核总分', `${score(input.total)} 分（合格线 ${input.passScore} 分，且负面清单无违反）`],
          ['考核结果', input.resultLabel],
          ...(input.rectifyBy ? [['整改期限', chineseDate(input.rectifyBy)] as const] : []),
          ...(input.assessorName ? [['第三方评估机构', input.assessorName] as const] : []),
        ],
      },
      { kind: 'heading', text: '一、考核指标及得分' },
      {
        kind: 'table',
        columns: [
          { header: '指标', width: 4 },
          { header: '权重', width: 1, align: 'right' },
          { header: '经办人', width: 1.3, align: 'right' },
          { header: '第三方', width: 1.3, align: 'right' },
          { header: '得分', width: 1.2, align: 'right' },
          { header: '评分方式', width: 3.2 },
        ],
        rows: [
          ...input.criteria.map((row) => [row.label, String(row.weight), optional(row.agentPoints), optional(row.assessorPoints), score(row.points), row.scoredBy]),
          ['合计', '100', '', '', score(input.total), ''],
        ],
      },
      { kind: 'heading', text: '二、职工满意度（核心指标）' },
      {
        kind: 'fields',
        rows: [
          ['职工评价数', `${satisfaction.ratings} 条（考核期间内凭服务核销码提交的评价）`],
          ['满意率', satisfaction.satisfiedShare === null ? '—（本期无职工评价，满意度指标得 0 分）' : `${percent(satisfaction.satisfiedShare * 100)}（评 4 分或 5 分的评价所占比例）`],
          ['平均分', satisfaction.mean === null ? '—' : `${score(satisfaction.mean)}（5 分制）`],
        ],
      },
      { kind: 'paragraph', small: true, text: '满意度指标得分 = 权重 × 满意率，由平台根据考核期间的职工评价计算。' },
      { kind: 'heading', text: '三、公益名额兑现' },
      {
        kind: 'fields',
        rows: [
          ['免费名额', `已提供 ${places.delivered.free} 个，服务目录承诺 ${places.promised.free} 个`],
          ['优惠名额', `已提供 ${places.delivered.discounted} 个，服务目录承诺 ${places.promised.discounted} 个`],
        ],
      },
      { kind: 'paragraph', small: true, text: `承诺名额 = 考核期间（${score(places.months)} 个月）内服务目录各版本的每月免费（优惠）名额 × 该版本有效的月数；已提供名额以服务核销码为准。` },
      { kind: 'heading', text: '四、负面清单' },
      {
        kind: 'table',
        columns: [
          { header: '事项', width: 8 },
          { header: '核查结果', width: 2 },
        ],
        rows: input.negativeList.map((answer) => [answer.label, answer.breached ? '存在' : '未发现']),
      },
      { kind: 'heading', text: '五、考核结论' },
      { kind: 'paragraph', indent: true, text: consequence(input) },
      ...(input.remarks ? [{ kind: 'paragraph', indent: true, text: `考核意见：${input.remarks}` } as const] : []),
      { kind: 'paragraph', indent: true, text: '特此通知。' },
      issuerSignature(input, context),
    ];
    return blocks;
  },
};
