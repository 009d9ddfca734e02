import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bidFields,
  killAllServers,
  login,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  stalledPdf,
  startServer,
  type Receipt,
  type StoredReceipt,
  type ServerProcess,
  type UploadFile,
} from '../helpers/server-process.ts';

// Nothing lost (SPEC §4.6): the real server is SIGKILLed in the middle of an upload and right after
// a receipt, then restarted on the same storage folder and embedded database.

const MiB = 1024 * 1024;
const storage = mkdtempSync(path.join(tmpdir(), 'portal-kill-'));
let server: ServerProcess;
let recruitmentId: string;
let bidder: { email: string; password: string; token: string };

beforeAll(async () => {
  server = await startServer({ STORAGE_DIR: storage });
  recruitmentId = await publishRecruitment(server.url, await seedKeyHolders(server.url));
  bidder = await registerOrganization(server.url, storage);
}, 90_000);

afterAll(() => {
  killAllServers();
  rmSync(storage, { recursive: true, force: true });
});

const filesIn = (folder: string, suffix: string) =>
  readdirSync(path.join(storage, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith(suffix));

function pdf(size: number): UploadFile {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  return { filename: `document-${size}.pdf`, size, content: [content] };
}

/** Polls `probe` until it answers; a throw counts as not yet (a folder not made yet, a file just renamed). */
async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const found = probe();
      if (found !== undefined) return found;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) throw new Error(`${what}: not seen within ${timeoutMs} ms`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function restart() {
  server = await startServer({ STORAGE_DIR: storage });
  bidder.token = await login(server.url, bidder);
}

async function submit(lot: string, files: UploadFile[]): Promise<Receipt> {
  const reply = await postBid(server.url, bidder.token, recruitmentId, bidFields(lot), files).response;
  expect(reply.status, reply.body).toBe(201);
  return JSON.parse(reply.body) as Receipt;
}

describe('a killed server loses nothing and keeps nothing half-done (SPEC §4.6)', () => {
  let artsReceipt: Receipt;

  it('leaves no temporary file, no sealed file and no bid after a kill in the middle of an upload', async () => {
    let release = () => {};
    const resume = new Promise<void>((resolve) => (release = resolve));
    // the first document is sealed whole, the second stops half-way: both kinds of leftover exist at the kill
    const upload = postBid(server.url, bidder.token, recruitmentId, bidFields('arts'), [
      pdf(MiB),
      stalledPdf(48 * MiB, 24 * MiB, resume),
    ]);
    const outcome = upload.response.then(
      (reply) => `answered ${reply.status}`,
      () => 'cut off',
    );
    await waitFor('a .part file of 16 MiB', () =>
      filesIn('tmp', '.part').find((name) => statSync(path.join(storage, 'tmp', name)).size >= 16 * MiB),
    );
    expect(upload.sent()).toBeGreaterThan(16 * MiB);
    expect(filesIn('bids', '.sealed')).toHaveLength(1);

    await server.kill();
    release();
    expect(await outcome).toBe('cut off');
    expect(filesIn('tmp', '.part')).toHaveLength(1);

    await restart();
    expect(server.output()).toContain('removed files left by interrupted bid submissions');
    expect(server.output()).toMatch(/"temporary":1,"orphans":1/);
    expect(readdirSync(path.join(storage, 'tmp'))).toEqual([]);
    expect(filesIn('bids', '.sealed')).toEqual([]);
    // no half bid was recorded: the next submission for the lot is its first version
    artsReceipt = await submit('arts', [pdf(2 * MiB)]);
    expect(artsReceipt.version).toBe(1);
  }, 60_000);

  it('keeps a bid whose receipt was answered right before the kill: same digest, same files, sealed files present', async () => {
    const upload = postBid(server.url, bidder.token, recruitmentId, bidFields('sports'), [pdf(3 * MiB), pdf(300 * 1024)]);
    const reply = await upload.response;
    await server.kill();
    expect(reply.status, reply.body).toBe(201);
    const receipt = JSON.parse(reply.body) as Receipt;

    await restart();
    for (const issued of [artsReceipt, receipt]) {
      const stored = await api<StoredReceipt>(server.url, `/api/v1/bids/${issued.bidId}`, { token: bidder.token });
      expect(stored).toMatchObject({ bidId: issued.bidId, version: issued.version, digest: issued.digest, fileCount: issued.files.length });
    }
    // every sealed file belongs to one of the two receipts, and each of their files is there
    expect(filesIn('bids', '.sealed')).toHaveLength(artsReceipt.files.length + receipt.files.length);
    expect(readdirSync(path.join(storage, 'tmp'))).toEqual([]);
    await server.stop();
  }, 60_000);
});
