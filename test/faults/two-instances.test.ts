import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { everyPair, openBids, outcomeOf, receiptsOf, registerOrganizations, runBurst, tally } from '../helpers/bid-burst.ts';
import { createDatabase } from '../helpers/postgres-cluster.ts';
import {
  bidFields,
  killAllServers,
  lotKeys,
  postBid,
  publishRecruitment,
  seedKeyHolders,
  stalledPdf,
  startServer,
  type ServerProcess,
} from '../helpers/server-process.ts';

// A second instance on one PostgreSQL and one STORAGE_DIR (a rolling restart, a second
// instance) started during a burst on the first: its start-up clean-up removed files of bids the
// first was still writing, and 62 of 73 receipts did not open (issue 13). Here it starts while
// four two-file bids hold their first file sealed and their second half-written, and while a
// burst of small bids runs; the rest of the burst goes to both. Every receipt must open.

const MiB = 1024 * 1024;
const ORGANIZATIONS = 10;
const LOTS = 8;
const STALLED = 4;
/** bids kept for once the second instance is up, and the pace of those before */
const RESERVE = 16;
const PACE_MS = 100;

const storage = mkdtempSync(path.join(tmpdir(), 'portal-faults-two-'));
afterAll(() => {
  killAllServers();
  rmSync(storage, { recursive: true, force: true });
});

const port = inject('faultsPostgresPort');

/** the temporary files of uploads under way that hold at least `bytes` */
const partFiles = (bytes: number) =>
  readdirSync(path.join(storage, 'tmp')).filter((name) => name.endsWith('.part') && statSync(path.join(storage, 'tmp', name)).size >= bytes);

describe.runIf(port)('two instances on one PostgreSQL and one storage, the second starting in the middle of a burst on the first', () => {
  it('leaves no receipt that does not open, and opens the bids with the holders entering on different instances', async () => {
    const env = { STORAGE_DIR: storage, PORTAL_TEST_CLOCK: '1', ...(await createDatabase(port)) };
    const first = await startServer(env);
    const holders = await seedKeyHolders(first.url);
    const recruitmentId = await publishRecruitment(first.url, holders, LOTS);
    const bidders = await registerOrganizations(first.url, storage, ORGANIZATIONS);
    const bids = everyPair(bidders, lotKeys(LOTS));
    const [stalledBids, rest] = [bids.slice(0, STALLED), bids.slice(STALLED)];

    let release = () => {};
    const resume = new Promise<void>((resolve) => (release = resolve));
    const stalled = stalledBids.map(({ token, lot }) => {
      const sealedFirst = { filename: 'plan.pdf', size: 64 * 1024, content: [Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024 - 9)])] };
      return outcomeOf(postBid(first.url, token, recruitmentId, bidFields(lot), [sealedFirst, stalledPdf(4 * MiB, 2 * MiB, resume)]).response);
    });
    while (partFiles(MiB).length < STALLED) await sleep(50);

    // a steady stream of bids goes to the first instance while the second starts on the same
    // storage and database (which takes seconds), the last RESERVE once it is up, to both; the
    // stalled bids go on once it is up
    let second: ServerProcess | undefined;
    const starting = startServer(env).then((started) => {
      second = started;
      release();
      return started;
    });
    const startedAt = Date.now();
    let toSecond = 0;
    const burst = await runBurst({
      bids: rest,
      recruitmentId,
      concurrency: 4,
      ready: (i) => (i < rest.length - RESERVE ? sleep(startedAt + i * PACE_MS - Date.now()) : starting),
      target: (i) => (second && i % 2 ? (toSecond++, second.url) : first.url),
    });
    const outcomes = [...(await Promise.all(stalled)), ...burst];
    console.log(`[faults] the second instance took ${toSecond} of the ${rest.length} bids of the burst`);
    // the agent enters its passphrase on the second instance, the inspector on the first
    const record = await openBids((await starting).url, holders, recruitmentId, first.url);
    await first.stop();
    const result = tally('a second instance started mid-burst, opened across both', outcomes, record);
    expect(result.lost).toBe(0);
    expect(receiptsOf(outcomes)).toHaveLength(outcomes.length);
    expect(result.notVerified).toBe(0);
    await (await starting).stop();
  });
});
