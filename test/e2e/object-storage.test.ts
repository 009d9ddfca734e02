import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '../../server/lib/blobs-s3.ts';
import {
  api,
  bidFields,
  killAllServers,
  login,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  setTestClock,
  stalledPdf,
  startServer,
  type KeyHolders,
  type Receipt,
  type ServerProcess,
  type UploadFile,
} from '../helpers/server-process.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.ts';

// STORAGE_URL: the real server keeps bid files in a local S3-compatible server, gives the receipt
// once the upload completed, and the opening reads the files back from there and verifies them.

const MiB = 1024 * 1024;
const storage = mkdtempSync(path.join(tmpdir(), 'portal-s3-'));
const PREFIX = 'e2e';
let s3: LocalS3;
let server: ServerProcess;
let holders: KeyHolders;
let recruitmentId: string;

beforeAll(async () => {
  s3 = await startLocalS3();
  server = await startServer({ STORAGE_DIR: storage, PORTAL_TEST_CLOCK: '1', ...s3.env(PREFIX) });
  holders = await seedKeyHolders(server.url);
  recruitmentId = await publishRecruitment(server.url, holders);
}, 90_000);

afterAll(async () => {
  killAllServers();
  await s3.stop();
  rmSync(storage, { recursive: true, force: true });
});

function pdf(size: number): UploadFile {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  return { filename: `document-${size}.pdf`, size, content: [content] };
}

describe('bid files in object storage (STORAGE_URL)', () => {
  let receipt: Receipt;

  it('stores a bid of a 12 MB and a small file in the bucket, not in STORAGE_DIR, then answers its receipt', async () => {
    expect(server.output()).toContain(`s3://${s3.bucket}/${PREFIX}/`);
    const bidder = await registerOrganization(server.url, storage);
    const reply = await postBid(server.url, bidder.token, recruitmentId, bidFields('arts'), [pdf(12 * MiB), pdf(200 * 1024)]).response;
    expect(reply.status, reply.body).toBe(201);
    receipt = JSON.parse(reply.body) as Receipt;
    const stored = await createS3BlobStore(s3.location(PREFIX)).list('bids/');
    expect(stored.map((blob) => blob.name).sort()).toHaveLength(2);
    expect(stored.every((blob) => blob.name.startsWith(`bids/${recruitmentId}/`))).toBe(true);
    expect(existsSync(path.join(storage, 'bids'))).toBe(false);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
  }, 60_000);

  it('answers 503 STORAGE_UNAVAILABLE with Retry-After while the bucket is out of reach, keeps nothing, and is not ready', async () => {
    const bidder = await registerOrganization(server.url, storage);
    s3.setReachable(false);
    try {
      const reply = await postBid(server.url, bidder.token, recruitmentId, bidFields('sports'), [pdf(7 * MiB)]).response;
      expect(reply.status, server.output()).toBe(503);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(await ready.json()).toMatchObject({ checks: { database: 'ok', storage: expect.any(String) } });
    } finally {
      s3.setReachable(true);
    }
    expect(await createS3BlobStore(s3.location(PREFIX)).list('bids/')).toHaveLength(2);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 60_000);

  it('leaves no object and no bid when the server is SIGKILLed in the middle of an upload, and serves on after a restart', async () => {
    const bidder = await registerOrganization(server.url, storage);
    let release = () => {};
    const resume = new Promise<void>((resolve) => (release = resolve));
    const upload = postBid(server.url, bidder.token, recruitmentId, bidFields('sports'), [stalledPdf(24 * MiB, 12 * MiB, resume)]);
    const outcome = upload.response.then(
      (reply) => `answered ${reply.status}`,
      () => 'cut off',
    );
    while (upload.sent() < 12 * MiB) await new Promise((resolve) => setTimeout(resolve, 50));
    // 12 MiB sent: the server has had more than two 5 MiB parts to upload, none of them completed as an object
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await server.kill();
    release();
    expect(await outcome).toBe('cut off');
    const blobs = createS3BlobStore(s3.location(PREFIX));
    expect(await blobs.list('bids/')).toHaveLength(2);
    server = await startServer({ STORAGE_DIR: storage, PORTAL_TEST_CLOCK: '1', ...s3.env(PREFIX) });
    holders.agentToken = await login(server.url, { email: 'agent@example.org', password: 'agent-password-1' });
    expect(await blobs.list('bids/')).toHaveLength(2);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 90_000);

  it('opens the bid at the deadline from the files in the bucket: its digest verifies (an opening with the bucket out of reach is not recorded)', async () => {
    const { submissionDeadline, bidKeyFingerprint } = await api<{ submissionDeadline: string; bidKeyFingerprint: string }>(
      server.url,
      `/api/v1/recruitments/${recruitmentId}`,
    );
    await setTestClock(server.url, { now: submissionDeadline });
    const inspectorToken = await login(server.url, { email: 'inspector@example.org', password: 'inspector-password-1' });
    const opening = `/api/v1/recruitments/${recruitmentId}/opening`;
    await api(server.url, `${opening}/start`, { token: holders.agentToken, body: {} });
    await api(server.url, `${opening}/attend`, { token: inspectorToken, body: {} });
    const unlock = (token: string, role: string) =>
      fetch(`${server.url}${opening}/unlock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ passphrase: `${role} opening passphrase`, bidKeyFingerprint }),
      });
    // the files cannot be read: no bid may be recorded as failing verification for that
    expect((await unlock(holders.agentToken, 'agent')).status).toBe(200);
    s3.setReachable(false);
    try {
      const refused = await unlock(inspectorToken, 'inspector');
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } finally {
      s3.setReachable(true);
    }
    expect(await api(server.url, opening, { token: inspectorToken })).toMatchObject({ record: [] });
    // both entries wait on: one holder entering again opens the bids
    const opened = (await (await unlock(holders.agentToken, 'agent')).json()) as {
      phase: string;
      record: { bidId: string; digest: string; recomputedDigest: string; digestVerified: boolean }[];
    };
    expect(opened.phase).toBe('opened');
    // one line: the killed upload left no bid
    expect(opened.record).toEqual([expect.objectContaining({ bidId: receipt.bidId, digest: receipt.digest, recomputedDigest: receipt.digest, digestVerified: true })]);
    await server.stop();
  }, 60_000);
});
