import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { mapLimit } from '../test/helpers/bid-burst.ts';
import {
  bidFields,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  startServer,
  type ServerProcess,
} from '../test/helpers/server-process.ts';
import { PROJECT_ROOT } from '../server/paths.ts';
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, log, percentile, type Row } from './bench-figures.ts';

// `npm run bench -- pages` (issue 16): the public pages against a Fastify hello world on the same
// machine, each URL measured right after the hello world, so that other work on a shared machine
// moves both alike. The server runs as `npm start` runs it (the bundle, LOG_LEVEL's default), on
// the database the caller gives; a recruitment with BIDS bids is seeded over HTTP first.
// BENCH_PAGES_SECONDS sets each measurement's length (8 by default), BENCH_CPU_PROF=<dir> writes
// the server's CPU profile (node --cpu-prof) into <dir> when the part ends.
// `npm run bench -- deadline-day` (bench.ts) runs the rush twice, alone and beside clients that
// refresh the recruitment's page every second (refreshingClients, deadlineDayRows below).

const BIDS = 18;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_PAGES_SECONDS ?? 8);
const WARM_UP_SECONDS = 2;
const P99_GOAL_MS = 50;

interface Measured {
  rps: number;
  p99: number;
  failures: number;
  /** CPU time the serving process spent per request, in µs: what req/s would show on idle cores */
  cpuPerRequest: number;
}

function cpuOf(pid: number) {
  const { user, system } = cpuSecondsOf(pid);
  return user + system;
}

/** what a browser sends with a page's request: it accepts compressed bodies */
const BROWSER_HEADERS = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'zh-CN,zh;q=0.9' };

async function measure(url: string, duration: number, pid: number): Promise<Measured> {
  const cpuBefore = cpuOf(pid);
  // in a thread of its own: this one reads the server's request log from its pipe meanwhile, which
  // a busy thread would let fill up and so stall the server's writes
  const result = await autocannon({ url, connections: CONNECTIONS, duration, workers: 1, headers: BROWSER_HEADERS });
  const cpuPerRequest = ((cpuOf(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts, cpuPerRequest };
}

/** A reference server in a process of its own: `source` prints the address it listens at. */
async function startReference(source: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: chunk.toString().trim(), child };
}

/** Fastify's hello world in a process of its own, as its documentation writes it. */
async function startHelloWorld(): Promise<{ url: string; child: ChildProcess }> {
  const source = `
    import Fastify from 'fastify';
    const app = Fastify();
    app.get('/', async () => ({ hello: 'world' }));
    // the floor of sending a body of n bytes, as a page of that size is sent
    const bodies = new Map();
    app.get('/bytes/:n', async (request, reply) => {
      const n = Number(request.params.n);
      if (!bodies.has(n)) bodies.set(n, Buffer.alloc(n, 'x'));
      return reply.type('text/plain').send(bodies.get(n));
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    console.log(address);`;
  return startReference(source);
}

/** the bytes the server sends for `url` as a browser asks for it */
/** the answer a browser gets at `url`: its headers (those of the connection aside) and body */
async function answerAt(url: string): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const [response] = (await once(get(url, { headers: BROWSER_HEADERS }), 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...headers } = response.headers as Record<string, string>;
  return { headers, body: Buffer.concat(chunks) };
}

/**
 * The floor of a static file as the portal answers it (before the framework): a bare node:http
 * server in a process of its own sending the very same headers and bytes.
 */
async function startSameAnswer(answer: { headers: Record<string, string>; body: Buffer }): Promise<{ url: string; child: ChildProcess }> {
  const source = `
    import { createServer } from 'node:http';
    const headers = ${JSON.stringify(answer.headers)};
    const body = Buffer.from(${JSON.stringify(answer.body.toString('base64'))}, 'base64');
    const server = createServer((request, response) => response.writeHead(200, headers).end(body));
    server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));`;
  return startReference(source);
}

/**
 * The floor of a page that must show any change committed before it was asked for, through any
 * instance: the same hello world, waiting first for one read from PostgreSQL that began after it
 * was asked, shared by the requests of one turn of the event loop (lib/fresh-reads.ts).
 */
async function startHelloWorldWithRead(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const source = `
    import Fastify from 'fastify';
    import pg from 'pg';
    const pool = new pg.Pool({ connectionString: ${JSON.stringify(databaseUrl)}, max: 10 });
    let gathering = null;
    const fresh = () => (gathering ??= new Promise((resolve, reject) => setImmediate(() => {
      gathering = null;
      pool.query('select 1').then(resolve, reject);
    })));
    const app = Fastify();
    app.get('/', async () => { await fresh(); return { hello: 'world' }; });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    console.log(address);`;
  return startReference(source);
}

/** A published recruitment with BIDS bids, as the pages show it on deadline day. */
async function seedRecruitment(server: ServerProcess, storageDir: string): Promise<string> {
  const holders = await seedKeyHolders(server.url);
  const recruitmentId = await publishRecruitment(server.url, holders);
  log(`registering ${BIDS} organisations and submitting their bids`);
  const document = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20 * 1024)]);
  await mapLimit(Array.from({ length: BIDS }), 4, async (_, index) => {
    const { token } = await registerOrganization(server.url, storageDir);
    const lot = index % 2 === 0 ? 'arts' : 'sports';
    const reply = await postBid(server.url, token, recruitmentId, bidFields(lot), [{ filename: 'bid.pdf', size: document.length, content: [document] }]).response;
    if (reply.status !== 201) throw new Error(`bid answered ${reply.status}: ${reply.body}`);
  });
  return recruitmentId;
}

