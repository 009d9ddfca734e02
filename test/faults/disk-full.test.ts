import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { everyPair, openBids, outcomeCounts, registerOrganizations, runBurst, tally } from '../helpers/bid-burst.ts';
import { createDatabase } from '../helpers/postgres-cluster.ts';
import { api, killAllServers, publishRecruitment, seedKeyHolders, startServer } from '../helpers/server-process.ts';

// A full disk under a real server process (issue 13 saw a generic 500): STORAGE_DIR is a 16 MB
// tmpfs of this test's own, the database is PostgreSQL (off that disk), and a file fills the disk
// to the last byte. Bids are refused with 507 STORAGE_FULL, nothing of them is kept, the
// inspector is alerted, the server serves on; once space is back the same bids succeed as the
// first versions, and every receipt opens. Needs mount (root with CAP_SYS_ADMIN): skipped when
// the tmpfs cannot be mounted (test/routes/storage-full.test.ts covers the route alone).

const storage = mkdtempSync(path.join(tmpdir(), 'portal-faults-disk-'));
const filler = path.join(storage, 'filler');

function mountTmpfs(): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', storage], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('[faults] cannot mount a tmpfs here: the full-disk fault test is skipped');
    return false;
  }
}

/** Writes zeros into `filler` until the disk refuses another byte. */
function fillDisk() {
  const file = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let size = chunk.length; size > 0; ) {
      try {
        writeSync(file, chunk, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(file);
  }
}

const port = inject('faultsPostgresPort');
const mounted = port !== 0 && mountTmpfs();
afterAll(() => {
  killAllServers();
  if (mounted) execFileSync('umount', [storage]);
  rmSync(storage, { recursive: true, force: true });
});

const filesIn = (folder: string, suffix: string) =>
  readdirSync(path.join(storage, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith(suffix));

describe.runIf(mounted)('a full disk under a real server', () => {
  it('refuses bids with 507 STORAGE_FULL keeping nothing of them, serves on, and takes them once space is back', async () => {
    const env = { STORAGE_DIR: storage, PORTAL_TEST_CLOCK: '1', ...(await createDatabase(port)) };
    const server = await startServer(env);
    const holders = await seedKeyHolders(server.url);
    const recruitmentId = await publishRecruitment(server.url, holders);
    const bidders = await registerOrganizations(server.url, storage, 3);
    const [before, during] = [everyPair(bidders, ['arts']), everyPair(bidders, ['sports'])];
    const stored = await runBurst({ bids: before, recruitmentId, concurrency: 3, target: () => server.url });
    const sealedBefore = filesIn('bids', '.sealed').length;

    fillDisk();
    const refused = await runBurst({ bids: during, recruitmentId, concurrency: 3, target: () => server.url });
    expect(refused.every((outcome) => outcome.kind === 'refused' && outcome.status === 507 && outcome.code === 'STORAGE_FULL')).toBe(true);
    // nothing half-stored: no temporary file, no sealed file beyond those of the receipts before
    expect(filesIn('tmp', '.part')).toEqual([]);
    expect(filesIn('bids', '.sealed')).toHaveLength(sealedBefore);
    // the server serves on, says it cannot store files, and the inspector is alerted
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const readiness = await fetch(`${server.url}/readyz`);
    expect(readiness.status).toBe(503);
    const alerts = await api<{ indicator: string }[]>(server.url, '/api/v1/inspector/alerts', { token: holders.inspectorToken });
    expect(alerts.filter((alert) => alert.indicator === 'storage_full')).toHaveLength(1);

    rmSync(filler);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const retried = await runBurst({ bids: during, recruitmentId, concurrency: 3, target: () => server.url });
    console.log(`[faults] full disk: ${JSON.stringify(outcomeCounts(refused))}; once space is back: ${JSON.stringify(outcomeCounts(retried))}`);
    // nothing of the refused bids was recorded: the bids taken now are first versions
    expect(retried.map((outcome) => outcome.kind === 'receipt' && outcome.receipt.version)).toEqual(during.map(() => 1));

    const result = tally('a full disk', [...stored, ...retried], await openBids(server.url, holders, recruitmentId));
    expect(result.receipts).toBe(before.length + during.length);
    expect(result.lost).toBe(0);
    expect(result.notVerified).toBe(0);
    expect(server.ended()).toBeNull();
    await server.stop();
  });
});
