import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { VisibleSignature } from './pdf/countersign.ts';

// Step two of three (render → sign → store). A Signer turns an unsigned PDF into one carrying a
// PAdES-compatible PKCS#7 detached signature (adbe.pkcs7.detached, SHA-256) over the whole file.
// The PKCS#12 signer below holds the centre's certificate; an HSM-backed signer can replace it
// behind the same interface. No file system and no clock: the caller reads the .p12 and passes
// the signing time. This module reads certificates (at start, so a bad SIGNING_P12 fails then);
// the PDF side (pdf/signature.ts, with pdf-lib and @signpdf) is loaded with the first signature.
//
// Rules learnt the hard way (issue 6):
// - the signature is the last write: a signed PDF must never be loaded and saved again with
//   pdf-lib (or anything else), or its byte range no longer covers the file;
// - the placeholder is written without object streams, so @signpdf finds /ByteRange and
//   /Contents as plain text;
// - the placeholder's /M and the CMS signing time are the same instant;
// - @signpdf/signer-p12 is not used: it decrypts the .p12 on every call, and node-forge, which
//   it relies on, writes the signer's issuer name UTF-8-encoded twice when the certificate has
//   a non-ASCII name (as a Chinese CA's certificates do), so no verifier finds the signer's
//   certificate. The CMS signer in pdf/signature.ts copies the issuer name from the certificate
//   as issued, and hashes and signs with node's crypto.

export interface SignatureDetails {
  signingTime: Date;
  /** e.g. 入选通知书签发 */
  reason: string;
  /** e.g. 浙江省杭州市 */
  location: string;
  /** the signatory shown by readers, e.g. the centre's name */
  name: string;
  contactInfo?: string;
}

export interface Signer {
  /** the certificate signatures are made with: what a signed document is checked against */
  readonly certificate: CertificateSummary;
  sign(pdf: Uint8Array, details: SignatureDetails): Promise<Uint8Array>;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER certificate, hex */
  fingerprint: string;
}

function distinguishedName(attributes: forge.pki.CertificateField[]): string {
  return attributes.map((attribute) => `${attribute.shortName ?? attribute.name}=${String(attribute.value)}`).join(', ');
}

/** the CN of a subject as CertificateSummary writes it (`C=CN, O=…, CN=…`): the signatory's name */
export function signatoryName(subject: string): string {
  return /(?:^|, )CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}

/** SHA-256 (hex) of the certificate's DER encoding */
export function certificateFingerprint(certificate: forge.pki.Certificate): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes();
  return createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex');
}

/** of a certificate parsed from DER (whose UTF-8 names forge leaves undecoded) */
function summary(certificate: forge.pki.Certificate): CertificateSummary {
  return {
    subject: distinguishedName(decodedName(certificate.subject.attributes)),
    issuer: distinguishedName(decodedName(certificate.issuer.attributes)),
    notBefore: certificate.validity.notBefore,
    notAfter: certificate.validity.notAfter,
    fingerprint: certificateFingerprint(certificate),
  };
}

export interface P12Contents {
  key: KeyObject;
  certificate: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
}

function openP12(p12: Uint8Array, password: string): P12Contents {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(p12).toString('binary')));
  const store = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  const keyBag = store.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]?.[0];
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error('the PKCS#12 file holds no RSA private key');
  const chain = (store.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []).flatMap((bag) =>
    bag.cert ? [bag.cert] : [],
  );
  const certificate = chain.find((each) => {
    const publicKey = each.publicKey as forge.pki.rsa.PublicKey;
    return publicKey.n?.equals(key.n) && publicKey.e.equals(key.e);
  });
  if (!certificate) throw new Error('the PKCS#12 file holds no certificate for its private key');
  return { key: createPrivateKey(forge.pki.privateKeyToPem(key)), certificate, chain };
}

/**
 * The signing certificate of a PKCS#12 file. Throws when the password is wrong or the file holds
 * no key with its certificate, so a bad SIGNING_P12 fails at start rather than at the first award.
 */
export function readP12Certificate(p12: Uint8Array, password: string): CertificateSummary {
  return summary(openP12(p12, password).certificate);
}

/** forge parses name values as raw UTF-8 bytes but encodes them as text: decode before reuse. */
export function decodedName(attributes: forge.pki.CertificateField[]): forge.pki.CertificateField[] {
  return attributes.map((attribute) =>
    attribute.valueTagClass === (forge.asn1.Type.UTF8 as unknown as forge.asn1.Class)
      ? { ...attribute, value: forge.util.decodeUtf8(String(attribute.value)) }
      : attribute,
  );
}

