import type { Block } from '../layout.ts';
import { dateTime, percent, score } from '../format.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type SignOff, type Template } from './template.ts';

export interface EvaluationReportInput extends DocumentBase {
  /** the evaluation round: 1, then one more for each redo after an upheld challenge */
  round: number;
  /** why the evaluation was redone; null in round 1 */
  redoReason: string | null;
  /** in panel order; order 1 chairs the panel */
  panel: { name: string; order: number }[];
  /** how the panel changed during the round (recusals, replacements, who took a seat), as text per row */
  panelChanges: { seat: number; name: string; change: string }[];
  criteria: { key: string; name: string; maxScore: number }[];
  lots: { key: string; name: string; quota: number }[];
  qualification: {
    organization: string;
    lotKey: string;
    passed: boolean;
    /** the failed conditions with the chair's reason; empty when passed */
    failures: { condition: string; reason: string }[];
  }[];
  /** the scored bids */
  bids: {
    organization: string;
    lotKey: string;
    publicBenefitRatio: number;
    /** one entry per panel member, in panel order */
    scores: { expert: string; byCriterion: Record<string, number>; total: number; comment: string | null }[];
    /** the mean after dropping one highest and one lowest total */
    mean: number;
    rank: number;
    recommended: boolean;
    /** red flags, shown as is */
    flags: string[];
  }[];
  confirmations: { expert: string; at: Date }[];
  signOff: SignOff;
}

