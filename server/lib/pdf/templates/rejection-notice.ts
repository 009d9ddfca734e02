import { chineseDate, score } from '../format.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type LotInfo, type OrganizationInfo, type Template } from './template.ts';

export interface RejectionNoticeInput extends DocumentBase {
  organization: OrganizationInfo;
  lot: LotInfo;
  /** null when the bid did not pass the qualification review and was not scored */
  finalScore: number | null;
  rank: number | null;
  /** why the organisation was not selected, one sentence */
  reason: string;
  publicityEndedAt: Date;
}

export const rejectionNotice: Template<RejectionNoticeInput> = {
  kind: 'rejection_notice',
  version: '1.0',
  title: '未入选通知书',
  about: (input) => input.organization.name,
  build(input, context) {
    const { recruitment, organization, lot } = input;
    const result =
      input.finalScore === null
        ? '未进入评分'
        : `${score(input.finalScore)} 分${input.rank === null ? '' : `（类别内第 ${input.rank} 名）`}`;
    return [
      { kind: 'title', text: '未入选通知书', subtitle: recruitment.owner },
      { kind: 'paragraph', text: `${organization.name}：` },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `感谢贵单位参与${recruitment.owner}组织实施的${recruitmentName(recruitment)}。` +
          `经公开招募、开标、评审委员会评审和结果公示（公示期于${chineseDate(input.publicityEndedAt)}届满），` +
          `贵单位在“${lot.name}”类别中未被确定为入选合作伙伴。有关情况如下：`,
      },
      {
        kind: 'fields',
        rows: [
          ['招募项目', recruitmentName(recruitment)],
          ['参与单位', organization.name],
          ['统一社会信用代码', organization.uscc],
          ['参与类别', lot.name],
          ['评审结果', result],
          ['未入选原因', input.reason],
        ],
      },
      {
        kind: 'paragraph',
        indent: true,
        text:
          '贵单位如对本通知有疑问，可向招募单位书面询问；' +
          '评审过程的记录由招募单位依规保存，并接受纪检监督。',
      },
      { kind: 'paragraph', indent: true, text: '欢迎贵单位继续关注和参与职工服务阵地的社会化运营工作。特此通知。' },
      issuerSignature(input, context),
    ];
  },
};
