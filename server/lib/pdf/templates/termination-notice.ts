import { chineseDate } from '../format.ts';
import { ASSET_REMOVAL_DAYS, FIXED_ASSET_CLAUSE } from './draft-agreement.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type LotInfo, type OrganizationInfo, type Template } from './template.ts';

// The termination notice (终止合作通知书, issue 17): the centre ends the agreement after the
// partner failed its rectification review, as the agreement's clauses on exit and on performance
// review provide. It names the parties and the agreement, lists the reviews that led to it, the
// reason, restates the agreement's clause on the partner's fixed assets (FIXED_ASSET_CLAUSE, the
// same words) and gives the effective date.

export interface TerminationReview {
  /** 阶段考核, 整改复核, … */
  kind: string;
  dueAt: Date;
  completedAt: Date;
  /** 合格, 限期整改, 不合格 */
  result: string;
}

export interface TerminationNoticeInput extends DocumentBase {
  centre: { name: string };
  partner: OrganizationInfo;
  lot: LotInfo;
  agreement: { signedAt: Date; endsAt: Date; termMonths: number; verifyCode: string | null };
  /** oldest first; the last one is the failed rectification review */
  reviews: TerminationReview[];
  reason: string;
  /** what the agent adds about this site's assets (inventory, hand-over), if anything */
  assetHandling: string | null;
  /** the day the termination takes effect */
  effectiveAt: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const terminationNotice: Template<TerminationNoticeInput> = {
  kind: 'termination_notice',
  version: '1.0',
  title: '终止合作通知书',
  about: (input) => input.partner.name,
  keywords: (input) => [`effective:${input.effectiveAt.toISOString()}`],
  build(input, context) {
    const { recruitment, centre, partner, lot, agreement } = input;
    const removeBy = new Date(input.effectiveAt.getTime() + ASSET_REMOVAL_DAYS * DAY_MS);
    return [
      { kind: 'title', text: '终止合作通知书', subtitle: centre.name },
      { kind: 'paragraph', text: `${partner.name}：` },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `贵单位与${centre.name}依据${recruitmentName(recruitment)}订立的“${lot.name}”类别合作协议，` +
          `于${chineseDate(agreement.signedAt)}签署生效。经绩效考核，贵单位阶段考核不合格，限期整改后整改复核仍不合格。` +
          '根据合作协议“约束与退出机制”和“绩效考核”条款（整改后仍不合格的，本协议终止），现通知如下：',
      },
      {
        kind: 'fields',
        rows: [
          ['甲方', centre.name],
          ['乙方', partner.name],
          ['乙方统一社会信用代码', partner.uscc],
          ['合作协议', `${recruitmentName(recruitment)} · ${lot.name}`],
          ['协议签署日期', chineseDate(agreement.signedAt)],
          ['原定合作期满', chineseDate(agreement.endsAt)],
          ...(agreement.verifyCode ? ([['协议验证码', agreement.verifyCode]] as [string, string][]) : []),
          ['终止生效日期', chineseDate(input.effectiveAt)],
        ],
      },
      { kind: 'heading', text: '一、考核情况' },
      {
        kind: 'table',
        columns: [
          { header: '考核', width: 1 },
          { header: '应完成日期', width: 1 },
          { header: '完成日期', width: 1 },
          { header: '结果', width: 1 },
        ],
        rows: input.reviews.map((review) => [review.kind, chineseDate(review.dueAt), chineseDate(review.completedAt), review.result]),
      },
      { kind: 'heading', text: '二、终止理由' },
      { kind: 'paragraph', indent: true, text: input.reason },
      { kind: 'heading', text: '三、固定资产处置' },
      { kind: 'paragraph', indent: true, text: '依照合作协议“合作期满固定资产处置”条款：' },
      ...FIXED_ASSET_CLAUSE.map((text) => ({ kind: 'paragraph' as const, indent: true, text })),
      {
        kind: 'paragraph',
        indent: true,
        text: `据此，贵单位可移动的设施设备应于${chineseDate(removeBy)}前拆除搬离，并与甲方共同清点资产、形成书面交接清单。`,
      },
      ...(input.assetHandling ? [{ kind: 'paragraph' as const, indent: true, text: `具体安排：${input.assetHandling}` }] : []),
      { kind: 'heading', text: '四、生效' },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `合作协议自${chineseDate(input.effectiveAt)}起终止。贵单位应自该日起停止以合作项目名义开展经营活动，` +
          '妥善处理已售服务和会员权益，并配合甲方完成场地交接。本次终止记入甲方对贵单位的合作记录。',
      },
      { kind: 'paragraph', indent: true, text: '特此通知。' },
      issuerSignature(input, context),
    ];
  },
};
