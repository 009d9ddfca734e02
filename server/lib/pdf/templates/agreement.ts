import type { Block } from '../layout.ts';
import { A4, MARGIN_BOTTOM, MARGIN_X } from '../layout.ts';
import { chineseDate } from '../format.ts';
import { agreementBody, type DraftAgreementInput } from './draft-agreement.ts';
import { verificationQr, type Template } from './template.ts';

// The agreement as concluded (issue 17): the text of the version the organisation accepted,
// issued and signed by the centre, then countersigned by the organisation in an incremental
// update (lib/pdf/countersign.ts). Its last page is the signature page: the centre's signature
// printed at issue, and an empty frame at ORGANISATION_SIGNATURE_RECT where the organisation's
// signature widget appears once it has signed.

export interface AgreementInput extends DraftAgreementInput {
  version: number;
  /** when the organisation accepted the version */
  acceptedAt: Date;
}

/** Where the organisation's visible signature goes on the signature page, in points [x1, y1, x2, y2]. */
export const ORGANISATION_SIGNATURE_RECT: [number, number, number, number] = [MARGIN_X, MARGIN_BOTTOM + 10, A4[0] - MARGIN_X, MARGIN_BOTTOM + 110];

export const agreement: Template<AgreementInput> = {
  kind: 'agreement',
  version: '1.0',
  title: '合作协议',
  about: (input) => input.partner.name,
  keywords: (input) => [`agreement-version:${input.version}`, `term-months:${input.termMonths}`],
  build(input, context) {
    const blocks: Block[] = [
      ...agreementBody(input, {
        title: '合作协议',
        effect:
          `本协议依据乙方于${chineseDate(input.acceptedAt)}确认接受的第 ${input.version} 版协议文本订立，` +
          '以甲方和乙方的电子签名签署，自乙方签署之日起生效，合作期限自该日起计算。双方的电子签名与手写签名或盖章具有同等法律效力。',
      }),
      { kind: 'pageBreak' },
      { kind: 'heading', text: '签署页' },
      {
        kind: 'fields',
        rows: [
          ['甲方', input.centre.name],
          ['乙方', input.partner.name],
          ['乙方统一社会信用代码', input.partner.uscc],
          ['协议文本', `第 ${input.version} 版（乙方于${chineseDate(input.acceptedAt)}确认）`],
        ],
      },
      {
        kind: 'signature',
        lines: [`甲方电子签名：${input.centre.name}`, `签署日期：${chineseDate(input.issuedAt)}`],
        qr: verificationQr(input, context),
      },
      { kind: 'gap', height: 12 },
      {
        kind: 'paragraph',
        text: '乙方电子签名：由乙方以其数字证书在本文件上追加签署（增量更新，甲方签名保持有效），签署后显示于下方签名框。',
        small: true,
      },
    ];
    return blocks;
  },
};