export const evaluationReport: Template<EvaluationReportInput> = {
  kind: 'evaluation_report',
  version: '1.2',
  title: '评审报告',
  // a redone evaluation has one report per round, told apart in their titles
  about: (input) => (input.round > 1 ? `${input.recruitment.title}（第 ${input.round} 轮评审）` : input.recruitment.title),
  build(input, context) {
    const { recruitment, signOff } = input;
    const panel = [...input.panel].sort((a, b) => a.order - b.order);
    const lotName = (key: string) => input.lots.find((lot) => lot.key === key)?.name ?? key;
    const confirmedAt = (name: string) => input.confirmations.find((entry) => entry.expert === name)?.at;
    const maxTotal = input.criteria.reduce((sum, criterion) => sum + criterion.maxScore, 0);

    const blocks: Block[] = [
      { kind: 'title', text: input.round > 1 ? `评审报告（第 ${input.round} 轮）` : '评审报告', subtitle: recruitmentName(recruitment) },
      {
        kind: 'fields',
        rows: [
          ['招募项目', recruitmentName(recruitment)],
          ['招募单位', recruitment.owner],
          ['评审轮次', input.round > 1 ? `第 ${input.round} 轮（重新评审）` : '第 1 轮'],
          ...(input.redoReason ? [['重新评审原因', input.redoReason] as [string, string]] : []),
          ['类别及入选名额', input.lots.map((lot) => `${lot.name} ${lot.quota} 名`).join('；')],
          ['评分办法', `综合评分法，满分 ${score(maxTotal)} 分；每个响应单位的得分为各评审专家总分去掉一个最高分和一个最低分后的算术平均值；得分相同的，公益名额比例高者优先，仍相同的，递交时间早者优先。`],
        ],
      },
      { kind: 'heading', text: '一、评审委员会' },
      {
        kind: 'table',
        columns: [
          { header: '序号', width: 0.8, align: 'center' },
          { header: '姓名', width: 2.5 },
          { header: '职务', width: 1.5, align: 'center' },
          { header: '确认评审结果时间', width: 3 },
        ],
        rows: panel.map((member, index) => {
          const at = confirmedAt(member.name);
          return [String(index + 1), member.name, member.order === 1 ? '组长' : '成员', at ? dateTime(at) : '未确认'];
        }),
      },
      ...(input.panelChanges.length > 0
        ? ([
            { kind: 'paragraph', bold: true, keepWithNext: true, text: '本轮评审委员会组成变动（按抽取顺序）' },
            {
              kind: 'table',
              columns: [
                { header: '席位', width: 0.8, align: 'center' },
                { header: '姓名', width: 2.5 },
                { header: '情形', width: 5 },
              ],
              rows: input.panelChanges.map((entry) => [`第 ${entry.seat} 位`, entry.name, entry.change]),
            },
          ] satisfies Block[])
        : []),
      { kind: 'heading', text: '二、评分因素' },
      {
        kind: 'table',
        columns: [
          { header: '序号', width: 0.8, align: 'center' },
          { header: '评分因素', width: 6 },
          { header: '分值', width: 1.2, align: 'right' },
        ],
        rows: input.criteria.map((criterion, index) => [String(index + 1), criterion.name, score(criterion.maxScore)]),
      },
      { kind: 'heading', text: '三、资格审查结果' },
      {
        kind: 'table',
        columns: [
          { header: '响应单位', width: 3.5 },
          { header: '类别', width: 2 },
          { header: '结论', width: 1, align: 'center' },
          { header: '不通过的条件及理由', width: 4.5 },
        ],
        rows: input.qualification.map((entry) => [
          entry.organization,
          lotName(entry.lotKey),
          entry.passed ? '通过' : '不通过',
          entry.failures.map((failure) => `${failure.condition}：${failure.reason}`).join('\n') || '—',
        ]),
      },
      { kind: 'heading', text: '四、评分汇总及排名' },
    ];

    for (const lot of input.lots) {
      const bids = input.bids.filter((bid) => bid.lotKey === lot.key).sort((a, b) => a.rank - b.rank);
      blocks.push({ kind: 'paragraph', bold: true, keepWithNext: true, text: `${lot.name}（入选名额 ${lot.quota} 名）` });
      if (bids.length === 0) {
        blocks.push({ kind: 'paragraph', text: '本类别无进入评分的响应文件。' });
        continue;
      }
      blocks.push({
        kind: 'table',
        small: true,
        columns: [
          { header: '排名', width: 0.8, align: 'center' },
          { header: '响应单位', width: 3.2 },
          ...panel.map((member) => ({ header: member.name, width: 1, align: 'right' as const })),
          { header: '最终得分', width: 1.1, align: 'right' },
          { header: '公益比例', width: 1, align: 'right' },
          { header: '推荐', width: 0.8, align: 'center' },
        ],
        rows: bids.map((bid) => [
          String(bid.rank),
          bid.organization,
          ...panel.map((member) => {
            const entry = bid.scores.find((each) => each.expert === member.name);
            return entry ? score(entry.total) : '—';
          }),
          score(bid.mean),
          percent(bid.publicBenefitRatio),
          bid.recommended ? '是' : '否',
        ]),
      });
      const flagged = bids.filter((bid) => bid.flags.length > 0);
      for (const bid of flagged) {
        blocks.push({ kind: 'paragraph', small: true, text: `提示（${bid.organization}）：${bid.flags.join('；')}` });
      }
    }

    blocks.push({ kind: 'heading', text: '五、分项评分明细' });
    for (const lot of input.lots) {
      for (const bid of input.bids.filter((each) => each.lotKey === lot.key).sort((a, b) => a.rank - b.rank)) {
        blocks.push({
          kind: 'paragraph',
          bold: true,
          small: true,
          keepWithNext: true,
          text: `${lot.name} · 第 ${bid.rank} 名 · ${bid.organization}`,
        });
        blocks.push({
          kind: 'table',
          small: true,
          columns: [
            { header: '评审专家', width: 1.6 },
            ...input.criteria.map((criterion) => ({
              header: `${criterion.name}（${score(criterion.maxScore)}）`,
              width: 1.3,
              align: 'right' as const,
            })),
            { header: '合计', width: 0.9, align: 'right' },
          ],
          rows: bid.scores.map((entry) => [
            entry.expert,
            ...input.criteria.map((criterion) => {
              const value = entry.byCriterion[criterion.key];
              return value === undefined ? '—' : score(value);
            }),
            score(entry.total),
          ]),
        });
        for (const entry of bid.scores.filter((each) => each.comment)) {
          blocks.push({ kind: 'paragraph', small: true, text: `${entry.expert}的评分说明：${entry.comment}` });
        }
      }
    }

    blocks.push({ kind: 'heading', text: '六、推荐入选名单' });
    blocks.push({
      kind: 'table',
      columns: [
        { header: '类别', width: 2 },
        { header: '排名', width: 0.8, align: 'center' },
        { header: '推荐入选单位', width: 4 },
        { header: '最终得分', width: 1.2, align: 'right' },
      ],
      rows: input.lots.flatMap((lot) =>
        input.bids
          .filter((bid) => bid.lotKey === lot.key && bid.recommended)
          .sort((a, b) => a.rank - b.rank)
          .map((bid) => [lot.name, String(bid.rank), bid.organization, score(bid.mean)]),
      ),
    });

    blocks.push(
      { kind: 'heading', text: '七、监督签字确认' },
      {
        kind: 'fields',
        rows: [
          ['纪检监督员', signOff.inspector],
          ['确认时间', `${dateTime(signOff.at)}（北京时间）`],
          ['监督意见', signOff.comment || '无'],
          ['操作日志链头', signOff.chainHead],
        ],
      },
      issuerSignature(input, context),
    );
    return blocks;
  },
};
