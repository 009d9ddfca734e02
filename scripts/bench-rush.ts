import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mapLimit } from '../test/helpers/bid-burst.ts';
import {
  api,
  bidFields,
  postBid,
  publishRecruitment,
  registerOrganization,
  type KeyHolders,
  type Receipt,
  type ServerProcess,
  type StoredReceipt,
  type UploadFile,
} from '../test/helpers/server-process.ts';
import type { FloorRound } from './bench-floor.ts';
import { log, median, memoryOf, percentile, postgresCpuSeconds, resetPeakMemory, seconds, serverCpuSeconds, type Row } from './bench-figures.ts';

// The deadline rush of `npm run bench` (its part 2): RUSH_BIDDERS organisations, each submitting
// one bid of RUSH_FILE at once, against the server — one process, WEB_CONCURRENCY=BENCH_WORKERS
// workers, or BENCH_INSTANCES servers the bidders alternate between — and then checked against
// what the server holds, after a warm-up of WARM_UP_BIDS bids on another recruitment. Its p99 is
// set beside `npm run bench:floor`'s, measured after it in the same run (issue 16: within 1.5× of
// the floor).

export const RUSH_BIDDERS = Number(process.env.RUSH_BIDDERS ?? 500);
export const RUSH_FILE = 200 * 1024;
// registration and sign-in hash with argon2: more at once than cores only queues in the server
const SEED_CONCURRENCY = 4;
const WARM_UP_BIDS = Math.min(100, RUSH_BIDDERS);
// several connections at once, so that the primary of WEB_CONCURRENCY hands them to every worker
const WARM_UP_CONCURRENCY = 8;
export const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
export const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
/** what serves the rush, in words */
const SERVING = [INSTANCES > 1 ? `${INSTANCES} instances` : '', WORKERS > 1 ? `${WORKERS} workers${INSTANCES > 1 ? ' each' : ''}` : ''].filter(Boolean).join(' of ') || 'one process';
const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(0)} MB`;

interface RushResult {
  ms: number;
  status: string;
  receipt: Receipt | null;
  token: string;
}

export async function registerBidders(servers: ServerProcess[], storage: string) {
  log(`registering ${RUSH_BIDDERS} organisations (${SEED_CONCURRENCY} at a time)`);
  const seedStarted = performance.now();
  // behind a round-robin load balancer the registrations alternate too, which warms every instance alike
  const bidders = await mapLimit(Array.from({ length: RUSH_BIDDERS }), SEED_CONCURRENCY, (_, index) =>
    registerOrganization(servers[index % servers.length]!.url, storage),
  );
  return { bidders, seedSeconds: seconds(seedStarted) };
}

/**
 * The rush on a new recruitment, by the `registered` organisations (else new ones); `beside`,
 * given the recruitment, starts a load that runs during the bids and answers how to stop it.
 */
export async function deadlineRush(
  servers: ServerProcess[],
  holders: KeyHolders,
  storage: string,
  { registered, beside }: { registered?: Awaited<ReturnType<typeof registerBidders>>; beside?: (recruitmentId: string) => () => void } = {},
) {
  const server = servers[0]!;
  const recruitmentId = await publishRecruitment(server.url, holders);
  const { bidders, seedSeconds } = registered ?? (await registerBidders(servers, storage));
  const document = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(RUSH_FILE - 9)]);

  // On deadline day the server has taken bids for weeks: the rush should not pay for compiling the
  // bid path, as bench:floor's median round does not. Bids on another recruitment warm every process.
  const warmUp = await publishRecruitment(server.url, holders);
  log(`warming up: ${WARM_UP_BIDS} bids on another recruitment, ${WARM_UP_CONCURRENCY} at a time`);
  await mapLimit(bidders.slice(0, WARM_UP_BIDS), WARM_UP_CONCURRENCY, async ({ token }, index) => {
    const file: UploadFile = { filename: 'bid.pdf', size: document.length, content: [document] };
    const reply = await postBid(servers[index % servers.length]!.url, token, warmUp, bidFields('arts'), [file]).response;
    if (reply.status !== 201) throw new Error(`a warm-up bid answered ${reply.status}: ${reply.body}`);
  });

  log(`${RUSH_BIDDERS} bids of ${RUSH_FILE / 1024} KB at once`);
  resetPeakMemory(servers);
  const serverBefore = serverCpuSeconds(servers);
  const postgresBefore = postgresCpuSeconds();
  const clientBefore = process.cpuUsage();
  const stopBeside = beside?.(recruitmentId);
  const rushStarted = performance.now();
  const results = await Promise.all(
    bidders.map(async ({ token }, index): Promise<RushResult> => {
      const started = performance.now();
      const file: UploadFile = { filename: 'bid.pdf', size: document.length, content: [document] };
      try {
        const reply = await postBid(servers[index % servers.length]!.url, token, recruitmentId, bidFields('arts'), [file]).response;
        const receipt = reply.status === 201 ? (JSON.parse(reply.body) as Receipt) : null;
        return { ms: performance.now() - started, status: String(reply.status), receipt, token };
      } catch (error) {
        return { ms: performance.now() - started, status: (error as NodeJS.ErrnoException).code ?? String(error), receipt: null, token };
      }
    }),
  );
  const rushSeconds = seconds(rushStarted);
  stopBeside?.();
  const { peak } = memoryOf(servers);
  const clientUsage = process.cpuUsage(clientBefore);
  // where the machine's CPU time went during the rush
  const cpu = {
    server: serverCpuSeconds(servers) - serverBefore,
    postgres: postgresCpuSeconds() - postgresBefore,
    client: (clientUsage.user + clientUsage.system) / 1e6,
  };

  // receipts against what the server holds: sealed files on disk, and each receipt read back
  const receipts = results.filter((r): r is RushResult & { receipt: Receipt } => r.receipt !== null);
  const sealed = readdirSync(path.join(storage, 'bids', recruitmentId)).filter((name) => name.endsWith('.sealed')).length;
  const matching = await mapLimit(receipts, 16, async ({ receipt, token }) => {
    const stored = await api<StoredReceipt>(server.url, `/api/v1/bids/${receipt.bidId}`, { token });
    return stored.digest === receipt.digest && stored.fileCount === receipt.files.length;
  });
  const failures = new Map<string, number>();
  for (const { status } of results) if (status !== '201') failures.set(status, (failures.get(status) ?? 0) + 1);
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    seedSeconds,
    rushSeconds,
    peak,
    cpu,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    receipts: receipts.length,
    sealed,
    readBack: matching.filter(Boolean).length,
    failures,
    // the primary of WEB_CONCURRENCY says so on its standard error when a worker dies (server/cluster.ts)
    workersDied: servers.reduce((total, instance) => total + (instance.output().match(/工作进程 \d+ (意外)?退出/g)?.length ?? 0), 0),
  };
}

export function rushRows(rush: Awaited<ReturnType<typeof deadlineRush>>, floor: FloorRound[]): Row[] {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const perBid = (cpuSeconds: number) => `${((1000 * cpuSeconds) / RUSH_BIDDERS).toFixed(1)} ms`;
  const floorP99 = median(floor.map((round) => round.p99));
  return [
    [`rush: seeding ${RUSH_BIDDERS} organisations`, `${rush.seedSeconds.toFixed(1)} s`, ''],
    ['rush: wall time', `${rush.rushSeconds.toFixed(2)} s, server peak RSS ${mb(rush.peak)}${SERVING !== 'one process' ? ` (the largest of ${SERVING})` : ''}`, ''],
    [
      'rush: CPU time per bid',
      `server (${SERVING}) ${perBid(rush.cpu.server)}, PostgreSQL ${rush.cpu.postgres > 0 ? perBid(rush.cpu.postgres) : '- (not local)'}, this client ${perBid(rush.cpu.client)}`,
      '',
    ],
    ['rush latency p50 / p95', `${ms(rush.p50)} / ${ms(rush.p95)}`, ''],
    ['rush latency p99 / max', `${ms(rush.p99)} / ${ms(rush.max)}`, 'p99 <= 2 s'],
    ['rush receipts (201)', `${rush.receipts} of ${RUSH_BIDDERS}`, ''],
    ['rush bids stored (.sealed files)', String(rush.sealed), '= receipts'],
    ['rush receipts read back, same digest', String(rush.readBack), '= receipts'],
    ['rush lost receipts', String(rush.receipts - rush.readBack), '0'],
    ...(WORKERS > 1 ? [['rush: workers that died', String(rush.workersDied), '0'] satisfies Row] : []),
    [`rush floor p99 (bench:floor, same run; rounds)`, `${ms(floorP99)} (${floor.map((round) => ms(round.p99)).join(', ')}; median)`, ''],
    ['rush p99 / floor p99', (rush.p99 / floorP99).toFixed(2), '<= 1.5'],
    ['rush failures by status', rush.failures.size === 0 ? 'none' : [...rush.failures].map(([s, n]) => `${s}: ${n}`).join(', '), ''],
  ];
}
