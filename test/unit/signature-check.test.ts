import { describe, expect, it } from 'vitest';
import { loadDocumentAssets } from '../../server/lib/document-assets.ts';
import { renderDocument } from '../../server/lib/pdf/documents.ts';
import { signatureProblem } from '../../server/lib/pdf/signature-check.ts';
import { createDevelopmentCertificate, createP12Signer } from '../../server/lib/signing.ts';
import { testSigner } from '../helpers/app.ts';
import { SAMPLE_PUBLIC_URL, sampleAuditCheckpoint } from '../helpers/documents.ts';

// A checkpoint file is trusted only when its signature, checked without the database, is the
// centre's and covers every byte of the file.

async function signedCheckpoint(signer = testSigner()): Promise<Buffer> {
  const { pdf } = await renderDocument(sampleAuditCheckpoint(), { ...(await loadDocumentAssets()), publicUrl: SAMPLE_PUBLIC_URL });
  return Buffer.from(await signer.sign(pdf, { signingTime: new Date('2025-06-26T00:00:00Z'), reason: '操作日志检查点签发', location: '杭州', name: '中心' }));
}

describe('signatureProblem', () => {
  const centre = testSigner().certificate.fingerprint;

  it("accepts a file signed with the centre's certificate", async () => {
    expect(signatureProblem(await signedCheckpoint(), centre)).toBeNull();
  });

  it('refuses a file with one byte changed', async () => {
    const pdf = await signedCheckpoint();
    const at = pdf.indexOf('audit-chain-seq:1234');
    pdf[at + 16] = 0x39;
    expect(signatureProblem(pdf, centre)).toBe('文件内容与签名不符');
  });

  it('refuses a file with anything appended after the signature', async () => {
    const pdf = await signedCheckpoint();
    expect(signatureProblem(Buffer.concat([pdf, Buffer.from('\n% appended\n')]), centre)).toBe('签名未覆盖整个文件（签名后又被修改）');
  });

  it('refuses a file signed with another certificate', async () => {
    const other = createDevelopmentCertificate({ centre: '别的中心', password: 'x', notBefore: new Date('2025-01-01T00:00:00Z') });
    expect(signatureProblem(await signedCheckpoint(createP12Signer(other.p12, 'x')), centre)).toBe('签名证书不是本中心的文件签名证书');
  });

  it('refuses an unsigned file', async () => {
    const { pdf } = await renderDocument(sampleAuditCheckpoint(), { ...(await loadDocumentAssets()), publicUrl: SAMPLE_PUBLIC_URL });
    expect(signatureProblem(Buffer.from(pdf), centre)).toBe('文件没有数字签名');
  });
});
