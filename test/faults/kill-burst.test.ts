import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { everyPair, openBids, outcomeCounts, receiptsOf, registerOrganizations, runBurst, tally } from '../helpers/bid-burst.ts';
import { createDatabase } from '../helpers/postgres-cluster.ts';
import { killAllServers, lotKeys, publishRecruitment, seedKeyHolders, startServer } from '../helpers/server-process.ts';

// Nothing lost (SPEC §4.6) under load: the real server is SIGKILLed in the middle of a burst of
// 80 small bids from 10 organisations, 12 at a time, then restarted on the same storage and
// database; at the opening every receipt a client got must be a bid that opens with the
// receipt's digest. test/e2e/kill.test.ts kills at chosen points of one upload.

const ORGANIZATIONS = 10;
const LOTS = 8;
const KILL_AFTER_RECEIPTS = 25;

const folders: string[] = [];
afterAll(() => {
  killAllServers();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const port = inject('faultsPostgresPort');
const engines = [
  { engine: 'PGlite', database: async () => ({}) },
  ...(port ? [{ engine: 'PostgreSQL', database: () => createDatabase(port) }] : []),
];

describe.each(engines)('kill -9 in the middle of a burst of uploads on $engine', ({ engine, database }) => {
  it('loses no receipt: after the restart every receipt a client got is a bid that opens with its digest', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'portal-faults-kill-'));
    folders.push(storage);
    const env = { STORAGE_DIR: storage, PORTAL_TEST_CLOCK: '1', ...(await database()) };
    let server = await startServer(env);
    const holders = await seedKeyHolders(server.url);
    const recruitmentId = await publishRecruitment(server.url, holders, LOTS);
    const bidders = await registerOrganizations(server.url, storage, ORGANIZATIONS);

    let killed: Promise<void> | undefined;
    const outcomes = await runBurst({
      bids: everyPair(bidders, lotKeys(LOTS)),
      recruitmentId,
      concurrency: 12,
      target: () => server.url,
      onOutcome: (_, settled) => {
        if (!killed && receiptsOf(settled).length >= KILL_AFTER_RECEIPTS) killed = server.kill();
      },
    });
    await killed;
    // the kill came in the middle: some clients were cut off, none was refused
    expect(Object.keys(outcomeCounts(outcomes)).some((kind) => kind.startsWith('cut off'))).toBe(true);
    expect(outcomes.filter((outcome) => outcome.kind === 'refused')).toEqual([]);

    server = await startServer(env);
    const result = tally(`kill -9 mid-burst on ${engine}`, outcomes, await openBids(server.url, holders, recruitmentId));
    expect(result.receipts).toBeGreaterThanOrEqual(KILL_AFTER_RECEIPTS);
    expect(result.lost).toBe(0);
    expect(result.notVerified).toBe(0);
    await server.stop();
  });
});
