import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentAssets } from '../../server/lib/document-assets.ts';
import { renderDocument } from '../../server/lib/pdf/documents.ts';
import { checkSignedPdf, SignatureCheckError } from '../../server/lib/pdf/signature-check.ts';
import { createDevelopmentCertificate, createP12Signer, type Signer } from '../../server/lib/signing.ts';
import { SAMPLE_PUBLIC_URL, sampleRequests } from '../helpers/documents.ts';
import { testSigner } from '../helpers/app.ts';

// The portal's own check of a signed PDF (no poppler at run time): what it accepts pdfsig
// accepts too (test/unit/signing.test.ts); here, what it must refuse.

let signed: Buffer;
let signer: Signer;

beforeAll(async () => {
  signer = testSigner();
  const request = sampleRequests()[0]!;
  const { pdf } = await renderDocument(request, { ...(await loadDocumentAssets()), publicUrl: SAMPLE_PUBLIC_URL });
  signed = Buffer.from(await signer.sign(pdf, { signingTime: request.input.issuedAt, reason: '签发', location: '杭州', name: '职工服务中心' }));
});

describe('checkSignedPdf', () => {
  it('accepts a document signed by the trusted certificate', () => {
    expect(() => checkSignedPdf(signed, signer.certificate.fingerprint)).not.toThrow();
  });

  it('refuses one flipped byte in the signed content', () => {
    const bytes = Buffer.from(signed);
    const at = bytes.indexOf('/Producer <') + '/Producer <'.length + 2;
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    expect(() => checkSignedPdf(bytes, signer.certificate.fingerprint)).toThrow(SignatureCheckError);
  });

  it('refuses bytes appended after signing', () => {
    const bytes = Buffer.concat([signed, Buffer.from('\n% appended\n')]);
    expect(() => checkSignedPdf(bytes, signer.certificate.fingerprint)).toThrow(/未覆盖整个文件/);
  });

  it('refuses a valid signature by another certificate', async () => {
    const other = createP12Signer(
      createDevelopmentCertificate({ centre: '职工服务中心', password: 'x', notBefore: new Date('2025-01-01T00:00:00Z') }).p12,
      'x',
    );
    expect(() => checkSignedPdf(signed, other.certificate.fingerprint)).toThrow(/不是本中心的文件签名证书/);
  });

  it('refuses an unsigned file', () => {
    expect(() => checkSignedPdf(Buffer.from('%PDF-1.7\n%%EOF\n'), signer.certificate.fingerprint)).toThrow(/没有数字签名/);
  });
});
