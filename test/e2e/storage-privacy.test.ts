import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServers, startServer } from '../helpers/server-process.ts';

// STORAGE_DIR holds the embedded database, the sealed bids, the signed documents and the
// secrets: only the server's own user may read any of it, even when the folder was made by
// someone else with the usual 0755 before the first start.

const folders: string[] = [];
afterAll(() => {
  killAllServers();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** every folder under `root`, with its permission bits */
function folderModes(root: string): { entry: string; mode: number }[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((entry) => ({ entry, stat: statSync(path.join(root, entry)) }))
    .filter(({ stat }) => stat.isDirectory())
    .map(({ entry, stat }) => ({ entry, mode: stat.mode & 0o777 }));
}

describe('the storage folder', () => {
  it('is private to the server (it and every folder in it 0700) when it existed with 0755', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'portal-private-'));
    folders.push(storage);
    chmodSync(storage, 0o755);
    const server = await startServer({ STORAGE_DIR: storage });
    await server.stop();
    // PGlite makes its files 0666 whatever the umask: no folder on the way to them may be open
    expect(statSync(storage).mode & 0o777).toBe(0o700);
    const inside = folderModes(storage);
    expect(inside.map(({ entry }) => entry)).toEqual(expect.arrayContaining(['db', 'secrets']));
    expect(inside.filter(({ mode }) => (mode & 0o077) !== 0)).toEqual([]);
  }, 120_000);
});