export interface PagesBenchTarget {
  storageDir: string;
  databaseUrl: string;
}

export async function pagesBench({ storageDir, databaseUrl }: PagesBenchTarget): Promise<Row[]> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const server = await startServer({
    STORAGE_DIR: storageDir,
    DATABASE_URL: databaseUrl,
    // as `npm start` runs it: the default log level, so the request log counts
    LOG_LEVEL: 'info',
    REGISTRATIONS_PER_HOUR: '100',
  }, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const hello = await startHelloWorld();
  const floor = await startHelloWorldWithRead(databaseUrl);
  try {
    const recruitmentId = await seedRecruitment(server, storageDir);
    const targets = [
      { path: '/recruitments', goal: 0.3 },
      { path: `/recruitments/${recruitmentId}`, goal: 0.2, label: '/recruitments/:id' },
      { path: `/api/v1/recruitments/${recruitmentId}`, goal: 0.3, label: '/api/v1/recruitments/:id' },
      { path: '/static/app.css', goal: 0.5 },
    ];
    const rows: Row[] = [];
    for (const target of targets) {
      const label = target.label ?? target.path;
      log(`${label}: ${SECONDS} s at ${CONNECTIONS} connections, after the hello world for as long`);
      await measure(`${server.url}${target.path}`, WARM_UP_SECONDS, server.pid);
      const page = await measure(`${server.url}${target.path}`, SECONDS, server.pid);
      const baseline = await measure(hello.url, SECONDS, hello.child.pid!);
      const withRead = await measure(floor.url, SECONDS, floor.child.pid!);
      const answer = await answerAt(`${server.url}${target.path}`);
      const bytes = answer.body.length;
      const sameBytes = await measure(`${hello.url}/bytes/${bytes}`, SECONDS, hello.child.pid!);
      const ratio = page.rps / baseline.rps;
      rows.push([
        `pages: ${label}`,
        `${page.rps.toFixed(0)} req/s, p99 ${page.p99} ms, ${ratio.toFixed(2)}× hello world (${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99} ms)${page.failures > 0 ? `, ${page.failures} failed` : ''}`,
        `>= ${target.goal}×, p99 <= ${P99_GOAL_MS} ms${ratio >= target.goal && page.p99 <= P99_GOAL_MS ? ' (met)' : ' (NOT met)'}`,
      ]);
      rows.push([
        `pages: ${label}, against its floor`,
        `${(page.rps / withRead.rps).toFixed(2)}× the hello world waiting for one shared database read (${withRead.rps.toFixed(0)} req/s, p99 ${withRead.p99} ms, ${(withRead.rps / baseline.rps).toFixed(2)}× hello world)`,
        '',
      ]);
      rows.push([
        `pages: ${label}, against its size`,
        `${(page.rps / sameBytes.rps).toFixed(2)}× the hello world sending as many bytes, ${bytes} (${sameBytes.rps.toFixed(0)} req/s, p99 ${sameBytes.p99} ms, ${(sameBytes.rps / baseline.rps).toFixed(2)}× hello world)`,
        '',
      ]);
      if (target.path.startsWith('/static/')) {
        const same = await startSameAnswer(answer);
        try {
          const bare = await measure(same.url, SECONDS, same.child.pid!);
          rows.push([
            `pages: ${label}, against the same answer`,
            `${(page.rps / bare.rps).toFixed(2)}× a bare node:http server sending the same headers and bytes (${bare.rps.toFixed(0)} req/s, p99 ${bare.p99} ms, ${(bare.rps / baseline.rps).toFixed(2)}× hello world, ${bare.cpuPerRequest.toFixed(0)} µs CPU per request)`,
            '',
          ]);
        } finally {
          same.child.kill();
        }
      }
      // other work on a shared machine moves req/s; the CPU time each request costs moves less
      rows.push([
        `pages: ${label}, server CPU per request`,
        `${page.cpuPerRequest.toFixed(0)} µs (hello world ${baseline.cpuPerRequest.toFixed(0)} µs): ${(baseline.cpuPerRequest / page.cpuPerRequest).toFixed(2)}× hello world's rate when CPU-bound`,
        '',
      ]);
    }
    return rows;
  } finally {
    hello.child.kill();
    floor.child.kill();
    // a clean stop, so that --cpu-prof writes its profile
    await server.stop();
    if (profileDir) log(`CPU profile of the server written to ${profileDir}`);
  }
}

