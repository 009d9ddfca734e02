import { createSigningCertificate } from '../../server/lib/signing.ts';
import { bearer, type TestApp } from './app.ts';
import { multipart } from './multipart.ts';

// The organisation's side of the agreement: its own certificate (as a CA would issue it) and the
// signing upload, for the partnership tests.

export const P12_PASSWORD = 'organisation p12 password';

/** A PKCS#12 whose certificate names `name` (CN and O), valid 2020–2040. */
export function organisationP12(name: string): Buffer {
  const certificate = createSigningCertificate({
    commonName: name,
    organization: name,
    password: P12_PASSWORD,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    validityDays: 20 * 365,
  });
  return Buffer.from(certificate.p12);
}

export function signUpload(p12: Buffer, password = P12_PASSWORD) {
  return multipart({ password }, [{ field: 'p12', filename: 'org.p12', content: p12, type: 'application/x-pkcs12' }]);
}

export async function signAgreement(t: TestApp, partnershipId: string, token: string, p12: Buffer, password = P12_PASSWORD) {
  const { payload, headers } = signUpload(p12, password);
  return t.app.inject({ method: 'POST', url: `/api/v1/partnerships/${partnershipId}/sign`, headers: { ...headers, ...bearer(token) }, payload });
}
