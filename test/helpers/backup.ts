import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../server/backup/manifest.ts';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { PROJECT_ROOT } from '../../server/paths.ts';
import { api, login, setTestClock } from './server-process.ts';

// `npm run backup` and `npm run restore` as an operator runs them (the scripts under tsx), and an
// opening driven over HTTP, for the backup tests.

export interface CommandRun {
  code: number | null;
  output: string;
  ms: number;
}

export function runCommand(command: 'backup' | 'restore', folder: string, env: Record<string, string>): Promise<CommandRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', `${command}.ts`), folder], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, ms: performance.now() - started })));
}

export const readBackupManifest = (folder: string) => JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as Manifest;

export interface OpeningLine {
  bidId: string;
  digest: string;
  recomputedDigest: string;
  digestVerified: boolean;
}

/**
 * Takes the recruitment through its opening on a server started with PORTAL_TEST_CLOCK=1: the
 * clock past the deadline, the agent starts, the inspector attends, both key holders unlock (the
 * passwords and passphrases of seedKeyHolders). Answers the opening record.
 */
export async function openBids(url: string, recruitmentId: string): Promise<OpeningLine[]> {
  await setTestClock(url, { advanceMs: 31 * DAY_MS });
  const [agent, inspector] = await Promise.all(
    (['agent', 'inspector'] as const).map((role) => login(url, { email: `${role}@example.org`, password: `${role}-password-1` })),
  );
  const { bidKeyFingerprint } = await api<{ bidKeyFingerprint: string }>(url, `/api/v1/recruitments/${recruitmentId}`);
  await api(url, `/api/v1/recruitments/${recruitmentId}/opening/start`, { token: agent, body: {} });
  await api(url, `/api/v1/recruitments/${recruitmentId}/opening/attend`, { token: inspector, body: {} });
  await api(url, `/api/v1/recruitments/${recruitmentId}/opening/unlock`, { token: agent, body: { passphrase: 'agent opening passphrase', bidKeyFingerprint } });
  const opened = await api<{ phase: string; record: OpeningLine[] }>(url, `/api/v1/recruitments/${recruitmentId}/opening/unlock`, {
    token: inspector,
    body: { passphrase: 'inspector opening passphrase', bidKeyFingerprint },
  });
  if (opened.phase !== 'opened') throw new Error(`the opening did not open: ${JSON.stringify(opened)}`);
  return opened.record;
}
