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
  stalledPdf,
  startServer,
} from '../helpers/server-process.ts';

// A restart must not cost a bid under way (issue 13, zero-downtime restarts): on SIGTERM the
// server stops taking connections, lets the uploads in flight finish and answer, then exits.

const MiB = 1024 * 1024;
const storage = mkdtempSync(path.join(tmpdir(), 'portal-stop-'));
afterAll(() => {
  killAllServers();
  rmSync(storage, { recursive: true, force: true });
});

describe('a graceful stop (SIGTERM)', () => {
  it('lets an upload under way finish with its receipt, refuses new connections, then exits 0', async () => {
    const server = await startServer({ STORAGE_DIR: storage });
    const recruitmentId = await publishRecruitment(server.url, await seedKeyHolders(server.url));
    const bidder = await registerOrganization(server.url, storage);
    let resume = () => {};
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const upload = postBid(server.url, bidder.token, recruitmentId, bidFields('arts'), [stalledPdf(8 * MiB, 4 * MiB, paused)]);
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
