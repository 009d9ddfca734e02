import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bidFields,
  killAllServers,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  startServer,
  type UploadFile,
} from '../helpers/server-process.ts';

// A restart must not cost a bid under way (issue 13, zero-downtime restarts): on SIGTERM the
// server stops taking connections, lets the uploads in flight finish and answer, then exits.

const MiB = 1024 * 1024;
const storage = mkdtempSync(path.join(tmpdir(), 'portal-stop-'));
afterAll(() => {
  killAllServers();
  rmSync(storage, { recursive: true, force: true });
});

/** A PDF of `size` bytes whose stream pauses after `before` bytes until `resume` settles. */
function pausedPdf(size: number, before: number, resume: Promise<void>): UploadFile {
  const chunk = randomBytes(MiB);
  async function* content() {
    yield Buffer.from('%PDF-1.7\n');
    let sent = 9;
    while (sent < size) {
      if (sent >= before) await resume;
      const next = chunk.subarray(0, Math.min(MiB, size - sent));
      sent += next.length;
      yield next;
    }
  }
  return { filename: 'plan.pdf', size, content: content() };
}

describe('a graceful stop (SIGTERM)', () => {
  it('lets an upload under way finish with its receipt, refuses new connections, then exits 0', async () => {
    const server = await startServer({ STORAGE_DIR: storage });
    const recruitmentId = await publishRecruitment(server.url, await seedKeyHolders(server.url));
    const bidder = await registerOrganization(server.url, storage);
    let resume = () => {};
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const upload = postBid(server.url, bidder.token, recruitmentId, bidFields('arts'), [pausedPdf(8 * MiB, 4 * MiB, paused)]);
    while (upload.sent() < 4 * MiB) await new Promise((resolve) => setTimeout(resolve, 50));

    const stopped = server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await fetch(`${server.url}/healthz`).then(
      (reply) => `answered ${reply.status}`,
      () => 'refused',
    );
    expect(refused).toBe('refused');
    expect(server.ended()).toBeNull();

    resume();
    const reply = await upload.response;
    expect(reply.status, reply.body).toBe(201);
    await stopped;
    expect(server.ended()).toBe('exited with 0');
  }, 90_000);
});
