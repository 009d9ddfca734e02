import { spawnSync } from 'node:child_process';
import type { App } from '../server/app.ts';
import type { AdjustableClock } from '../server/lib/clock.ts';

// What the demo's parts share (scripts/demo.ts and the partnership's year after the award): the
// API call as a client makes it, deterministic numbers, and pdfsig's count of valid signatures.

export const DAY = 24 * 60 * 60 * 1000;
export const HOUR = 60 * 60 * 1000;

/** A deterministic number in [0, 1) for a few integers (a small integer hash). */
export function noise(...values: number[]): number {
  let h = 2166136261;
  for (const value of values) h = Math.imul(h ^ (value + 0x9e3779b9), 16777619) >>> 0;
  return (h % 10_000) / 10_000;
}

/** A seeded pseudo-random generator (mulberry32): the same sequence on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const halfPoints = (value: number, max: number) => Math.min(max, Math.max(0, Math.round(value * 2) / 2));

export type Call = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: object) => Promise<T>;

/** A JSON call of the API as a client makes it, throwing on anything but success. */
export function apiCaller(app: App): Call {
  return async <T>(method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: object): Promise<T> => {
    const response = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
    });
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json<T>();
  };
}

/** The award's side of the case the partnership's part continues from. */
export interface DemoCase {
  app: App;
  clock: AdjustableClock;
  call: Call;
  step: (text: string) => void;
  recruitmentId: string;
  agent: string;
  inspector: string;
  organizations: { name: string; token: string }[];
}

export const hasPdfsig = () => !spawnSync('pdfsig', ['-v'], { encoding: 'utf8' }).error;

/** How many signatures pdfsig reports valid in the file. */
export function validSignatures(file: string): number {
  const report = spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
  return report.split('Signature is Valid.').length - 1;
}
