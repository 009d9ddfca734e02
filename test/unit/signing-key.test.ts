import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSigner } from '../../server/lib/signing-key.ts';
import { createSigningCertificate } from '../../server/lib/signing.ts';
import { createStorage } from '../../server/lib/storage.ts';

// The signer chosen at start: SIGNING_P12 when set, otherwise a development certificate made
// once into storage and reused after a restart (so earlier documents keep verifying).

const dir = mkdtempSync(path.join(tmpdir(), 'signing-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const now = new Date('2025-06-01T00:00:00Z');

describe('loadSigner', () => {
  it('without SIGNING_P12: generates a development certificate once and reuses it', () => {
    const storage = createStorage(path.join(dir, 'storage'));
    const first = loadSigner({ p12Path: null, password: null, storage, now });
    expect(first.development).toBe(true);
    expect(first.certificate.subject).toContain('开发测试用，不可信');
    expect(storage.readSecretFile('dev-signing.p12')).not.toBeNull();
    expect(storage.readSecretFile('dev-signing-ca.pem')?.toString()).toContain('BEGIN CERTIFICATE');
    const again = loadSigner({ p12Path: null, password: null, storage, now: new Date() });
    expect(again.certificate.fingerprint).toBe(first.certificate.fingerprint);
  });

  it('with SIGNING_P12: signs with that certificate; a wrong password fails at start', () => {
    const made = createSigningCertificate({ commonName: '浙江省职工服务中心', organization: '浙江省职工服务中心', password: 'pilot', notBefore: now, validityDays: 365 });
    const file = path.join(dir, 'centre.p12');
    writeFileSync(file, made.p12);
    const storage = createStorage(path.join(dir, 'other'));
    const loaded = loadSigner({ p12Path: file, password: 'pilot', storage, now });
    expect(loaded).toMatchObject({ development: false, location: null });
    expect(loaded.certificate.fingerprint).toBe(made.certificate.fingerprint);
    expect(storage.readSecretFile('dev-signing.p12')).toBeNull();
    expect(() => loadSigner({ p12Path: file, password: 'wrong', storage, now })).toThrow();
  });
});
