import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentAssets, templateSourcePath, type DocumentAssets } from '../../server/lib/document-assets.ts';
import { sha256Hex } from '../../server/lib/hash.ts';
import { renderDocument, type RenderedDocument } from '../../server/lib/pdf/documents.ts';
import { MissingGlyphsError } from '../../server/lib/pdf/layout.ts';
import { AgreementTermError, MANDATORY_CLAUSES } from '../../server/lib/pdf/templates/draft-agreement.ts';
import { DOCUMENT_KINDS } from '../../server/lib/pdf/templates/template.ts';
import {
  SAMPLE_ORGANIZATION,
  SAMPLE_PUBLIC_URL,
  sampleAuditCheckpoint,
  sampleAwardNotice,
  sampleDraftAgreement,
  sampleEvaluationReport,
  sampleRequests,
} from '../helpers/documents.ts';
import { inkPerPage, pdfFonts, pdfText, run, writePdf } from '../helpers/pdf-tools.ts';

// Step one, rendering: each kind of document as an outside reader sees it (unsigned here;
// signing.test.ts covers the signatures). poppler-utils must be installed.

let assets: DocumentAssets;
const dir = mkdtempSync(path.join(tmpdir(), 'pdf-documents-'));
const rendered = new Map<string, { document: RenderedDocument; file: string }>();

beforeAll(async () => {
  assets = await loadDocumentAssets();
  for (const request of sampleRequests()) {
    const document = await renderDocument(request, { ...assets, publicUrl: SAMPLE_PUBLIC_URL });
    rendered.set(request.kind, { document, file: writePdf(dir, `${request.kind}.pdf`, document.pdf) });
  }
});

describe.each(DOCUMENT_KINDS)('%s', (kind) => {
  const file = () => rendered.get(kind)!.file;

  it('embeds its fonts as subsets with a ToUnicode map, and no other font', () => {
    const fonts = pdfFonts(file());
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font).toMatchObject({ embedded: true, subset: true, unicode: true });
      expect(font.name).toMatch(/^[A-Z]{6}\+SourceHanSansSC-(Regular|Bold)$/);
    }
  });

  it('renders every page with ink and no font errors when the machine has no fonts at all', () => {
    const { ink, errors } = inkPerPage(file());
    expect(errors).toBe('');
    expect(ink.length).toBeGreaterThan(0);
    // a page of Chinese text darkens a few percent of its pixels; a blank or broken font, none
    for (const share of ink) expect(share).toBeGreaterThan(0.005);
  });

  it('has extractable text with its verification code, page numbers and template hash', () => {
    const { document } = rendered.get(kind)!;
    const request = sampleRequests().find((each) => each.kind === kind)!;
    const text = pdfText(file());
    expect(text).toContain(request.input.verifyCode);
    expect(text).toContain('第1页/共');
    expect(text).toContain(document.templateSha256);
    expect(text).toContain(request.input.recruitment.owner);
  });

  it("records the template's version and the SHA-256 of its source file in the metadata", () => {
    const { document } = rendered.get(kind)!;
    const source = readFileSync(templateSourcePath(kind));
    expect(document.templateSha256).toBe(sha256Hex(source));
    const info = run('pdfinfo', ['-enc', 'UTF-8', file()]).output;
    expect(info).toContain(`template-sha256:${sha256Hex(source)}`);
    expect(info).toContain(`template-version:${document.templateVersion}`);
    expect(info).toMatch(/Producer:\s+partner-recruitment-portal/);
    expect(info).toMatch(/Page size:\s+595.28 x 841.89 pts \(A4\)/);
  });
});

