import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFingerprint } from '../../server/lib/bid-key-fingerprint.ts';
import { loadDocumentAssets } from '../../server/lib/document-assets.ts';
import { renderDocument } from '../../server/lib/pdf/documents.ts';
import { checkSignedPdf } from '../../server/lib/pdf/signature-check.ts';
import { createDevelopmentCertificate, createP12Signer } from '../../server/lib/signing.ts';
import { apiToken, bearer, createTestApp, testSigner, type TestApp } from '../helpers/app.ts';
import { sampleAnnouncement } from '../helpers/documents.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, outbox, unlockBody, type Cast } from '../helpers/recruitments.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// SPEC §4.1: the bid key is published with the announcement and bound to it by the centre's
// signature, which the database does not hold. Someone with write access to the database and the
// storage folder tried to seal bids to a key of their own (issue 12); these tests play that
// attacker, acting on the tables and files directly.

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

async function bidderToken() {
  return apiToken(t, await registerOrganization(t, organizationInput()));
}

function submit(id: string, token: string, marker = 'bid') {
  const body = multipart({ lot: 'arts', publicBenefitRatio: '37.5', declarations: ALL_DECLARED, summary: '' }, [
    { filename: 'a.pdf', content: pdfWith(marker, 2000) },
  ]);
  return t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(token), ...body.headers }, payload: body.payload });
}

/** a raw X25519 public key, base64, as recruitments.bid_public_key holds one */
function attackerKey(): string {
  const { publicKey } = generateKeyPairSync('x25519');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}

async function storedKey(id: string): Promise<string> {
  const [row] = await t.rawRows(`select bid_public_key from recruitments where id = '${id}'`);
  return String(row?.bid_public_key);
}

const setKey = (id: string, key: string) => t.rawSql(`update recruitments set bid_public_key = '${key}' where id = '${id}'`);
const versions = async () => Number((await t.rawRows('select count(*)::int as n from bid_versions'))[0]?.n);
const auditActions = async (id: string) => (await t.rawRows(`select action, details from audit_log where recruitment_id = '${id}' order by seq`));

async function keywords(pdf: Buffer): Promise<string> {
  return (await PDFDocument.load(pdf, { updateMetadata: false })).getKeywords() ?? '';
}

