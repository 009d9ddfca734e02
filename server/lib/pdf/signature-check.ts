import { createHash, createVerify, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';

// Checks a signed PDF the way a relying party would, without the signing key: the signature is
// the file's last one and covers every byte but its own /Contents, the CMS signature verifies
// over the signed attributes with the certificate it carries, the attributes' message digest is
// the SHA-256 of the covered bytes, and that certificate is the one we trust. The portal uses it
// where a document's content is evidence against the database (the announced bid key), so a
// database or storage operator without the centre's key cannot forge it.

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
    throw new SignatureCheckError('the signature does not cover the whole file');
  }
  const hole = file.subarray(coveredEnd, resumeAt).toString('latin1');
  if (!/^<[0-9a-fA-F]*>$/.test(hole)) throw new SignatureCheckError('the signature contents are not a hex string');
  const cms = Buffer.from(hole.slice(1, -1), 'hex');
  const covered = Buffer.concat([file.subarray(0, coveredEnd), file.subarray(resumeAt)]);

  let message: forge.pkcs7.Captured<forge.pkcs7.PkcsSignedData>;
  try {
    const asn1 = fromDerWithPadding(forge.util.createBuffer(cms.toString('binary')), { parseAllBytes: false });
    message = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.Captured<forge.pkcs7.PkcsSignedData>;
  } catch {
    throw new SignatureCheckError('the signature is not a CMS signed-data structure');
  }
  const certificate = message.certificates.find(
    (each) => derSha256(forge.asn1.toDer(forge.pki.certificateToAsn1(each)).getBytes()) === trustedCertificateFingerprint,
  );
  if (!certificate) throw new SignatureCheckError('the signature is not by the trusted certificate');

  const signerInfos = (message.rawCapture as { signerInfos?: forge.asn1.Asn1[] }).signerInfos ?? [];
  if (signerInfos.length !== 1) throw new SignatureCheckError('the signature must have exactly one signer');
  const signerInfo = parseSignerInfo(signerInfos[0]!);
  if (!signerInfo) throw new SignatureCheckError('the signer information has no SHA-256 signed attributes');
  const { attributes, signature } = signerInfo;
  const digest = messageDigestOf(attributes);
  const expected = createHash('sha256').update(covered).digest();
  if (!digest || digest.length !== expected.length || !timingSafeEqual(digest, expected)) {
    throw new SignatureCheckError('the file was changed after it was signed');
  }
  // the signature is over the DER of the attributes as a SET (RFC 5652 §5.4)
  const signedAttributes = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attributes);
  const verifier = createVerify('sha256');
  verifier.update(Buffer.from(forge.asn1.toDer(signedAttributes).getBytes(), 'binary'));
  if (!verifier.verify(forge.pki.certificateToPem(certificate), signature)) {
    throw new SignatureCheckError('the signature does not verify');
  }
}

/** forge's own options (its types know only the boolean form): /Contents is zero-padded after the DER */
const fromDerWithPadding = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteBuffer, options: { parseAllBytes: boolean }) => forge.asn1.Asn1;

function lastByteRange(file: Buffer): [number, number, number, number] {
  const text = file.toString('latin1');
  const at = text.lastIndexOf('/ByteRange');
  const match = at < 0 ? null : /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(at, at + 100));
  if (!match) throw new SignatureCheckError('the file carries no signature');
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