/** Signs with the key and certificate chain of a PKCS#12 file, decrypted once here. */
export function createP12Signer(p12: Uint8Array, password: string): Signer {
  const contents = openP12(p12, password);
  return {
    certificate: summary(contents.certificate),
    async sign(pdf, details) {
      const { signPdf } = await import('./pdf/signature.ts');
      return signPdf(pdf, details, contents);
    },
  };
}

/** A PKCS#12 file brought for one signing moment: opened, used and dropped, never stored. */
export interface Countersigner {
  readonly certificate: CertificateSummary;
  /** the signed `pdf` with this key's signature added as an incremental update, visibly on its last page */
  countersign(pdf: Uint8Array, details: SignatureDetails, visible: VisibleSignature): Promise<Uint8Array>;
}

/** Throws when the password is wrong or the file holds no RSA key with its certificate. */
export function openCountersigner(p12: Uint8Array, password: string): Countersigner {
  const contents = openP12(p12, password);
  return {
    certificate: summary(contents.certificate),
    async countersign(pdf, details, visible) {
      const { countersignPdf } = await import('./pdf/countersign.ts');
      return countersignPdf(pdf, details, contents, visible);
    },
  };
}

// ── certificates ────────────────────────────────────────────────────────────────────────────

export interface NewSigningCertificate {
  /** PKCS#12: the signing key, its certificate and the issuing CA certificate */
  p12: Uint8Array;
  /** the issuing CA certificate (PEM): what relying parties import to trust the signatures */
  caCertificatePem: string;
  certificatePem: string;
  certificate: CertificateSummary;
}

export interface SigningCertificateOptions {
  /** the signatory, e.g. 浙江省职工服务中心 */
  commonName: string;
  organization: string;
  /** two-letter country code */
  country?: string;
  password: string;
  /** start of validity; pass the clock's time */
  notBefore: Date;
  validityDays: number;
}

function randomSerial(): string {
  // positive: the leading bit of a DER INTEGER is its sign
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

function rsaKeyPair(): forge.pki.rsa.KeyPair {
  // node's native generator: forge's pure-JavaScript one takes seconds
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

/**
 * A two-level certificate chain made on the spot: a CA (self-signed root) and a signing
 * certificate it issues, for a pilot or for development. With a real CA, take the .p12 it
 * issues instead. The chain matters even here: the CA certificate can be imported as trusted
 * (e.g. into an NSS database for pdfsig) while its key never signs a document.
 */
export function createSigningCertificate(options: SigningCertificateOptions): NewSigningCertificate {
  const notAfter = new Date(options.notBefore.getTime() + options.validityDays * 24 * 60 * 60 * 1000);
  const name = (commonName: string): forge.pki.CertificateField[] => [
    { shortName: 'C', value: options.country ?? 'CN' },
    { shortName: 'O', value: options.organization, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
    { shortName: 'CN', value: commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
  ];

  const caKeys = rsaKeyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = randomSerial();
  ca.validity.notBefore = options.notBefore;
  ca.validity.notAfter = notAfter;
  ca.setSubject(name(`${options.commonName} 文件签名 CA`));
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = rsaKeyPair();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = randomSerial();
  certificate.validity.notBefore = options.notBefore;
  certificate.validity.notAfter = notAfter;
  certificate.setSubject(name(options.commonName));
  certificate.setIssuer(ca.subject.attributes);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    // emailProtection is what NSS (and so pdfsig) checks for a signer; 1.3.6.1.5.5.7.3.36 is
    // the document-signing purpose of RFC 9336
    { name: 'extKeyUsage', emailProtection: true, '1.3.6.1.5.5.7.3.36': true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  certificate.sign(caKeys.privateKey, forge.md.sha256.create());

  const p12Asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [certificate, ca], options.password, {
    algorithm: 'aes256',
    friendlyName: options.commonName,
  });
  return {
    p12: Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), 'binary'),
    caCertificatePem: forge.pki.certificateToPem(ca),
    certificatePem: forge.pki.certificateToPem(certificate),
    certificate: summary(forge.pki.certificateFromPem(forge.pki.certificateToPem(certificate))),
  };
}

/**
 * The certificate used when SIGNING_P12 is not set: marked as for development in its names, so
 * no one mistakes its signatures for the centre's. The caller stores it and warns at start.
 */
export function createDevelopmentCertificate(options: { centre: string; password: string; notBefore: Date }): NewSigningCertificate {
  return createSigningCertificate({
    commonName: `${options.centre}（开发测试用，不可信）`,
    organization: `${options.centre}（开发测试）`,
    password: options.password,
    notBefore: options.notBefore,
    validityDays: 3 * 365,
  });
}