describe('the bid key is published with the announcement', () => {
  let id: string;
  let fingerprint: string;

  beforeAll(async () => {
    id = await createPublished(t, cast);
    fingerprint = (await api('GET', `/api/v1/recruitments/${id}`)).json().bidKeyFingerprint;
  });

  it('the API, the public page and the OCDS release state the fingerprint', async () => {
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const page = await api('GET', `/recruitments/${id}`);
    expect(page.body).toContain(formatFingerprint(fingerprint));
    expect(page.body).toContain(`/recruitments/${id}/announcement.pdf`);
    expect(JSON.stringify((await api('GET', `/api/v1/recruitments/${id}/ocds`)).json())).toContain(fingerprint);
  });

  it('a signed announcement PDF, public, states the same fingerprint under the centre’s signature', async () => {
    const response = await api('GET', `/recruitments/${id}/announcement.pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const pdf = response.rawPayload;
    expect(() => checkSignedPdf(pdf, testSigner().certificate.fingerprint)).not.toThrow();
    expect(await keywords(pdf)).toContain(`bid-key-fingerprint:${fingerprint}`);
    expect(await keywords(pdf)).toContain(`recruitment-id:${id}`);
    const listed = (await api('GET', `/api/v1/recruitments/${id}/documents`, await bidderToken())).json();
    expect(listed.map((document: { kind: string }) => document.kind)).toEqual(['announcement']);
  });

  it('every receipt shows the fingerprint its bid was sealed to', async () => {
    const token = await bidderToken();
    const receipt = await submit(id, token);
    expect(receipt.statusCode).toBe(201);
    expect(receipt.json().bidKeyFingerprint).toBe(fingerprint);
    const again = await api('GET', `/api/v1/bids/${receipt.json().bidId}`, token);
    expect(again.json().bidKeyFingerprint).toBe(fingerprint);
  });
});

describe('a bid key swapped in the database is detected', () => {
  it('a submission while the stored key differs from the announced one is refused (409 BID_KEY_MISMATCH), recorded, and nothing is stored', async () => {
    const id = await createPublished(t, cast);
    const original = await storedKey(id);
    const token = await bidderToken();
    expect((await submit(id, token, 'first')).statusCode).toBe(201);

    await setKey(id, attackerKey());
    const before = await versions();
    for (const marker of ['second', 'third', 'fourth']) {
      const refused = await submit(id, await bidderToken(), marker);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('BID_KEY_MISMATCH');
    }
    expect(await versions()).toBe(before);
    const mismatches = (await auditActions(id)).filter((entry) => entry.action === 'bid_key.mismatch');
    expect(mismatches).toHaveLength(3);
    expect(mismatches[0]?.details).toMatchObject({ during: 'submission' });
    // one open alert, for every inspector, mailed
    const raised = (await api('GET', `/api/v1/inspector/alerts?recruitmentId=${id}`, cast.inspectorToken)).json();
    expect(raised).toEqual([expect.objectContaining({ indicator: 'bid_key_mismatch', severity: 'high', status: 'open', recruitmentId: id })]);
    expect((await outbox(t)).some((mail) => mail.to === cast.inspector.email && mail.subject.includes('投标加密公钥与公告不符'))).toBe(true);

    // the key put back: bids are taken again
    await setKey(id, original);
    expect((await submit(id, await bidderToken(), 'fifth')).statusCode).toBe(201);
  });

  it('a forged announcement does not help: one signed with another certificate is not trusted', async () => {
    const id = await createPublished(t, cast);
    const forgedKey = attackerKey();
    const forgedFingerprint = (await import('../../server/lib/bid-key-fingerprint.ts')).bidKeyFingerprint(forgedKey);
    const request = sampleAnnouncement();
    request.input = { ...request.input, recruitmentId: id, bidKeyFingerprint: forgedFingerprint };
    const { pdf } = await renderDocument(request, { ...(await loadDocumentAssets()), publicUrl: 'http://localhost' });
    const attacker = createP12Signer(createDevelopmentCertificate({ centre: '职工服务中心', password: 'x', notBefore: new Date('2025-01-01') }).p12, 'x');
    const forged = await attacker.sign(pdf, { signingTime: new Date(), reason: '招募公告发布', location: '职工服务中心', name: '职工服务中心' });
    const [document] = await t.rawRows(`select storage_name from documents where recruitment_id = '${id}' and kind = 'announcement'`);
    const file = path.join(t.storageDir, String(document?.storage_name));
    expect(readFileSync(file).length).toBeGreaterThan(0);
    writeFileSync(file, forged);
    await setKey(id, forgedKey);

    const refused = await submit(id, await bidderToken());
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('BID_KEY_MISMATCH');
  });

  it('the opening refuses to start, and key holders refuse to unlock, with a key that is not the announced one', async () => {
    const id = await createPublished(t, cast);
    for (let i = 0; i < 3; i++) expect((await submit(id, await bidderToken(), `bid ${i}`)).statusCode).toBe(201);
    const original = await storedKey(id);
    const deadline = Date.parse((await api('GET', `/api/v1/recruitments/${id}`)).json().submissionDeadline);
    t.clock.set(new Date(deadline + 1000));

    await setKey(id, attackerKey());
    const start = await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    expect(start.statusCode).toBe(409);
    expect(start.json().code).toBe('BID_KEY_MISMATCH');

    await setKey(id, original);
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken)).statusCode).toBe(200);
    await api('POST', `/api/v1/recruitments/${id}/opening/attend`, cast.inspectorToken);
    const body = await unlockBody(t, id);

    const unconfirmed = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, { passphrase: body.passphrase });
    expect(unconfirmed.statusCode).toBe(400);
    const otherFingerprint = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, {
      ...body,
      bidKeyFingerprint: 'ab'.repeat(32),
    });
    expect(otherFingerprint.statusCode).toBe(400);
    expect(otherFingerprint.json().code).toBe('FINGERPRINT_NOT_CONFIRMED');

    await setKey(id, attackerKey());
    const swapped = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, body);
    expect(swapped.json().code).toBe('BID_KEY_MISMATCH');

    await setKey(id, original);
    // the printed form, in groups of four, is accepted too
    const printed = { ...body, bidKeyFingerprint: formatFingerprint(body.bidKeyFingerprint) };
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, printed)).statusCode).toBe(200);
    const opened = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.inspectorToken, body);
    expect(opened.json()).toMatchObject({ phase: 'opened' });
    expect(opened.json().record.every((line: { digestVerified: boolean }) => line.digestVerified)).toBe(true);
    const unlocks = (await auditActions(id)).filter((entry) => entry.action === 'opening.unlock');
    expect(unlocks.map((entry) => entry.details)).toEqual([
      { confirmedFingerprint: body.bidKeyFingerprint },
      { confirmedFingerprint: body.bidKeyFingerprint },
    ]);
  });
});
