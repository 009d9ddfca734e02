import { createHash, verify } from 'node:crypto';
import forge from 'node-forge';
import { certificateFingerprint } from '../signing.ts';

// Checks a signed PDF as an outside verifier would, without the database: the detached CMS
// signature (as pdf/signature.ts writes it) covers every byte of the file but its own /Contents,
// and was made by the certificate with the given fingerprint. Then anything read from the file
// (its metadata, say) is what the signer signed.

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/** null when the signature holds, else why not (zh-CN) */
export function signatureProblem(pdf: Buffer, fingerprint: string): string | null {
  const ranges = [...pdf.toString('latin1').matchAll(BYTE_RANGE)];
  const range = ranges.at(-1);
  if (!range) return '文件没有数字签名';
  const [start, length1, offset2, length2] = range.slice(1, 5).map(Number) as [number, number, number, number];
  if (start !== 0 || length1 >= offset2 || offset2 + length2 !== pdf.length) return '签名未覆盖整个文件（签名后又被修改）';
  const hex = pdf.subarray(length1, offset2).toString('latin1').replace(/^</, '').replace(/>$/, '');
  if (!/^[0-9a-fA-F]*$/.test(hex)) return '签名数据格式不正确';
  try {
    // /Contents is padded with zeros after the DER: forge's options object (untyped) allows that
    const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteBuffer, options: { parseAllBytes: boolean }) => forge.asn1.Asn1;
    const asn1 = fromDer(forge.util.createBuffer(Buffer.from(hex, 'hex').toString('binary')), { parseAllBytes: false });
    const message = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.PkcsSignedData & {
      rawCapture: { signerInfos?: forge.asn1.Asn1[] };
    };
    const certificate = message.certificates.find((each) => certificateFingerprint(each) === fingerprint);
    if (!certificate) return '签名证书不是本中心的文件签名证书';
    const signerInfo = message.rawCapture.signerInfos?.[0]?.value as forge.asn1.Asn1[] | undefined;
    const attributesAt = signerInfo?.findIndex((part) => part.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && part.type === 0) ?? -1;
    if (!signerInfo || attributesAt < 0) return '签名数据格式不正确';
    const attributes = signerInfo[attributesAt]!.value as forge.asn1.Asn1[];
    const digestAttribute = attributes.find(
      (attribute) => forge.asn1.derToOid((attribute.value as forge.asn1.Asn1[])[0]!.value as string) === forge.pki.oids.messageDigest,
    );
    const digest = ((digestAttribute?.value as forge.asn1.Asn1[] | undefined)?.[1]?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value;
    const signed = createHash('sha256').update(pdf.subarray(0, length1)).update(pdf.subarray(offset2)).digest();
    if (typeof digest !== 'string' || !Buffer.from(digest, 'binary').equals(signed)) return '文件内容与签名不符';
    // the signature is over the DER of the signed attributes as a SET (RFC 5652 §5.4)
    const attributesDer = forge.asn1.toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attributes)).getBytes();
    const signature = signerInfo[attributesAt + 2]?.value;
    if (typeof signature !== 'string') return '签名数据格式不正确';
    const publicKey = forge.pki.publicKeyToPem(certificate.publicKey);
    return verify('sha256', Buffer.from(attributesDer, 'binary'), publicKey, Buffer.from(signature, 'binary')) ? null : '签名无效';
  } catch {
    return '签名数据无法解析';
  }
}
