import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { everyPair, mapLimit, registerOrganizations, submitBid } from '../helpers/bid-burst.ts';
import { withDatabase } from '../helpers/global-setup.ts';
import {
  api,
  bidFields,
  childPids,
  killAllServers,
  postBid,
  publishRecruitment,
  seedKeyHolders,
  stalledPdf,
  startServer,
  type StoredReceipt,
} from '../helpers/server-process.ts';

// WEB_CONCURRENCY=2 (server/cluster.ts): a primary and two worker processes on one port, seen
// from outside: the primary's child processes, the pid in each request's log line.

const MiB = 1024 * 1024;
const folders: string[] = [];
const admin = process.env.DATABASE_URL ? new pg.Client({ connectionString: inject('postgresOwnerUrl') }) : null;
const databases: string[] = [];
afterAll(async () => {
  killAllServers();
  for (const name of databases) await admin?.query(`drop database if exists ${name} with (force)`);
  await admin?.end();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const storageFolder = () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'portal-cluster-'));
  folders.push(folder);
  return folder;
};

/** the pids that logged a completed request since `from` in the server's output (pino's `pid`) */
function servingPids(output: string, from = 0): Set<number> {
  const pids = new Set<number>();
  // whole lines only: the last may be still on its way
  for (const line of output.slice(from).split('\n').slice(0, -1)) {
    if (!line.includes('"request completed"')) continue;
    pids.add((JSON.parse(line) as { pid: number }).pid);
  }
  return pids;
}

/** GET /healthz on a connection of its own: the primary hands each new connection to the next worker */
const healthz = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(`${url}/healthz`, { agent: false }, (reply) => {
      reply.resume();
      reply.on('end', () => resolve(reply.statusCode ?? 0));
    }).on('error', reject);
  });

const alive = (pid: number) => existsSync(`/proc/${pid}`);

async function until(condition: () => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('WEB_CONCURRENCY on the embedded database', () => {
  it('refuses to start, saying PGlite is one process’s', async () => {
    await expect(startServer({ WEB_CONCURRENCY: '2', STORAGE_DIR: storageFolder() })).rejects.toThrow(
      /exited with 1[\s\S]*WEB_CONCURRENCY=2 需要 PostgreSQL（设置 DATABASE_URL）：内置数据库 PGlite 只能由一个进程打开/,
    );
  });
});

describe.runIf(process.env.DATABASE_URL)('WEB_CONCURRENCY=2 on PostgreSQL', () => {
  beforeAll(() => admin!.connect());

  it('serves one port from two workers, gives every bid of a burst its receipt, forks a killed worker again, and on SIGTERM lets an upload under way finish, then stops all', async () => {
    const name = `portal_cluster_${randomBytes(4).toString('hex')}`;
    await admin!.query(`create database ${name}`);
    databases.push(name);
    const storage = storageFolder();
    const server = await startServer({
      WEB_CONCURRENCY: '2',
      STORAGE_DIR: storage,
      DATABASE_OWNER_URL: withDatabase(inject('postgresOwnerUrl'), name),
      DATABASE_URL: withDatabase(inject('postgresAppUrl'), name),
      LOG_LEVEL: 'info',
    });
    // one banner, telling once of the administrator created, naming both workers
    expect(server.output().match(/平台已启动/g)).toHaveLength(1);
    expect(server.output().match(/已创建管理员账号/g)).toHaveLength(1);
    const workers = childPids(server.pid);
    expect(workers).toHaveLength(2);
    expect(server.output()).toContain(`工作进程：2 个（WEB_CONCURRENCY），共用端口 ${new URL(server.url).port}；主进程 PID ${server.pid}`);

    const holders = await seedKeyHolders(server.url);
    const recruitmentId = await publishRecruitment(server.url, holders);
    const bidders = await registerOrganizations(server.url, storage, 12);
    const burstFrom = server.output().length;
    const outcomes = await Promise.all(everyPair(bidders, ['arts', 'sports']).map((bid) => submitBid(server.url, recruitmentId, bid)));
    expect(outcomes.filter((outcome) => outcome.kind !== 'receipt')).toEqual([]);
    const receipts = outcomes.flatMap((outcome) => (outcome.kind === 'receipt' ? [outcome.receipt] : []));
    const tokens = everyPair(bidders, ['arts', 'sports']).map(({ token }) => token);
    const readBack = await mapLimit(receipts, 8, (receipt, i) => api<StoredReceipt>(server.url, `/api/v1/bids/${receipt.bidId}`, { token: tokens[i] }));
    expect(readBack.map((stored) => stored.digest)).toEqual(receipts.map((receipt) => receipt.digest));
    // both workers answered requests of the burst (their log lines are written within a second)
    await expect.poll(() => [...servingPids(server.output(), burstFrom)].sort((a, b) => a - b), { timeout: 3000 }).toEqual(workers);

    // a worker killed as by the OOM killer: the other answers at once, and a new one is forked
    process.kill(workers[0]!, 'SIGKILL');
    await until(() => !alive(workers[0]!), 'the killed worker gone');
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await healthz(server.url));
    expect(answers).toEqual(Array(10).fill(200));
    await until(() => childPids(server.pid).length === 2, 'a second worker again');
    const reforked = childPids(server.pid).find((pid) => !workers.includes(pid))!;
    expect(server.output()).toMatch(new RegExp(`工作进程 ${workers[0]} 意外退出（SIGKILL），0.5 秒后重启`));
    const afterFrom = server.output().length;
    const deadline = Date.now() + 60_000;
    while (!servingPids(server.output(), afterFrom).has(reforked)) {
      expect(Date.now(), 'the new worker answering').toBeLessThan(deadline);
      expect(await healthz(server.url)).toBe(200);
    }

    // SIGTERM to the primary: an upload under way still gets its receipt, then all exit
    let resume = () => {};
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const upload = postBid(server.url, bidders[0]!.token, recruitmentId, bidFields('arts'), [stalledPdf(8 * MiB, 4 * MiB, paused)]);
    while (upload.sent() < 4 * MiB) await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.ended()).toBeNull();
    resume();
    const reply = await upload.response;
    expect(reply.status, reply.body).toBe(201);
    await stopped;
    expect(server.ended()).toBe('exited with 0');
    expect([workers[1]!, reforked].filter(alive)).toEqual([]);
  }, 240_000);

  it('leaves no worker behind when the primary itself is killed', async () => {
    const name = `portal_cluster_${randomBytes(4).toString('hex')}`;
    await admin!.query(`create database ${name}`);
    databases.push(name);
    const server = await startServer({
      WEB_CONCURRENCY: '2',
      STORAGE_DIR: storageFolder(),
      DATABASE_OWNER_URL: withDatabase(inject('postgresOwnerUrl'), name),
      DATABASE_URL: withDatabase(inject('postgresAppUrl'), name),
    });
    const workers = childPids(server.pid);
    expect(workers).toHaveLength(2);
    await server.kill();
    await until(() => workers.every((pid) => !alive(pid)), 'the workers gone', 10_000);
  }, 120_000);
});
