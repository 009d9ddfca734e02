import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServers, startServer } from '../helpers/server-process.ts';

// Two `npm start` on one STORAGE_DIR with the embedded database lost data silently (issue 13):
// both answered, and after a restart half the organisations registered were gone. The embedded
// database is one process's; a second refuses to start and names the holder.

const storage = mkdtempSync(path.join(tmpdir(), 'portal-lock-'));
afterAll(() => {
  killAllServers();
  rmSync(storage, { recursive: true, force: true });
});

describe('the embedded database’s storage', () => {
  it('is held by one process: a second refuses to start, naming the first; once the first is killed, the next starts', async () => {
    const first = await startServer({ STORAGE_DIR: storage });
    const second = await startServer({ STORAGE_DIR: storage }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(second).toMatch(/^exited with 1/);
    expect(second).toContain(`正由另一个进程使用（PID ${first.pid}`);
    expect(first.ended()).toBeNull();
    expect((await fetch(`${first.url}/login`)).status).toBe(200);

    // kill -9 leaves the lock behind: its holder no longer runs, so it does not keep the storage
    await first.kill();
    const third = await startServer({ STORAGE_DIR: storage });
    expect((await fetch(`${third.url}/login`)).status).toBe(200);
    await third.stop();
    // a clean stop gives the storage back at once
    const fourth = await startServer({ STORAGE_DIR: storage });
    await fourth.stop();
  }, 120_000);
});
