import { createHash, createVerify, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';

// Checks a signed PDF the way a relying party would, without the signing key: the signature is
// the file's last one and covers every byte but its own /Contents, the CMS signature verifies
// over the signed attributes with the certificate it carries, the attributes' message digest is
// the SHA-256 of the covered bytes, and that certificate is the one we trust. The portal uses it
// where a document's content is evidence against the database (the announced bid key), so a
// database or storage operator without the centre's key cannot forge it.

/** why a signature does not hold, in words for the reader (zh-CN) */
export class SignatureCheckError extends Error {
  override name = 'SignatureCheckError';
}

const MESSAGE_DIGEST_OID = forge.pki.oids.messageDigest!;
const SHA256_OID = forge.pki.oids.sha256!;

/**
 * Throws SignatureCheckError unless `pdf` carries a valid signature over the whole file by the
 * certificate whose DER SHA-256 (hex) is `trustedCertificateFingerprint`.
 */
export function checkSignedPdf(pdf: Uint8Array, trustedCertificateFingerprint: string): void {
  const file = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const [start, coveredEnd, resumeAt, tailLength] = lastByteRange(file);
  // the covered bytes are all bytes but the hex string of /Contents: nothing appended after signing
  if (start !== 0 || resumeAt + tailLength !== file.length || coveredEnd >= resumeAt) {
    throw new SignatureCheckError('签名未覆盖整个文件（签名后又被修改）');
  }
  const hole = file.subarray(coveredEnd, resumeAt).toString('latin1');
  if (!/^<[0-9a-fA-F]*>$/.test(hole)) throw new SignatureCheckError('签名数据格式不正确');
  const cms = Buffer.from(hole.slice(1, -1), 'hex');
  const covered = Buffer.concat([file.subarray(0, coveredEnd), file.subarray(resumeAt)]);

  let message: forge.pkcs7.Captured<forge.pkcs7.PkcsSignedData>;
  try {
    const asn1 = fromDerWithPadding(forge.util.createBuffer(cms.toString('binary')), { parseAllBytes: false });
    message = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.Captured<forge.pkcs7.PkcsSignedData>;
  } catch {
    throw new SignatureCheckError('签名数据无法解析');
  }
  const certificate = message.certificates.find(
    (each) => derSha256(forge.asn1.toDer(forge.pki.certificateToAsn1(each)).getBytes()) === trustedCertificateFingerprint,
  );
  if (!certificate) throw new SignatureCheckError('签名证书不是本中心的文件签名证书');

  const signerInfos = (message.rawCapture as { signerInfos?: forge.asn1.Asn1[] }).signerInfos ?? [];
  if (signerInfos.length !== 1) throw new SignatureCheckError('签名数据格式不正确（须恰有一个签名者）');
  const signerInfo = parseSignerInfo(signerInfos[0]!);
  if (!signerInfo) throw new SignatureCheckError('签名数据格式不正确（须为 SHA-256 签名属性）');
  const { attributes, signature } = signerInfo;
  const digest = messageDigestOf(attributes);
  const expected = createHash('sha256').update(covered).digest();
  if (!digest || digest.length !== expected.length || !timingSafeEqual(digest, expected)) {
    throw new SignatureCheckError('文件内容与签名不符');
  }
  // the signature is over the DER of the attributes as a SET (RFC 5652 §5.4)
  const signedAttributes = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attributes);
  const verifier = createVerify('sha256');
  verifier.update(Buffer.from(forge.asn1.toDer(signedAttributes).getBytes(), 'binary'));
  if (!verifier.verify(forge.pki.certificateToPem(certificate), signature)) {
    throw new SignatureCheckError('签名无效');
  }
}

/**
 * The keywords of a PDF whose signature `checkSignedPdf` accepts: the facts its signer vouched
 * for (lib/pdf/documents.ts writes them as `name:value`). Throws SignatureCheckError first.
 */
export async function readSignedKeywords(pdf: Uint8Array, trustedCertificateFingerprint: string): Promise<string> {
  checkSignedPdf(pdf, trustedCertificateFingerprint);
  const { PDFDocument } = await import('pdf-lib');
  return (await PDFDocument.load(pdf, { updateMetadata: false })).getKeywords() ?? '';
}

/** forge's own options (its types know only the boolean form): /Contents is zero-padded after the DER */
const fromDerWithPadding = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteBuffer, options: { parseAllBytes: boolean }) => forge.asn1.Asn1;

function lastByteRange(file: Buffer): [number, number, number, number] {
  const text = file.toString('latin1');
  const at = text.lastIndexOf('/ByteRange');
  const match = at < 0 ? null : /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(at, at + 100));
  if (!match) throw new SignatureCheckError('文件没有数字签名');
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
}

/** SignerInfo (RFC 5652 §5.3): version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature */
function parseSignerInfo(signerInfo: forge.asn1.Asn1): { attributes: forge.asn1.Asn1[]; signature: Buffer } | null {
  const [, , digestAlgorithm, signedAttributes, , signature] = signerInfo.value as forge.asn1.Asn1[];
  const algorithm = (digestAlgorithm?.value as forge.asn1.Asn1[] | undefined)?.[0];
  if (!algorithm || forge.asn1.derToOid(algorithm.value as string) !== SHA256_OID) return null;
  if (signedAttributes?.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || signedAttributes.type !== 0) return null;
  if (signature?.type !== forge.asn1.Type.OCTETSTRING) return null;
  return { attributes: signedAttributes.value as forge.asn1.Asn1[], signature: Buffer.from(signature.value as string, 'binary') };
}

function messageDigestOf(attributes: forge.asn1.Asn1[]): Buffer | null {
  for (const attribute of attributes) {
    const [type, values] = attribute.value as forge.asn1.Asn1[];
    if (!type || !values || forge.asn1.derToOid(type.value as string) !== MESSAGE_DIGEST_OID) continue;
    const [value] = values.value as forge.asn1.Asn1[];
    return value ? Buffer.from(value.value as string, 'binary') : null;
  }
  return null;
}

function derSha256(der: string): string {
  return createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex');
}
