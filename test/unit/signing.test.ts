import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentAssets } from '../../server/lib/document-assets.ts';
import { renderDocument } from '../../server/lib/pdf/documents.ts';
import { MANDATORY_CLAUSES } from '../../server/lib/pdf/templates/draft-agreement.ts';
import {
  createDevelopmentCertificate,
  createP12Signer,
  readP12Certificate,
  type NewSigningCertificate,
  type SignatureDetails,
} from '../../server/lib/signing.ts';
import { SIGNATURE_BYTES } from '../../server/lib/pdf/signature.ts';
import { SAMPLE_ORGANIZATION, SAMPLE_PUBLIC_URL, sampleRequests } from '../helpers/documents.ts';
import { pdfsig, pdfText, run, writePdf } from '../helpers/pdf-tools.ts';

// Step two, signing: every kind signed with a freshly made development certificate and checked
// with pdfsig, as an outside party would. The certificate is not trusted on this machine, so
// pdfsig says the issuer is unknown; what matters here is the signature over the bytes.

const CHECK_SCRIPT = path.resolve(import.meta.dirname, '../tools/check-signed-pdf.sh');
const PASSWORD = 'test-p12-password';
const dir = mkdtempSync(path.join(tmpdir(), 'signing-'));
const signed = new Map<string, string>();
let certificate: NewSigningCertificate;

const details = (signingTime: Date): SignatureDetails => ({
  signingTime,
  reason: '入选结果文件签发',
  location: '浙江省杭州市',
  name: '浙江省职工服务中心',
});

beforeAll(async () => {
  certificate = createDevelopmentCertificate({
    centre: '浙江省职工服务中心',
    password: PASSWORD,
    notBefore: new Date('2025-01-01T00:00:00Z'),
  });
  const signer = createP12Signer(certificate.p12, PASSWORD);
  const assets = await loadDocumentAssets();
  for (const request of sampleRequests()) {
    const document = await renderDocument(request, { ...assets, publicUrl: SAMPLE_PUBLIC_URL });
    const bytes = await signer.sign(document.pdf, details(request.input.issuedAt));
    signed.set(request.kind, writePdf(dir, `${request.kind}.pdf`, bytes));
  }
});

describe('signed documents', () => {
  it.each(sampleRequests().map((request) => request.kind))('%s: pdfsig finds one valid signature over the whole file', (kind) => {
    const report = pdfsig(signed.get(kind)!);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Total document signed');
    expect(report).toContain('Signing Hash Algorithm: SHA-256');
    expect(report).toContain('Signature Type: adbe.pkcs7.detached');
    // the Chinese name survives in the CMS signer info (node-forge alone would garble it)
    expect(report).toContain('Signer Certificate Common Name: 浙江省职工服务中心（开发测试用，不可信）');
    expect(report).toContain('Signing Time: Jul 08 2025 02:30:00');
    expect(report).not.toContain('Signature #2');
  });

  it('one flipped byte in the signed content breaks the signature', () => {
    const bytes = readFileSync(signed.get('award_notice')!);
    // a hex digit of the Producer entry (a UTF-16 hex string): the file still parses
    let at = bytes.indexOf('/Producer <') + '/Producer <'.length + 4;
    while (!/[0-9]/.test(String.fromCharCode(bytes[at]!))) at++;
    bytes[at] = bytes[at]! ^ 0x01;
    const tampered = writePdf(dir, 'tampered.pdf', bytes);
    const report = pdfsig(tampered);
    expect(report).toContain('Signature Validation:');
    expect(report).not.toContain('Signature is Valid');
  });

  it('bytes appended after signing are reported as not covered', () => {
    const bytes = Buffer.concat([readFileSync(signed.get('award_notice')!), Buffer.from('\n% appended\n')]);
    const report = pdfsig(writePdf(dir, 'appended.pdf', bytes));
    expect(report).not.toContain('Total document signed');
  });

  it('the agreement passes the outside check of test/tools/check-signed-pdf.sh', () => {
    expect(existsSync(CHECK_SCRIPT)).toBe(true);
    const { status, output } = run('bash', [CHECK_SCRIPT, signed.get('draft_agreement')!, SAMPLE_ORGANIZATION.name, ...MANDATORY_CLAUSES]);
    expect(output).not.toContain('FAIL');
    expect(status).toBe(0);
  });

  it('keeps its text extractable after signing', () => {
    expect(pdfText(signed.get('award_notice')!)).toContain(SAMPLE_ORGANIZATION.name);
  });
});

describe('certificates', () => {
  it('a new certificate chains to its own CA and is made for signing documents', () => {
    const caFile = path.join(dir, 'ca.pem');
    const certFile = path.join(dir, 'cert.pem');
    writeFileSync(caFile, certificate.caCertificatePem);
    writeFileSync(certFile, certificate.certificatePem);
    const verified = run('openssl', ['verify', '-purpose', 'smimesign', '-CAfile', caFile, certFile]);
    expect(verified.output).toContain(': OK');
    const text = run('openssl', ['x509', '-in', certFile, '-noout', '-ext', 'keyUsage,extendedKeyUsage,basicConstraints']).output;
    expect(text).toContain('Digital Signature, Non Repudiation');
    expect(text).toContain('E-mail Protection');
    expect(text).toContain('CA:FALSE');
  });

  it('the .p12 opens with openssl and holds the key, its certificate and the CA', () => {
    const p12File = path.join(dir, 'signing.p12');
    writeFileSync(p12File, certificate.p12);
    const { status, output } = run('openssl', ['pkcs12', '-in', p12File, '-passin', `pass:${PASSWORD}`, '-nodes', '-info']);
    expect(status).toBe(0);
    expect(output.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(output).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('reads the signing certificate of a .p12 and refuses a wrong password', () => {
    const summary = readP12Certificate(certificate.p12, PASSWORD);
    expect(summary).toEqual(certificate.certificate);
    expect(summary.subject).toContain('CN=浙江省职工服务中心（开发测试用，不可信）');
    expect(summary.notBefore.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(summary.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(() => readP12Certificate(certificate.p12, 'wrong password')).toThrow();
    expect(() => createP12Signer(certificate.p12, 'wrong password')).toThrow();
  });

  it('reserves room for a signature well beyond this chain', () => {
    expect(SIGNATURE_BYTES).toBeGreaterThanOrEqual(16 * 1024);
  });
});
