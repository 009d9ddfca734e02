import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { count, desc, eq } from 'drizzle-orm';
import { createDatabase, type Db } from '../server/db/client.ts';
import { alerts, recruitments } from '../server/db/schema.ts';
import { createInspectionService } from '../server/domain/inspection/service.ts';
import { createClock } from '../server/lib/clock.ts';
import type { Mailer } from '../server/lib/mailer.ts';
import { createStorage } from '../server/lib/storage.ts';
import { mapLimit } from '../test/helpers/bid-burst.ts';
import { login, startServer, type ServerProcess } from '../test/helpers/server-process.ts';
import { CENTRE_SIZE, seedCentre, submitOneMoreBid } from './bench-alerts-seed.ts';
import { cpuSecondsOf, log, percentile, seconds, type Row } from './bench-figures.ts';

// `npm run bench -- alerts` (issue 14): the red flags over a centre of 200 recruitments, 20,000
// bids and 100,000 audit entries, seeded straight into a fresh database (bench-alerts-seed.ts).
// The review runs in this process, on the engine the server uses: a full recomputation, the same
// again with nothing new, and the watch's turn after one new bid. Then the real server starts on
// that database and GET /api/v1/inspector/alerts is timed for a supervising inspector and for a
// recruitment's named inspector, CLIENTS requests at a time.

const REQUESTS = 2_000;
const CLIENTS = 10;
const WARM_UP = 50;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Where the alerts bench runs: a fresh PostgreSQL database (null: PGlite in `work`). */
export interface AlertsBenchTarget {
  work: string;
  database: { url: string; name: string } | null;
}

