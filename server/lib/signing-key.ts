import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDevelopmentCertificate, createP12Signer, type CertificateSummary, type Signer } from './signing.ts';
import type { Storage } from './storage.ts';

// Which certificate signs the documents, decided once at start: the centre's PKCS#12 from
// SIGNING_P12, or else a development certificate generated on first start and kept in storage
// (secrets/), so that documents signed before a restart still verify against the same key.

export interface LoadedSigner {
  signer: Signer;
  certificate: CertificateSummary;
  /** true when no SIGNING_P12 is configured: the server warns at start */
  development: boolean;
  /** where the development certificate and its CA are kept, when it is one */
  location: string | null;
}

/** the signatory of the development certificate; marked as such by createDevelopmentCertificate */
export const DEVELOPMENT_CENTRE = '职工服务中心';

export function loadSigner(options: {
  p12Path: string | null;
  password: string | null;
  storage: Pick<Storage, 'root' | 'readSecretFile' | 'createSecretFile'>;
  now: Date;
}): LoadedSigner {
  if (options.p12Path) {
    const signer = createP12Signer(readFileSync(options.p12Path), options.password ?? '');
    return { signer, certificate: signer.certificate, development: false, location: null };
  }
  const { storage } = options;
  let p12 = storage.readSecretFile('dev-signing.p12');
  let password = storage.readSecretFile('dev-signing.password')?.toString('utf8').trim();
  if (!p12 || !password) {
    const fresh = randomBytes(24).toString('base64url');
    const made = createDevelopmentCertificate({ centre: DEVELOPMENT_CENTRE, password: fresh, notBefore: options.now });
    // the password first: a p12 without its password would be useless after a crash in between
    storage.createSecretFile('dev-signing.password', Buffer.from(`${fresh}\n`));
    password = storage.readSecretFile('dev-signing.password')!.toString('utf8').trim();
    if (password === fresh && storage.createSecretFile('dev-signing.p12', made.p12)) {
      storage.createSecretFile('dev-signing-ca.pem', Buffer.from(made.caCertificatePem));
    }
    p12 = storage.readSecretFile('dev-signing.p12');
    if (!p12) throw new Error('the development signing certificate could not be stored');
  }
  const signer = createP12Signer(p12, password);
  return { signer, certificate: signer.certificate, development: true, location: `${storage.root}/secrets/dev-signing.p12` };
}
