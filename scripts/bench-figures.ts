import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

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
