import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_REASONS } from '../../server/domain/documents/inputs.ts';
import type { Signer } from '../../server/lib/signing.ts';
import { bearer, createTestApp, testSigner, type TestApp } from '../helpers/app.ts';
import { createInEvaluation } from '../helpers/evaluation.ts';
import { createCast, createDraft, type Cast } from '../helpers/recruitments.ts';

// Documents are produced after the commit that makes them due; when that fails (here: the signer,
// as an unreachable HSM would), nothing half-made is kept, the failure is logged, and the next
// trigger or start issues what is missing. The announcement is the exception: publication waits
// for its signature.

/** what the signing device refuses: everything, every document but the announcement, or nothing */
let down: 'all' | 'documents' | 'none' = 'documents';
const flakySigner: Signer = {
  certificate: testSigner().certificate,
  sign: (pdf, details) =>
    down === 'all' || (down === 'documents' && details.reason !== SIGNING_REASONS.announcement)
      ? Promise.reject(new Error('signing device unavailable'))
      : testSigner().sign(pdf, details),
};

let t: TestApp;
let cast: Cast;
let id: string;

beforeAll(async () => {
  t = await createTestApp({}, { signer: flakySigner });
  cast = await createCast(t);
  ({ id } = await createInEvaluation(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
}, 120_000);
afterAll(() => t.close());

const list = async () =>
  (await t.app.inject({ url: `/api/v1/recruitments/${id}/documents`, headers: bearer(cast.agentToken) })).json<{ kind: string }[]>();

describe('a document that could not be produced', () => {
  it('leaves no row and no file behind', async () => {
    expect((await list()).map((d) => d.kind)).toEqual(['announcement']);
    expect(readdirSync(path.join(t.storageDir, 'documents', id))).toHaveLength(1);
  });

  it('is issued at the next start (scheduleAllMissing), once', async () => {
    down = 'none';
    expect(await t.app.services.documents.scheduleAllMissing()).toBeGreaterThanOrEqual(1);
    await t.app.services.documents.idle();
    expect((await list()).map((d) => d.kind)).toEqual(['announcement', 'opening_record']);
    expect(readdirSync(path.join(t.storageDir, 'documents', id))).toHaveLength(2);
    expect((await t.app.services.documents.issueMissingDocuments(id)).issued).toEqual([]);
  });
});

describe('the announcement, which publication signs', () => {
  it('is a condition of publishing: without the signature, 503 SIGNING_UNAVAILABLE and the draft stays a draft, with no bid key', async () => {
    down = 'all';
    const draft = await createDraft(t, cast);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${draft}/publish`,
      headers: bearer(cast.agentToken),
      payload: { inspectorId: cast.inspector.id },
    });
    down = 'none';
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('SIGNING_UNAVAILABLE');
    const [row] = await t.rawRows(`select status, bid_public_key from recruitments where id = '${draft}'`);
    expect(row).toEqual({ status: 'draft', bid_public_key: null });
    expect(await t.rawRows(`select 1 from bid_key_shares where recruitment_id = '${draft}'`)).toEqual([]);
  });
});
