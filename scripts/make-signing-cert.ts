import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createSigningCertificate } from '../server/lib/signing.ts';

// `npm run signing-cert -- --cn 浙江省职工服务中心 --org 浙江省总工会 --out centre.p12`
// Makes the signing certificate for a pilot: a .p12 (signing key, its certificate and the CA
// certificate) for SIGNING_P12, and beside it the CA certificate (.ca.pem) that relying parties
// import as trusted, e.g. into the NSS database pdfsig reads. With a certificate from a real CA,
// use that .p12 instead. The password is generated and printed when --password is not given.

const usage = 'usage: make-signing-cert --cn NAME --org ORGANISATION --out FILE.p12 [--password PW] [--days 1095] [--force]';
const { values } = parseArgs({
  options: {
    cn: { type: 'string' },
    org: { type: 'string' },
    out: { type: 'string' },
    password: { type: 'string' },
    days: { type: 'string', default: '1095' },
    force: { type: 'boolean', default: false },
  },
});
if (!values.cn || !values.org || !values.out) {
  console.error(usage);
  process.exit(2);
}
const days = Number(values.days);
if (!Number.isInteger(days) || days < 1) {
  console.error(`--days must be a whole number of days\n${usage}`);
  process.exit(2);
}
const out = path.resolve(values.out);
const caOut = out.replace(/(\.p12|\.pfx)?$/i, '.ca.pem');
for (const file of [out, caOut]) {
  if (existsSync(file) && !values.force) {
    console.error(`${file} exists; pass --force to overwrite it`);
    process.exit(1);
  }
}

const password = values.password ?? randomBytes(18).toString('base64url');
const made = createSigningCertificate({
  commonName: values.cn,
  organization: values.org,
  password,
  notBefore: new Date(),
  validityDays: days,
});
writeFileSync(out, made.p12, { mode: 0o600 });
writeFileSync(caOut, made.caCertificatePem);

const { certificate } = made;
console.log(`wrote ${out} (PKCS#12: signing key, certificate, CA certificate; mode 600)`);
console.log(`wrote ${caOut} (CA certificate for relying parties to trust)`);
console.log(`  subject      ${certificate.subject}`);
console.log(`  issuer       ${certificate.issuer}`);
console.log(`  valid        ${certificate.notBefore.toISOString()} … ${certificate.notAfter.toISOString()}`);
console.log(`  SHA-256      ${certificate.fingerprint}`);
if (!values.password) console.log(`  password     ${password}   (shown once: keep it for SIGNING_P12_PASSWORD)`);
console.log(`set SIGNING_P12=${out} and SIGNING_P12_PASSWORD to sign documents with it`);
