import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentAssets } from '../../server/lib/document-assets.ts';
import { renderDocument } from '../../server/lib/pdf/documents.ts';
import { createDevelopmentCertificate, createP12Signer, createSigningCertificate, openCountersigner } from '../../server/lib/signing.ts';
import { ORGANISATION_SIGNATURE_RECT } from '../../server/lib/pdf/templates/agreement.ts';
import { SAMPLE_PUBLIC_URL, sampleAgreement } from '../helpers/documents.ts';
import { pdfsig, pdfText, run, writePdf } from '../helpers/pdf-tools.ts';

// The organisation's signature added to a document the centre signed, as an incremental update:
// checked with pdfsig and qpdf as an outside party would.

const dir = mkdtempSync(path.join(tmpdir(), 'countersign-'));
let first: Uint8Array;
let both: Uint8Array;

beforeAll(async () => {
  const centre = createDevelopmentCertificate({ centre: '浙江省职工服务中心', password: 'c', notBefore: new Date('2025-01-01T00:00:00Z') });
  const organisation = createSigningCertificate({
    commonName: '杭州市西湖区星光艺术团',
    organization: '杭州市西湖区星光艺术团',
    password: 'o',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    validityDays: 3650,
  });
  const assets = await loadDocumentAssets();
  const request = sampleAgreement();
  const { pdf } = await renderDocument(request, { ...assets, publicUrl: SAMPLE_PUBLIC_URL });
  const time = request.input.issuedAt;
  first = await createP12Signer(centre.p12, 'c').sign(pdf, { signingTime: time, reason: '合作协议签发', location: '杭州', name: '浙江省职工服务中心' });
  both = await openCountersigner(organisation.p12, 'o').countersign(
    first,
    { signingTime: new Date(time.getTime() + 86_400_000), reason: '合作协议签署（乙方）', location: '杭州', name: '杭州市西湖区星光艺术团' },
    { rect: ORGANISATION_SIGNATURE_RECT, lines: ['乙方电子签名：杭州市西湖区星光艺术团', '签署时间：2025年7月9日'], font: assets.fonts.regular },
  );
});

describe('countersigning', () => {
  it('keeps every byte the centre signed and appends the update after them', () => {
    expect(Buffer.from(both.subarray(0, first.length)).equals(Buffer.from(first))).toBe(true);
  });

  it('pdfsig finds two valid signatures, the second over the whole file', () => {
    const report = pdfsig(writePdf(dir, 'both.pdf', both));
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(report).toContain('Signer Certificate Common Name: 浙江省职工服务中心（开发测试用，不可信）');
    expect(report).toContain('Signer Certificate Common Name: 杭州市西湖区星光艺术团');
    const second = report.slice(report.indexOf('Signature #2'));
    expect(second).toContain('Total document signed');
  });

  it('passes the outside check of test/tools/check-signed-pdf.sh', () => {
    const script = path.resolve(import.meta.dirname, '../tools/check-signed-pdf.sh');
    const result = run('bash', [script, writePdf(dir, 'tool.pdf', both), '乙方电子签名：杭州市西湖区星光艺术团', '甲方电子签名']);
    expect(result.output).not.toContain('FAIL');
    expect(result.status).toBe(0);
  });

  it('is a well-formed PDF whose text shows the visible signature', () => {
    const file = writePdf(dir, 'checked.pdf', both);
    expect(run('qpdf', ['--check', file]).output).toContain('No syntax or stream encoding errors');
    expect(pdfText(file)).toContain('乙方电子签名：杭州市西湖区星光艺术团');
  });
});