const REFRESHING_CLIENTS = 200;
const REFRESH_MS = 1000;

/** Clients that each load `url` every second, as organisations watching a page on deadline day. */
export function refreshingClients(url: string, clients = REFRESHING_CLIENTS) {
  let running = true;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const fail = (status: string) => failures.set(status, (failures.get(status) ?? 0) + 1);
  const client = async () => {
    // spread over the first second, as people arrive
    await new Promise((resolve) => setTimeout(resolve, Math.random() * REFRESH_MS));
    while (running) {
      const started = performance.now();
      try {
        const reply = await fetch(url, { headers: { accept: 'text/html' } });
        await reply.arrayBuffer();
        if (reply.status !== 200) fail(String(reply.status));
      } catch (error) {
        fail((error as NodeJS.ErrnoException).code ?? 'error');
      }
      const elapsed = performance.now() - started;
      latencies.push(elapsed);
      if (running) await new Promise((resolve) => setTimeout(resolve, Math.max(0, REFRESH_MS - elapsed)));
    }
  };
  const all = Promise.all(Array.from({ length: clients }, client));
  return {
    /** stops them; answers their requests' count, p99 (ms) and failures by status */
    async stop() {
      running = false;
      await all;
      latencies.sort((a, b) => a - b);
      return { requests: latencies.length, p99: percentile(latencies, 99), failures };
    },
  };
}

export type Refreshes = Awaited<ReturnType<ReturnType<typeof refreshingClients>['stop']>>;

/** The deadline-day rows: the rush with the page load beside it, against the rush alone in the same run. */
export function deadlineDayRows(
  alone: { p99: number; receipts: number },
  mixed: { p99: number; receipts: number; readBack: number },
  pages: Refreshes,
  bidders: number,
): Row[] {
  const ratio = mixed.p99 / alone.p99;
  const failed = [...pages.failures].map(([status, n]) => `${status}: ${n}`).join(', ');
  return [
    ['deadline day: rush alone, bid p99', `${alone.p99.toFixed(0)} ms (${alone.receipts} of ${bidders} receipts)`, ''],
    [
      `deadline day: rush beside ${REFRESHING_CLIENTS} clients refreshing /recruitments/:id every second, bid p99`,
      `${mixed.p99.toFixed(0)} ms, ${ratio.toFixed(2)}× alone`,
      `<= 1.2×${ratio <= 1.2 ? ' (met)' : ' (NOT met)'}`,
    ],
    [
      'deadline day: receipts, read back',
      `${mixed.receipts} of ${bidders}, ${mixed.readBack} read back`,
      `${bidders} of ${bidders}${mixed.receipts === bidders && mixed.readBack === bidders ? ' (met)' : ' (NOT met)'}`,
    ],
    ['deadline day: page refreshes during the rush', `${pages.requests}, p99 ${pages.p99.toFixed(0)} ms${failed ? `, failed ${failed}` : ''}`, ''],
  ];
}
