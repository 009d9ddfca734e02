import { formatFingerprint } from '../../bid-key-fingerprint.ts';
import { dateTime, months, percent } from '../format.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type Template } from './template.ts';

// The signed announcement (招募公告) issued at publication. Beside the terms bidders rely on, it
// carries the bid key's fingerprint: signed by the centre's certificate, which the database does
// not hold, it is the reference every submission and the opening check the stored bid key against.

export interface AnnouncementInput extends DocumentBase {
  recruitmentId: string;
  summary: string;
  decisionRef: string;
  publishedAt: Date;
  questionsDeadline: Date;
  submissionDeadline: Date;
  publicityDays: number;
  agreementTermMonths: number;
  minPublicBenefitRatio: number;
  lots: { name: string; quota: number }[];
  eligibility: string[];
  criteria: { name: string; maxScore: number }[];
  /** the roles holding a share of the bid key, e.g. 招标代理、纪检监督员 */
  keyHolders: string[];
  /** bidKeyFingerprint() of the recruitment's bid key */
  bidKeyFingerprint: string;
  publicPageUrl: string;
}

export const announcement: Template<AnnouncementInput> = {
  kind: 'announcement',
  version: '1.0',
  title: '招募公告',
  about: (input) => input.recruitment.title,
  keywords: (input) => [`recruitment-id:${input.recruitmentId}`, `bid-key-fingerprint:${input.bidKeyFingerprint}`],
  build(input, context) {
    const { recruitment } = input;
    return [
      { kind: 'title', text: '招募公告', subtitle: recruitmentName(recruitment) },
      { kind: 'paragraph', indent: true, text: input.summary },
      {
        kind: 'fields',
        rows: [
          ['招募项目', recruitmentName(recruitment)],
          ['招募单位', recruitment.owner],
          ['集体决策', input.decisionRef],
          ['发布时间', `${dateTime(input.publishedAt)}（北京时间）`],
          ['提问截止', `${dateTime(input.questionsDeadline)}（北京时间）`],
          ['响应文件提交截止', `${dateTime(input.submissionDeadline)}（北京时间，以服务器时间为准）`],
          ['开标时间', '提交截止时间，线上开标'],
          ['公益名额比例', `不低于 ${percent(input.minPublicBenefitRatio)}`],
          ['合作期限', months(input.agreementTermMonths)],
          ['公示期', `${input.publicityDays} 日`],
          ['公告全文', input.publicPageUrl],
        ],
      },
      { kind: 'heading', text: '一、招募类别' },
      {
        kind: 'table',
        columns: [
          { header: '类别', width: 5 },
          { header: '拟入选数', width: 2, align: 'center' },
        ],
        rows: input.lots.map((lot) => [lot.name, String(lot.quota)]),
      },
      { kind: 'heading', text: '二、资格条件' },
      ...input.eligibility.map((text, index) => ({ kind: 'paragraph' as const, indent: true, text: `${index + 1}. ${text}` })),
      { kind: 'heading', text: '三、评分因素' },
      {
        kind: 'table',
        columns: [
          { header: '评分因素', width: 5 },
          { header: '分值', width: 2, align: 'center' },
        ],
        rows: input.criteria.map((criterion) => [criterion.name, String(criterion.maxScore)]),
      },
      { kind: 'heading', text: '四、响应文件密封' },
      {
        kind: 'paragraph',
        indent: true,
        text:
          '响应文件及所申报的数值在收到时即以本项目的投标密钥加密，开标前任何人均无法查看。' +
          `投标密钥的私钥拆分为份额，分别由${input.keyHolders.join('、')}以各自的开标口令保管，须其中两人共同输入口令方可开标。` +
          '本项目投标密钥的指纹（公钥的 SHA-256）如下；每份提交回执均载明其密封所用密钥的指纹，应与本公告一致，' +
          '不一致时请勿提交并向纪检监督员反映：',
      },
      { kind: 'paragraph', align: 'center', bold: true, text: formatFingerprint(input.bidKeyFingerprint) },
      { kind: 'heading', text: '五、提交、开标与监督' },
      {
        kind: 'paragraph',
        indent: true,
        text:
          '响应单位在本平台注册并验证电子邮箱后，在线提交响应文件（PDF 格式），逐项声明满足资格条件并申报公益名额比例；' +
          '截止前可以撤回或重新提交，以最后一次提交为准。响应文件须在提交截止前完整送达，以服务器时间为准，逾期不予接收。',
      },
      {
        kind: 'paragraph',
        indent: true,
        text:
          '开标在提交截止时间线上进行，纪检监督员到场监督，响应单位可在线参加；开标时当场重新计算每份响应文件的摘要并与回执并列公示。' +
          '某一类别有效响应不足三家的，该类别流标。评审结果公示期内，参与的响应单位可以提出质疑。',
      },
      {
        kind: 'paragraph',
        indent: true,
        text: `本公告的有关更正、澄清以平台发布的编号公告为准，请关注：${input.publicPageUrl}`,
      },
      issuerSignature(input, context),
    ];
  },
};
