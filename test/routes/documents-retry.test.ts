import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../../server/lib/signing.ts';
import { bearer, createTestApp, testSigner, type TestApp } from '../helpers/app.ts';
import { createInEvaluation } from '../helpers/evaluation.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';

// Documents are produced after the commit that makes them due; when that fails (here: the signer,
// as an unreachable HSM would), nothing half-made is kept, the failure is logged, and the next
// trigger or start issues what is missing.

let failing = true;
const flakySigner: Signer = {
  certificate: testSigner().certificate,
  sign: (pdf, details) => (failing ? Promise.reject(new Error('signing device unavailable')) : testSigner().sign(pdf, details)),
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
    expect(await list()).toEqual([]);
    expect(existsSync(path.join(t.storageDir, 'documents', id))).toBe(false);
  });

  it('is issued at the next start (scheduleAllMissing), once', async () => {
    failing = false;
    expect(await t.app.services.documents.scheduleAllMissing()).toBeGreaterThanOrEqual(1);
    await t.app.services.documents.idle();
    expect((await list()).map((d) => d.kind)).toEqual(['opening_record']);
    expect(readdirSync(path.join(t.storageDir, 'documents', id))).toHaveLength(1);
    expect((await t.app.services.documents.issueMissingDocuments(id)).issued).toEqual([]);
  });
});
