import { constants, privateEncrypt, type KeyObject } from 'node:crypto';
import { SignPdf } from '@signpdf/signpdf';
import { Signer as CmsSigner } from '@signpdf/utils';
import forge from 'node-forge';
import { PDFArray, PDFDocument, PDFHexString, PDFInvalidObject, PDFName, PDFNumber, PDFString, type PDFContext } from 'pdf-lib';
import { decodedName, type P12Contents, type SignatureDetails } from '../signing.ts';

// The PDF side of a signature (see signing.ts for the rules it follows): a placeholder field
// added with pdf-lib, then @signpdf fills /ByteRange and /Contents with a detached CMS signature.

/**
 * Room reserved for the DER-encoded CMS signature: a 4096-bit RSA certificate chain of three
 * with a timestamp token stays well under 16 KB; unused room is zero padding inside /Contents.
 */
export const SIGNATURE_BYTES = 16 * 1024;
const BYTE_RANGE_PLACEHOLDER = '**********';
const SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY = 3;
const ANNOTATION_PRINT = 4;

/**
 * The signature dictionary with its placeholders, as raw bytes, so no later step can move it into
 * an object stream. Text entries are UTF-16 hex strings, so Chinese reasons and names survive (a
 * plain PDFString would mangle them).
 */
export function signatureDictionary(context: PDFContext, details: SignatureDetails): Uint8Array {
  const byteRange = PDFArray.withContext(context);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(BYTE_RANGE_PLACEHOLDER));
  // /ByteRange must come before /Contents: @signpdf looks for /Contents after it
  const signature = context.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'adbe.pkcs7.detached',
    ByteRange: byteRange,
    Contents: PDFHexString.of('0'.repeat(2 * SIGNATURE_BYTES)),
    Reason: PDFHexString.fromText(details.reason),
    M: PDFString.fromDate(details.signingTime),
    Name: PDFHexString.fromText(details.name),
    Location: PDFHexString.fromText(details.location),
    ContactInfo: PDFHexString.fromText(details.contactInfo ?? ''),
  });
  const bytes = new Uint8Array(signature.sizeInBytes());
  signature.copyBytesInto(bytes, 0);
  return bytes;
}

/**
 * Adds an invisible signature field with an empty /Contents of SIGNATURE_BYTES to `pdf` and
 * saves it. Text entries are UTF-16 hex strings, so Chinese reasons and names survive (a plain
 * PDFString would mangle them).
 */
async function addSignaturePlaceholder(pdf: Uint8Array, details: SignatureDetails): Promise<Buffer> {
  // updateMetadata: false keeps the producer and dates the renderer set
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const context = doc.context;
  const page = doc.getPage(0);

  const signatureRef = context.register(PDFInvalidObject.of(signatureDictionary(context, details)));

  const widget = context.register(
    context.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      Rect: [0, 0, 0, 0],
      V: signatureRef,
      T: PDFString.of('Signature1'),
      F: ANNOTATION_PRINT,
      P: page.ref,
      // an empty appearance: PDF/A and some readers want one even for an invisible field
      AP: { N: context.register(context.formXObject([], { BBox: [0, 0, 0, 0], Resources: {} })) },
    }),
  );
  const annotations = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray) ?? context.obj([]);
  annotations.push(widget);
  page.node.set(PDFName.of('Annots'), annotations);
  doc.catalog.set(
    PDFName.of('AcroForm'),
    context.register(context.obj({ SigFlags: SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY, Fields: [widget] })),
  );
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** DER prefix of a PKCS#1 DigestInfo for SHA-256 (RFC 8017 §9.2, note 1), before the 32-byte hash. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * The RSA operation forge's PKCS#7 code calls (`key.sign(md)`), done by node's crypto: forge's
 * own big-integer RSA takes 100 ms and more per signature, node's well under one.
 */
function nativeRsaKey(key: KeyObject) {
  return {
    sign(md: forge.md.MessageDigest): string {
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
}

/** A detached CMS SignedData (SHA-256, RSA) over the bytes @signpdf hands it. */
export class ForgeCmsSigner extends CmsSigner {
  constructor(private readonly contents: P12Contents) {
    super();
  }

  override async sign(content: Buffer, signingTime?: Date): Promise<Buffer> {
    const { key, certificate, chain } = this.contents;
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(content.toString('binary'));
    for (const each of chain) p7.addCertificate(each);
    p7.addSigner({
      key: nativeRsaKey(key),
      issuer: decodedName(certificate.issuer.attributes),
      serialNumber: certificate.serialNumber,
      digestAlgorithm: forge.pki.oids.sha256!,
      // the order of these attributes matters to some EU validators (as in @signpdf/signer-p12)
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType!, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime!, value: signingTime as unknown as string },
        { type: forge.pki.oids.messageDigest! },
      ],
    } as unknown as Parameters<typeof p7.addSigner>[0]);
    p7.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  }
}

/** The signed copy of `pdf`: a placeholder added, then the CMS signature by the .p12's key written into it. */
export async function signPdf(pdf: Uint8Array, details: SignatureDetails, contents: P12Contents): Promise<Buffer> {
  const prepared = await addSignaturePlaceholder(pdf, details);
  return new SignPdf().sign(prepared, new ForgeCmsSigner(contents), details.signingTime);
}