describe('content', () => {
  it('the audit checkpoint states its seq and head, in its text and in its keywords', () => {
    const { input } = sampleAuditCheckpoint();
    const file = rendered.get('audit_checkpoint')!.file;
    const text = pdfText(file).replace(/\s+/g, '');
    expect(text).toContain('1234');
    expect(text).toContain(input.head);
    const info = run('pdfinfo', ['-enc', 'UTF-8', file]).output;
    expect(info).toContain(`audit-chain-seq:1234`);
    expect(info).toContain(`audit-chain-head:${input.head}`);
  });

  it('the award notice names the organisation, its code, lot, score and rank', () => {
    const text = pdfText(rendered.get('award_notice')!.file);
    for (const expected of [SAMPLE_ORGANIZATION.name, SAMPLE_ORGANIZATION.uscc, '文艺演出', '88.67分（类别内第1名）', '30%']) {
      expect(text).toContain(expected);
    }
  });

  it('the draft agreement carries every mandatory clause of SPEC §1', () => {
    const text = pdfText(rendered.get('draft_agreement')!.file);
    expect(text).toContain(SAMPLE_ORGANIZATION.name);
    for (const heading of MANDATORY_CLAUSES) expect(text).toContain(heading);
    // what the headings promise is in the text too
    for (const phrase of [
      '36个月（3年）', '最长不超过5年', '自筹', '收益分配', '固定设施', '不低于30%的服务名额',
      '劳动模范和工匠人才、困难职工、工会会员', '公文、印章、发票和银行账户', '职工满意度为核心指标',
      '阶段考核', '终期考核', '整改后仍不合格的，本协议终止',
    ]) {
      expect(text).toContain(phrase);
    }
  });

  it('the opening record lists every bid with its full digest', () => {
    const request = sampleRequests().find((each) => each.kind === 'opening_record')!;
    const text = pdfText(rendered.get('opening_record')!.file);
    if (request.kind !== 'opening_record') throw new Error('sample order');
    for (const bid of request.input.bids) {
      expect(text).toContain(bid.organization);
      expect(text).toContain(bid.digest);
    }
    expect(text).toContain(request.input.signOff.chainHead);
  });

  it('the evaluation report shows each expert, criterion and recommended organisation', () => {
    const request = sampleRequests().find((each) => each.kind === 'evaluation_report')!;
    if (request.kind !== 'evaluation_report') throw new Error('sample order');
    const text = pdfText(rendered.get('evaluation_report')!.file);
    for (const member of request.input.panel) expect(text).toContain(member.name);
    for (const criterion of request.input.criteria) expect(text).toContain(criterion.name);
    for (const bid of request.input.bids.filter((each) => each.recommended)) expect(text).toContain(bid.organization);
    expect(text).toContain('未提供近6个月社会保险缴纳证明');
    expect(text).toContain('评审轮次第1轮');
  });

  it('the report of a redone evaluation states its round and why, in its title too', async () => {
    const request = sampleEvaluationReport();
    request.input.round = 2;
    request.input.redoReason = '质疑成立：评审专家与一家响应单位存在利害关系';
    request.input.panelChanges = [
      { seat: 3, name: '王建国', change: '经办人更换：质疑成立，与一家响应单位存在合作关系' },
      { seat: 3, name: '陈思远', change: '按抽取序列递补' },
    ];
    const document = await renderDocument(request, { ...assets, publicUrl: SAMPLE_PUBLIC_URL });
    expect(document.title).toBe(`评审报告 · ${request.input.recruitment.title}（第 2 轮评审）`);
    const text = pdfText(writePdf(dir, 'evaluation_report-round-2.pdf', document.pdf));
    for (const expected of [
      '评审报告（第2轮）',
      '评审轮次第2轮（重新评审）',
      '重新评审原因质疑成立：评审专家与一家响应单位存在利害关系',
      '本轮评审委员会组成变动',
      '第3位王建国经办人更换：质疑成立，与一家响应单位存在合作关系',
      '第3位陈思远按抽取序列递补',
    ]) {
      expect(text).toContain(expected);
    }
  });
});

describe('rendering rules', () => {
  it('renders the same input to the same bytes (no clock, no randomness)', async () => {
    const again = await renderDocument(sampleAwardNotice(), { ...assets, publicUrl: SAMPLE_PUBLIC_URL });
    expect(Buffer.from(again.pdf).equals(Buffer.from(rendered.get('award_notice')!.document.pdf))).toBe(true);
  });

  it('refuses a name with a character the font cannot draw, instead of dropping it', async () => {
    const request = sampleAwardNotice();
    request.input.organization = { ...request.input.organization, name: '星光\u{E000}艺术团' };
    await expect(renderDocument(request, { ...assets, publicUrl: SAMPLE_PUBLIC_URL })).rejects.toThrow(MissingGlyphsError);
  });

  it('refuses an agreement term over 60 months', async () => {
    const request = sampleDraftAgreement();
    request.input.termMonths = 61;
    await expect(renderDocument(request, { ...assets, publicUrl: SAMPLE_PUBLIC_URL })).rejects.toThrow(AgreementTermError);
  });

  it('runs long tables onto further pages with their header repeated', async () => {
    const request = sampleRequests().find((each) => each.kind === 'opening_record')!;
    if (request.kind !== 'opening_record') throw new Error('sample order');
    const bids = Array.from({ length: 60 }, (_, index) => ({ ...request.input.bids[index % 12]!, organization: `测试单位${index + 1}号` }));
    const document = await renderDocument({ kind: 'opening_record', input: { ...request.input, bids } }, { ...assets, publicUrl: SAMPLE_PUBLIC_URL });
    const file = writePdf(dir, 'long.pdf', document.pdf);
    const pages = run('pdftotext', ['-enc', 'UTF-8', file, '-']).output.split('\f').filter((page) => page.trim());
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages.slice(1, -1)) expect(page.replace(/\s+/g, '')).toContain('摘要（SHA-256）');
    const text = pdfText(file);
    for (let index = 1; index <= 60; index++) expect(text).toContain(`测试单位${index}号`);
  });
});
