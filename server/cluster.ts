import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.ts';

// WEB_CONCURRENCY=N (README "Settings"): the server as N worker processes sharing one port
// (node:cluster; the primary accepts the connections and hands them round to the workers). Each
// worker is a whole server, as each instance of docs/deploy.md "Several instances" is, on the same
// PostgreSQL and storage; the primary serves nothing itself. The first worker starts alone — it
// migrates, creates the first administrator and the development signing certificate — and the
// others once it listens, so that nothing is made twice; its start banner is printed once, by the
// primary, when all of them listen.

/** how long a stop waits for the requests under way: a 50 MB bid on a slow line fits */
export const STOP_GRACE_MS = 2 * 60 * 1000;

/** a worker that dies is forked again after a delay that doubles while workers keep dying young */
export const RESTARTS = { firstDelayMs: 500, maxDelayMs: 15_000, fastCrashMs: 30_000, giveUpAfter: 5 } as const;

export type Restart = { fastCrashes: number; delayMs: number } | 'give up';

/**
 * What the primary does when a worker died after living `livedMs`, `fastCrashes` workers in a row
 * having died within RESTARTS.fastCrashMs of their start before it: fork another after `delayMs`,
 * or give up (at the RESTARTS.giveUpAfter-th fast crash in a row: something at start is broken).
 */
export function afterCrash(livedMs: number, fastCrashes: number): Restart {
  if (livedMs >= RESTARTS.fastCrashMs) return { fastCrashes: 0, delayMs: RESTARTS.firstDelayMs };
  const count = fastCrashes + 1;
  if (count >= RESTARTS.giveUpAfter) return 'give up';
  return { fastCrashes: count, delayMs: Math.min(RESTARTS.firstDelayMs * 2 ** (count - 1), RESTARTS.maxDelayMs) };
}

interface Listening {
  kind: 'portal:listening';
  banner: string[];
}

const isListening = (message: unknown): message is Listening =>
  typeof message === 'object' && message !== null && (message as Listening).kind === 'portal:listening';

/** The start banner: printed by the server alone; a worker hands it to the primary, which prints it once. */
export function announce(lines: string[]) {
  if (cluster.isWorker) process.send!({ kind: 'portal:listening', banner: lines } satisfies Listening);
  else console.log(`${lines.join('\n')}\n`);
}

/** The primary of WEB_CONCURRENCY workers: forks them, forks again those that die, stops them on SIGTERM or SIGINT. */
export function runPrimary(config: Config) {
  const bornAt = new Map<Worker, number>();
  const up = new Set<Worker>();
  const restarts = new Set<NodeJS.Timeout>();
  let banner: string[] | null = null;
  let printed = false;
  let fastCrashes = 0;
  let stopping = false;
  let stopCode = 0;

  const fork = () => {
    // PORT=0 was made a free port by the primary's configuration: every worker listens on that one
    const worker = cluster.fork({ PORT: String(config.port) });
    bornAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (!isListening(message) || stopping) return;
      up.add(worker);
      if (banner === null) {
        banner = message.banner;
        for (let i = 1; i < config.workers; i++) fork();
      }
      if (!printed && up.size === config.workers) {
        printed = true;
        const pids = [...up].map((each) => each.process.pid).join('、');
        console.log(`${[...banner, `  工作进程：${config.workers} 个（WEB_CONCURRENCY），共用端口 ${config.port}；主进程 PID ${process.pid}，工作进程 PID ${pids}`].join('\n')}\n`);
      }
    });
  };

  const remaining = () => Object.keys(cluster.workers ?? {}).length;

  const stop = (code: number) => {
    stopping = true;
    stopCode = Math.max(stopCode, code);
    for (const timer of restarts) clearTimeout(timer);
    restarts.clear();
    if (remaining() === 0) process.exit(stopCode);
    // each worker refuses new connections, lets its requests under way finish, then exits
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_GRACE_MS + 10_000).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    const livedMs = Date.now() - bornAt.get(worker)!;
    bornAt.delete(worker);
    up.delete(worker);
    if (stopping) {
      stopCode = Math.max(stopCode, code === 0 ? 0 : 1);
      if (remaining() === 0) process.exit(stopCode);
      return;
    }
    // the first worker did not start (a refusal it printed): the server does not start
    if (banner === null) {
      stop(code || 1);
      return;
    }
    const next = afterCrash(livedMs, fastCrashes);
    if (next === 'give up') {
      console.error(`工作进程 ${worker.process.pid} 退出（${signal ?? code}）：已连续 ${RESTARTS.giveUpAfter} 个工作进程在启动后 ${RESTARTS.fastCrashMs / 1000} 秒内退出，主进程不再重启，停止全部工作进程后退出。`);
      stop(1);
      return;
    }
    fastCrashes = next.fastCrashes;
    console.error(`工作进程 ${worker.process.pid} 意外退出（${signal ?? code}），${next.delayMs / 1000} 秒后重启。`);
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, next.delayMs);
    restarts.add(timer);
  });

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  fork();
}
