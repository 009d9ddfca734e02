import { chineseDate } from '../format.ts';
import { issuerSignature, type DocumentBase, type Template } from './template.ts';

// The audit log's checkpoint: its head at one moment, signed with the centre's certificate and
// mailed to the inspectors. Its signature does not depend on the database, so a later rewrite of
// the log (even by a superuser, sign-off rows included) no longer matches it. The seq and head
// are also in the PDF's keywords, where verification reads them (domain/audit/anchors.ts).

export interface AuditCheckpointInput extends DocumentBase {
  /** seq of the last entry, 0 for an empty log */
  seq: number;
  head: string;
  /** 每日 or 按纪检监督员要求 */
  occasion: string;
}

export const AUDIT_SEQ_KEYWORD = 'audit-chain-seq:';
export const AUDIT_HEAD_KEYWORD = 'audit-chain-head:';

export const auditCheckpoint: Template<AuditCheckpointInput> = {
  kind: 'audit_checkpoint',
  version: '1.0',
  title: '操作日志检查点',
  about: (input) => `第 ${input.seq} 条`,
  keywords: (input) => [`${AUDIT_SEQ_KEYWORD}${input.seq}`, `${AUDIT_HEAD_KEYWORD}${input.head}`],
  build(input, context) {
    return [
      { kind: 'title', text: '操作日志检查点', subtitle: input.recruitment.owner },
      {
        kind: 'paragraph',
        indent: true,
        text:
          `截至${chineseDate(input.issuedAt)}，本平台操作日志共 ${input.seq} 条记录，其哈希链的链头如下。` +
          '每条记录都保存前一条记录的哈希，任何一条记录被修改、删除或截断，链头都将改变。' +
          '请妥善保存本文件：核验操作日志时，链中第该序号条记录的哈希必须与本文件记载的链头一致。',
      },
      {
        kind: 'fields',
        rows: [
          ['记录序号', String(input.seq)],
          ['链头（SHA-256）', input.head],
          ['签发时间', input.issuedAt.toISOString()],
          ['签发原因', input.occasion],
        ],
      },
      issuerSignature(input, context),
    ];
  },
};