export async function alertsBench({ work, database }: AlertsBenchTarget): Promise<Row[]> {
  const storageDir = path.join(work, 'alerts-storage');
  const storage = createStorage(storageDir);
  const opened = await createDatabase({ url: database?.url ?? null, dataDir: database ? null : storage.databaseDir });
  await opened.migrate();
  const { db } = opened;

  log(`seeding a centre of ${CENTRE_SIZE.recruitments} recruitments, ${CENTRE_SIZE.bids} bids, ${CENTRE_SIZE.auditEntries} audit entries`);
  const seedStarted = performance.now();
  const centre = await seedCentre(db, new Date(), (step) => log(`seeding: ${step} after ${seconds(seedStarted).toFixed(1)} s`));
  const seedSeconds = seconds(seedStarted);
  log(`seeded in ${seedSeconds.toFixed(1)} s: ${JSON.stringify(centre.counts)}`);

  let mailed = 0;
  const mailer: Mailer = { send: () => void mailed++, deliver: async () => void mailed++, drain: async () => {} };
  const { review } = createInspectionService({ db, clock: createClock(), mailer, publicUrl: 'http://127.0.0.1' });
  log('reviewing every recruitment (a full recomputation)');
  const timed = async <T>(task: () => Promise<T>) => {
    const started = performance.now();
    return { result: await task(), seconds: seconds(started) };
  };
  const full = await timed(() => review.reviewAll());
  const again = await timed(() => review.reviewAll());
  await submitOneMoreBid(db, centre, new Date());
  const watch = await timed(() => review.reviewNewEntries());
  const byIndicator = await db.select({ indicator: alerts.indicator, n: count() }).from(alerts).groupBy(alerts.indicator).orderBy(desc(count()));
  const focus = await busiestRecruitment(db);
  await opened.close();

  log('starting the server on that database');
  const server = await startServer({ STORAGE_DIR: storageDir, DATABASE_URL: database?.url ?? '' });
  try {
    await untilIdle(server);
    const supervisorToken = await login(server.url, centre.supervisor);
    const named = focus?.inspectorId ? centre.inspectors.get(focus.inspectorId) : undefined;
    const namedToken = named ? await login(server.url, named) : null;
    log(`GET /api/v1/inspector/alerts: ${REQUESTS} requests, ${CLIENTS} at a time, for each inspector`);
    const supervising = await listTimings(server.url, supervisorToken, '/api/v1/inspector/alerts');
    const perRecruitment = namedToken && focus ? await listTimings(server.url, namedToken, `/api/v1/inspector/alerts?recruitmentId=${focus.id}`) : null;
    log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPU(s) after measuring`);

    const goal = 'p99 <= 200 ms (PostgreSQL)';
    const listRows = (label: string, timings: Awaited<ReturnType<typeof listTimings>>): Row[] => [
      [`alerts list, ${label}: rows, body`, `${timings.rows} alerts, ${(timings.bytes / 1024).toFixed(1)} KB`, ''],
      [`alerts list, ${label}: p50 / p99`, `${ms(timings.p50)} / ${ms(timings.p99)} (${timings.perSecond.toFixed(0)} req/s)`, goal],
    ];
    return [
      [
        'alerts: centre seeded',
        `${centre.counts.recruitments} recruitments, ${centre.counts.organizations} organisations, ${centre.counts.bids} bids (${centre.counts.versions} versions), ` +
          `${centre.counts.scores} scores, ${centre.counts.auditEntries} audit entries in ${seedSeconds.toFixed(1)} s`,
        '',
      ],
      [
        'alerts: full recomputation (reviewAll)',
        `${full.seconds.toFixed(2)} s, ${full.result.length} alerts raised (${byIndicator.map(({ indicator, n }) => `${indicator}: ${n}`).join(', ') || 'none'}), ${mailed} mails`,
        '',
      ],
      ['alerts: reviewAll again, nothing new', `${again.seconds.toFixed(2)} s, ${again.result.length} raised`, ''],
      ['alerts: watch turn after one new bid', `${(watch.seconds * 1000).toFixed(0)} ms, ${watch.result?.reviewed ?? 0} recruitment(s) reviewed`, ''],
      ...listRows('supervising inspector', supervising),
      ...(perRecruitment ? listRows('named inspector, ?recruitmentId=', perRecruitment) : []),
    ];
  } catch (error) {
    console.error(`[bench] the server (${server.ended() ?? 'running'}) printed:\n${server.output().slice(-5000)}`);
    throw error;
  } finally {
    await server.stop();
  }
}

/** The recruitment with the most alerts, and its named inspector. */
async function busiestRecruitment(db: Db) {
  const [row] = await db
    .select({ id: recruitments.id, inspectorId: recruitments.inspectorId })
    .from(alerts)
    .innerJoin(recruitments, eq(recruitments.id, alerts.recruitmentId))
    .groupBy(recruitments.id)
    .orderBy(desc(count()))
    .limit(1);
  return row ?? null;
}

/**
 * Waits until the server has settled after its start (the day's audit checkpoint, the first
 * sweep): less than a tenth of a core for two seconds running, two minutes at most.
 */
async function untilIdle(server: ServerProcess) {
  const used = () => {
    const { user, system } = cpuSecondsOf(server.pid);
    return user + system;
  };
  const deadline = performance.now() + 120_000;
  for (let before = used(), quiet = 0; quiet < 4 && performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = used();
    quiet = now - before < 0.05 ? quiet + 1 : 0;
    before = now;
  }
}

/** REQUESTS GETs of `route`, CLIENTS at a time, after a warm-up: latencies and what one answer holds. */
async function listTimings(url: string, token: string, route: string) {
  const get = async () => {
    const started = performance.now();
    const response = await fetch(`${url}${route}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${route} answered ${response.status}: ${body.slice(0, 500)}`);
    return { ms: performance.now() - started, body };
  };
  const first = await get();
  for (let i = 0; i < WARM_UP; i++) await get();
  const started = performance.now();
  const latencies = (await mapLimit(Array.from({ length: REQUESTS }), CLIENTS, async () => (await get()).ms)).sort((a, b) => a - b);
  const elapsed = seconds(started);
  return {
    rows: (JSON.parse(first.body) as unknown[]).length,
    bytes: Buffer.byteLength(first.body),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: REQUESTS / elapsed,
  };
}
