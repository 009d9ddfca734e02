import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { childPids } from '../test/helpers/server-process.ts';

// What the benchmarks share: the table they print (label / figure / goal) and the arithmetic and
// /proc readings behind its figures.

export type Row = [label: string, figure: string, goal: string];

export const log = (line: string) => console.log(`[bench] ${line}`);
export const seconds = (since: number) => (performance.now() - since) / 1000;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** CPU seconds the process has used so far, user and system, from /proc (proc(5): utime, stime). */
export function cpuSecondsOf(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return { user: Number(fields[11]) / ticksPerSecond, system: Number(fields[12]) / ticksPerSecond };
}

/** a server's processes: itself and, with WEB_CONCURRENCY, its workers */
export const processesOf = (servers: { pid: number }[]) => servers.flatMap(({ pid }) => [pid, ...childPids(pid)]);

/** The largest resident memory now, and the largest peak since the last reset, of the servers' processes, from /proc. */
export function memoryOf(servers: { pid: number }[]) {
  const figures = processesOf(servers).map((pid) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const bytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    return { rss: bytes('VmRSS'), peak: bytes('VmHWM') };
  });
  return { rss: Math.max(...figures.map((each) => each.rss)), peak: Math.max(...figures.map((each) => each.peak)) };
}

/** Resets the servers' processes' peak RSS (VmHWM) to their current RSS (proc(5), clear_refs "5"). */
export function resetPeakMemory(servers: { pid: number }[]) {
  for (const pid of processesOf(servers)) writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** CPU seconds the servers' processes have used so far, user and system together. */
export function serverCpuSeconds(servers: { pid: number }[]): number {
  return processesOf(servers).reduce((total, pid) => {
    const { user, system } = cpuSecondsOf(pid);
    return total + user + system;
  }, 0);
}

/** CPU seconds of every process of the user postgres on this machine (a local PostgreSQL), or 0. */
export function postgresCpuSeconds(): number {
  const pids = spawnSync('pgrep', ['-u', 'postgres']).stdout?.toString().split('\n').filter(Boolean) ?? [];
  let total = 0;
  for (const pid of pids) {
    try {
      const { user, system } = cpuSecondsOf(Number(pid));
      total += user + system;
    } catch {
      // the process ended since pgrep listed it
    }
  }
  return total;
}
