import type { Block } from '../layout.ts';
import { chineseDate } from '../format.ts';

// What every document template shares: the inputs common to all kinds, and the shape of a
// template. A template is a versioned file; its version is bumped by hand when its wording
// changes, and the SHA-256 of the file is recorded in each PDF beside the version, so a document
// can be traced to the exact text it was produced from.

export const DOCUMENT_KINDS = [
  'award_notice',
  'rejection_notice',
  'draft_agreement',
  'opening_record',
  'evaluation_report',
  'announcement',
  'audit_checkpoint',
  'agreement',
  'satisfaction_poster',
  'review_result',
  'termination_notice',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export interface RecruitmentInfo {
  title: string;
  /** the recruiting centre, which issues and signs the documents */
  owner: string;
  /** 项目编号, when the recruitment has one */
  reference?: string;
}

export interface LotInfo {
  key: string;
  name: string;
}

export interface OrganizationInfo {
  name: string;
  /** 统一社会信用代码 */
  uscc: string;
}

/** Fields every document input has. */
export interface DocumentBase {
  recruitment: RecruitmentInfo;
  /** formatted as shown, e.g. from `formatVerificationCode` */
  verifyCode: string;
  /** the date printed on the document and its PDF creation date */
  issuedAt: Date;
}

export interface SignOff {
  inspector: string;
  at: Date;
  comment: string;
  /** the audit chain head the inspector saw when signing off */
  chainHead: string;
}

export interface TemplateContext {
  /** PUBLIC_URL/verify/<code>, encoded in the QR code */
  verifyUrl: string;
}

export interface Template<Input extends DocumentBase> {
  kind: DocumentKind;
  version: string;
  /** the document's name, e.g. 入选通知书 */
  title: string;
  /** who or what the document is about, for its running header and PDF title */
  about(input: Input): string;
  /** machine-readable facts the document vouches for, as PDF keywords `name:value` under its signature */
  keywords?(input: Input): string[];
  build(input: Input, context: TemplateContext): Block[];
}

export function recruitmentName(recruitment: RecruitmentInfo): string {
  return recruitment.reference ? `${recruitment.title}（项目编号：${recruitment.reference}）` : recruitment.title;
}

/** The issuer's signature lines beside the verification QR code. */
export function issuerSignature(input: DocumentBase, context: TemplateContext): Block {
  return {
    kind: 'signature',
    lines: [`${input.recruitment.owner}（电子签名）`, chineseDate(input.issuedAt)],
    qr: verificationQr(input, context),
  };
}

export function verificationQr(input: DocumentBase, context: TemplateContext) {
  return {
    url: context.verifyUrl,
    caption: [`扫码或访问以下网址核验本文件（验证码 ${input.verifyCode}）：`, context.verifyUrl],
  };
}
