import { chineseDate, months, percent, score } from '../format.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type LotInfo, type OrganizationInfo, type Template } from './template.ts';

export interface AwardNoticeInput extends DocumentBase {
  organization: OrganizationInfo;
  lot: LotInfo;
  /** the trimmed mean of the panel's totals */
  finalScore: number;
  /** rank within the lot, from 1 */
  rank: number;
  /** the public-benefit share the bid declared, in percent */
  publicBenefitRatio: number;
  agreementTermMonths: number;
  publicityEndedAt: Date;
  /** the day by which the cooperation agreement is to be signed */
  signBy: Date;
}

export const awardNotice: Template<AwardNoticeInput> = {
  kind: 'award_notice',
  version: '1.0',
  title: '入选通知书',
  about: (input) => input.organization.name,
  build(input, context) {
    const { recruitment, organization, lot } = input;
    return [
      { kind: 'title', text: '入选通知书', subtitle: recruitment.owner },
      { kind: 'paragraph', text: `${organization.name}：` },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `${recruitment.owner}组织实施的${recruitmentName(recruitment)}，经公开招募、开标、` +
          `评审委员会评审和结果公示，公示期已于${chineseDate(input.publicityEndedAt)}届满。` +
          `贵单位被确定为“${lot.name}”类别的入选合作伙伴。现将有关事项通知如下：`,
      },
      {
        kind: 'fields',
        rows: [
          ['招募项目', recruitmentName(recruitment)],
          ['招募单位', recruitment.owner],
          ['入选单位', organization.name],
          ['统一社会信用代码', organization.uscc],
          ['入选类别', lot.name],
          ['评审得分', `${score(input.finalScore)} 分（类别内第 ${input.rank} 名）`],
          ['公益（免费/优惠）名额比例', `${percent(input.publicBenefitRatio)}（以响应文件承诺为准）`],
          ['合作期限', `不超过 ${months(input.agreementTermMonths)}`],
        ],
      },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `一、请贵单位于${chineseDate(input.signBy)}前，与${recruitment.owner}签订合作协议。` +
          '合作协议（草案）随本通知一并送达，其条款以招募文件、贵单位的响应文件和本通知为依据。',
      },
      {
        kind: 'paragraph',
        indent: true,
        text:
          '二、贵单位在响应文件中承诺的服务内容、公益名额比例、服务价格及对劳动模范（工匠人才）、' +
          '困难职工和工会会员的优惠措施，均构成合作协议的组成部分。',
      },
      {
        kind: 'paragraph',
        indent: true,
        text: '三、贵单位无正当理由逾期不签订合作协议，或签订时提出附加条件的，视为放弃入选资格。',
      },
      { kind: 'paragraph', indent: true, text: '特此通知。' },
      issuerSignature(input, context),
    ];
  },
};
