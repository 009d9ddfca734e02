import type { Block } from '../layout.ts';
import { dateTime, percent } from '../format.ts';
import { issuerSignature, recruitmentName, type DocumentBase, type SignOff, type Template } from './template.ts';

export interface OpeningRecordInput extends DocumentBase {
  startedAt: Date;
  /** when the key holders unsealed the bids */
  unsealedAt: Date;
  /** 线上开标 and the like */
  place: string;
  /** who ran the opening (the agent) */
  host: string;
  attendees: { name: string; /** shown as is, e.g. 纪检监督员, 投标单位代表 */ role: string }[];
  lots: { key: string; name: string; validBids: number; /** 有效 / 流标, shown as is */ status: string }[];
  /** in the order of the record, numbered from 1 */
  bids: {
    organization: string;
    lot: string;
    submittedAt: Date;
    /** the digest over the whole bid, as on the receipt */
    digest: string;
    digestVerified: boolean;
    publicBenefitRatio: number;
  }[];
  objections: { raisedBy: string; text: string; answer: string | null }[];
  signOff: SignOff;
}

export const openingRecord: Template<OpeningRecordInput> = {
  kind: 'opening_record',
  version: '1.0',
  title: '开标记录',
  about: (input) => input.recruitment.title,
  build(input, context) {
    const { recruitment, signOff } = input;
    const blocks: Block[] = [
      { kind: 'title', text: '开标记录', subtitle: recruitmentName(recruitment) },
      {
        kind: 'fields',
        rows: [
          ['招募项目', recruitmentName(recruitment)],
          ['招募单位', recruitment.owner],
          ['开标地点', input.place],
          ['开标开始时间', `${dateTime(input.startedAt)}（北京时间）`],
          ['解封时间', `${dateTime(input.unsealedAt)}（北京时间）`],
          ['主持人', input.host],
          ['参加人员', input.attendees.map((attendee) => `${attendee.name}（${attendee.role}）`).join('、') || '无'],
        ],
      },
      { kind: 'heading', text: '一、各类别有效响应情况' },
      {
        kind: 'table',
        columns: [
          { header: '类别', width: 4 },
          { header: '有效响应文件数', width: 2, align: 'center' },
          { header: '开标结论', width: 2, align: 'center' },
        ],
        rows: input.lots.map((lot) => [lot.name, String(lot.validBids), lot.status]),
      },
      { kind: 'heading', text: '二、响应文件开启记录' },
      {
        kind: 'paragraph',
        small: true,
        text: '摘要为响应文件全部内容的 SHA-256 值，开标时由系统重新计算，并与递交时出具的回执逐一比对。',
      },
      {
        kind: 'table',
        small: true,
        columns: [
          { header: '序号', width: 0.7, align: 'center' },
          { header: '响应单位', width: 2.8 },
          { header: '类别', width: 1.4 },
          { header: '递交时间', width: 1.6 },
          { header: '摘要（SHA-256）', width: 4.3 },
          { header: '校验', width: 0.8, align: 'center' },
          { header: '公益比例', width: 1.1, align: 'right' },
        ],
        rows: input.bids.map((bid, index) => [
          String(index + 1),
          bid.organization,
          bid.lot,
          dateTime(bid.submittedAt),
          bid.digest,
          bid.digestVerified ? '一致' : '不一致',
          percent(bid.publicBenefitRatio),
        ]),
      },
      { kind: 'heading', text: '三、异议及答复' },
    ];
    if (input.objections.length === 0) {
      blocks.push({ kind: 'paragraph', text: '开标过程中无异议。' });
    } else {
      blocks.push({
        kind: 'table',
        columns: [
          { header: '序号', width: 0.7, align: 'center' },
          { header: '提出人', width: 2.3 },
          { header: '异议内容', width: 4 },
          { header: '答复', width: 4 },
        ],
        rows: input.objections.map((objection, index) => [
          String(index + 1),
          objection.raisedBy,
          objection.text,
          objection.answer ?? '（未答复）',
        ]),
      });
    }
    blocks.push(
      { kind: 'heading', text: '四、监督签字确认' },
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
