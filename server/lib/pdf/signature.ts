import { createHash, sign as cryptoSign } from 'node:crypto';
import { SignPdf } from '@signpdf/signpdf';
import { Signer as CmsSigner } from '@signpdf/utils';
import forge from 'node-forge';
import { PDFArray, PDFDocument, PDFHexString, PDFInvalidObject, PDFName, PDFNumber, PDFString, type PDFContext } from 'pdf-lib';
import type { P12Contents, SignatureDetails } from '../signing.ts';

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

/** Adds an invisible signature field with an empty /Contents of SIGNATURE_BYTES to `pdf` and saves it. */
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

const { asn1, pki } = forge;

const sequence = (...values: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, values);
const set = (values: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, values);
const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
const integer = (value: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const algorithm = (id: string) => sequence(oid(id), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
const attribute = (type: string, value: forge.asn1.Asn1) => sequence(oid(type), set([value]));

/** RFC 5652 §11.3: UTCTime from 1950 to 2049, GeneralizedTime outside */
function time(date: Date): forge.asn1.Asn1 {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

interface SignerIdentity {
  certificates: forge.asn1.Asn1[];
  /** IssuerAndSerialNumber, copied from the certificate as it was issued */
  issuerAndSerial: forge.asn1.Asn1;
}

const identities = new WeakMap<P12Contents, SignerIdentity>();

function identity(contents: P12Contents): SignerIdentity {
  let known = identities.get(contents);
  if (!known) {
    // a certificate read from DER keeps its TBSCertificate as issued: its issuer name goes into
    // the signer info byte for byte (re-encoding it is how forge garbles non-ASCII names)
    const tbs = pki.certificateToAsn1(contents.certificate).value[0] as forge.asn1.Asn1;
    const fields = tbs.value as forge.asn1.Asn1[];
    const first = fields[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0; // [0] version, when present
    known = {
      certificates: contents.chain.map((each) => pki.certificateToAsn1(each)),
      issuerAndSerial: sequence(fields[first + 2]!, fields[first]!),
    };
    identities.set(contents, known);
  }
  return known;
}

/**
 * A detached CMS SignedData (RFC 5652; SHA-256, RSA PKCS#1 v1.5) over the bytes @signpdf hands
 * it. The digest and the RSA signature are node's crypto; forge only writes the ASN.1 (its
 * PKCS#7 signer hashes the document in JavaScript, 2 ms for a notice).
 */
export class NodeCmsSigner extends CmsSigner {
  constructor(private readonly contents: P12Contents) {
    super();
  }

  override async sign(content: Buffer, signingTime?: Date): Promise<Buffer> {
    if (!signingTime) throw new Error('a signature needs its signing time: the placeholder carries the same instant');
    const { certificates, issuerAndSerial } = identity(this.contents);
    // the order of these attributes matters to some EU validators (as in @signpdf/signer-p12)
    const attributes = [
      attribute(pki.oids.contentType!, oid(pki.oids.data!)),
      attribute(pki.oids.signingTime!, time(signingTime)),
      attribute(pki.oids.messageDigest!, octets(createHash('sha256').update(content).digest())),
    ];
    // signed as a SET OF, carried as [0] IMPLICIT (RFC 5652 §5.4)
    const signature = cryptoSign('sha256', Buffer.from(asn1.toDer(set(attributes)).getBytes(), 'binary'), this.contents.key);
    const signerInfo = sequence(
      integer(1),
      issuerAndSerial,
      algorithm(pki.oids.sha256!),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attributes),
      algorithm(pki.oids.rsaEncryption!),
      octets(signature),
    );
    const signedData = sequence(
      integer(1),
      set([algorithm(pki.oids.sha256!)]),
      sequence(oid(pki.oids.data!)),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, certificates),
      set([signerInfo]),
    );
    const contentInfo = sequence(oid(pki.oids.signedData!), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData]));
    return Buffer.from(asn1.toDer(contentInfo).getBytes(), 'binary');
  }
}

/** The signed copy of `pdf`: a placeholder added, then the CMS signature by the .p12's key written into it. */
export async function signPdf(pdf: Uint8Array, details: SignatureDetails, contents: P12Contents): Promise<Buffer> {
  const prepared = await addSignaturePlaceholder(pdf, details);
  return new SignPdf().sign(prepared, new NodeCmsSigner(contents), details.signingTime);
}
