import { verifyUrl } from '../verification-code.ts';
import { renderPdf, type DocumentFonts } from './layout.ts';
import { agreement, type AgreementInput } from './templates/agreement.ts';
import { announcement, type AnnouncementInput } from './templates/announcement.ts';
import { auditCheckpoint, type AuditCheckpointInput } from './templates/audit-checkpoint.ts';
import { awardNotice, type AwardNoticeInput } from './templates/award-notice.ts';
import { draftAgreement, type DraftAgreementInput } from './templates/draft-agreement.ts';
import { evaluationReport, type EvaluationReportInput } from './templates/evaluation-report.ts';
import { openingRecord, type OpeningRecordInput } from './templates/opening-record.ts';
import { rejectionNotice, type RejectionNoticeInput } from './templates/rejection-notice.ts';
import { satisfactionPoster, type SatisfactionPosterInput } from './templates/satisfaction-poster.ts';
import { reviewResult, type ReviewResultInput } from './templates/review-result.ts';
import { terminationNotice, type TerminationNoticeInput } from './templates/termination-notice.ts';
import type { DocumentBase, DocumentKind, Template } from './templates/template.ts';

// Step one of three (render → sign → store): a document kind and its input in, unsigned PDF
// bytes out. Pure: fonts, template hashes and the public URL are handed in (see
// server/lib/document-assets.ts for loading the first two), the date comes from the input.
//
//   const assets = await loadDocumentAssets();                       // once, at start
//   const { pdf } = await renderDocument({ kind, input }, { ...assets, publicUrl });
//   const signed = await signer.sign(pdf, { signingTime: input.issuedAt, reason, location, name });
//   // then storage, and sha256Hex(signed) for /verify/<code>
//
// Passing the document's issuedAt as the signing time keeps the printed date, the PDF creation
// date and the signature's time one instant.

export type DocumentRequest =
  | { kind: 'award_notice'; input: AwardNoticeInput }
  | { kind: 'rejection_notice'; input: RejectionNoticeInput }
  | { kind: 'draft_agreement'; input: DraftAgreementInput }
  | { kind: 'opening_record'; input: OpeningRecordInput }
  | { kind: 'evaluation_report'; input: EvaluationReportInput }
  | { kind: 'announcement'; input: AnnouncementInput }
  | { kind: 'audit_checkpoint'; input: AuditCheckpointInput }
  | { kind: 'agreement'; input: AgreementInput }
  | { kind: 'satisfaction_poster'; input: SatisfactionPosterInput }
  | { kind: 'review_result'; input: ReviewResultInput }
  | { kind: 'termination_notice'; input: TerminationNoticeInput };

export interface RenderEnvironment {
  fonts: DocumentFonts;
  /** SHA-256 (hex) of each template's source file */
  templateHashes: Record<DocumentKind, string>;
  /** PUBLIC_URL without a trailing slash */
  publicUrl: string;
}

export interface RenderedDocument {
  kind: DocumentKind;
  /** unsigned PDF, no signature placeholder */
  pdf: Uint8Array;
  /** e.g. 入选通知书 · 杭州市西湖区星光艺术团 */
  title: string;
  templateVersion: string;
  templateSha256: string;
  verifyUrl: string;
}

const TEMPLATES: { [K in DocumentRequest['kind']]: Template<Extract<DocumentRequest, { kind: K }>['input']> } = {
  award_notice: awardNotice,
  rejection_notice: rejectionNotice,
  draft_agreement: draftAgreement,
  opening_record: openingRecord,
  evaluation_report: evaluationReport,
  announcement,
  audit_checkpoint: auditCheckpoint,
  agreement,
  satisfaction_poster: satisfactionPoster,
  review_result: reviewResult,
  termination_notice: terminationNotice,
};

const CREATOR = '职工服务中心合作伙伴招募平台';
const PRODUCER = 'partner-recruitment-portal (pdf-lib, fontkit)';

export async function renderDocument(request: DocumentRequest, env: RenderEnvironment): Promise<RenderedDocument> {
  // each arm narrows the template and its input together, which one generic call cannot
  switch (request.kind) {
    case 'award_notice':
      return render(TEMPLATES.award_notice, request.input, env);
    case 'rejection_notice':
      return render(TEMPLATES.rejection_notice, request.input, env);
    case 'draft_agreement':
      return render(TEMPLATES.draft_agreement, request.input, env);
    case 'opening_record':
      return render(TEMPLATES.opening_record, request.input, env);
    case 'evaluation_report':
      return render(TEMPLATES.evaluation_report, request.input, env);
    case 'announcement':
      return render(TEMPLATES.announcement, request.input, env);
    case 'audit_checkpoint':
      return render(TEMPLATES.audit_checkpoint, request.input, env);
    case 'agreement':
      return render(TEMPLATES.agreement, request.input, env);
    case 'satisfaction_poster':
      return render(TEMPLATES.satisfaction_poster, request.input, env);
    case 'review_result':
      return render(TEMPLATES.review_result, request.input, env);
    case 'termination_notice':
      return render(TEMPLATES.termination_notice, request.input, env);
  }
}

async function render<Input extends DocumentBase>(
  template: Template<Input>,
  input: Input,
  env: RenderEnvironment,
): Promise<RenderedDocument> {
  const hash = env.templateHashes[template.kind];
  const url = verifyUrl(env.publicUrl, input.verifyCode);
  const title = `${template.title} · ${template.about(input)}`;
  const blocks = template.build(input, { verifyUrl: url });
  const pdf = await renderPdf(
    {
      blocks,
      runningHeader: title,
      footer: [
        `验证码 ${input.verifyCode} · 核验网址 ${url}`,
        `模板 ${template.kind} v${template.version} · SHA-256 ${hash}`,
      ],
      metadata: {
        title,
        subject: input.recruitment.title,
        author: input.recruitment.owner,
        keywords: [
          `kind:${template.kind}`,
          `verify-code:${input.verifyCode}`,
          `verify-url:${url}`,
          `template-version:${template.version}`,
          `template-sha256:${hash}`,
          ...(template.keywords?.(input) ?? []),
        ],
        creator: CREATOR,
        producer: PRODUCER,
        createdAt: input.issuedAt,
      },
    },
    env.fonts,
  );
  return { kind: template.kind, pdf, title, templateVersion: template.version, templateSha256: hash, verifyUrl: url };
}
