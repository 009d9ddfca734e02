import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { PROJECT_ROOT } from '../../server/paths.ts';
import { ALL_DECLARED } from './multipart.ts';
import { VERIFICATION_SUBJECT } from './organizations.ts';
import { linkTokenInOutbox } from './outbox-links.ts';
import { organizationInput } from './uscc.ts';

// The real server as a child process, seeded and fed over HTTP only, for the kill test and the
// benchmark. It runs the bundle `npm start` runs (built by the test set-up, or by the benchmark),
// under node itself: the child's pid is the server's own, so a SIGKILL really kills the server
// and /proc/<pid> shows the server's memory.

/** node's arguments in `npm start` (its command after the build), so tests run what users run */
export const SERVER_ARGS = startArguments();

function startArguments(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = scripts.start.split('&&').at(-1)!.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start should end by running node: ${scripts.start}`);
  return args.map((arg) => (arg.startsWith('-') ? arg : path.join(PROJECT_ROOT, arg)));
}

export const ADMIN = { email: 'admin@example.org', password: 'admin-password-1' };
const REQUEST_TIMEOUT_MS = 60_000;

export interface ServerProcess {
  pid: number;
  url: string;
  output(): string;
  /** how the process ended, or null while it runs */
  ended(): string | null;
  /** SIGKILL, as a crash or the OOM killer would: no shutdown code runs */
  kill(): Promise<void>;
  /** SIGTERM: the server closes cleanly */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** the pids of a process's children (a WEB_CONCURRENCY primary's workers), from /proc (proc(5): stat's 4th field) */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [, parent] = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(parent) === pid) children.push(Number(entry));
    } catch {
      // the process ended since /proc was listed
    }
  }
  return children.sort((a, b) => a - b);
}

/** Kills every server still running; for afterAll and the benchmark's exit paths. */
export function killAllServers() {
  for (const child of running) child.kill('SIGKILL');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the server on the embedded database and resolves once its start banner is printed;
 * `nodeArgs` go before `npm start`'s own (e.g. --cpu-prof, which NODE_OPTIONS may not carry).
 */
export function startServer(env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, ...SERVER_ARGS], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /访问地址：(http:\/\/\S+?)\/\s/.exec(output)?.[1];
      if (url && output.includes('\n\n', output.indexOf('访问地址'))) {
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          url,
          output: () => output,
          ended: () => (child.exitCode ?? child.signalCode) === null ? null : `exited with ${child.exitCode ?? child.signalCode}`,
          kill: () => {
            child.kill('SIGKILL');
            return exited(child);
          },
          stop: () => {
            child.kill('SIGTERM');
            return exited(child);
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code ?? signal}:\n${output}`));
    });
  });
}

/** A JSON API call that must succeed; answers the parsed reply. */
export async function api<T>(url: string, route: string, options: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const response = await fetch(`${url}${route}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export type TestClockChange = { now: string } | { advanceMs: number };

/** Moves the clock of a server started with PORTAL_TEST_CLOCK=1; answers its new time. */
export function setTestClock(url: string, change: TestClockChange) {
  return api<{ now: string }>(url, '/api/v1/_test/clock', { body: change });
}

export async function login(url: string, credentials: { email: string; password: string }): Promise<string> {
  return (await api<{ token: string }>(url, '/api/v1/auth/login', { body: credentials })).token;
}

export interface KeyHolders {
  agentToken: string;
  inspectorToken: string;
  inspectorId: string;
}

/** the opening passphrase seedKeyHolders gives a holder */
export const openingPassphrase = (role: 'agent' | 'inspector') => `${role} opening passphrase`;

/** An agent and an inspector, each with an opening passphrase, created by the admin. */
export async function seedKeyHolders(url: string): Promise<KeyHolders> {
  const adminToken = await login(url, ADMIN);
  const holders = await Promise.all(
    (['agent', 'inspector'] as const).map(async (role) => {
      const user = { email: `${role}@example.org`, name: `${role} ${randomBytes(2).toString('hex')}`, role, password: `${role}-password-1` };
      const { id } = await api<{ id: string }>(url, '/api/v1/users', { token: adminToken, body: user });
      const token = await login(url, user);
      await api(url, '/api/v1/me/opening-key', { method: 'PUT', token, body: { passphrase: openingPassphrase(role) } });
      return { id, token };
    }),
  );
  return { agentToken: holders[0]!.token, inspectorToken: holders[1]!.token, inspectorId: holders[1]!.id };
}

/** the keys of the lots publishRecruitment makes: `arts`, `sports`, then `lot3` … */
export const lotKeys = (count: number) => ['arts', 'sports', ...Array.from({ length: count - 2 }, (_, i) => `lot${i + 3}`)];

/** A published recruitment with the lots `arts` and `sports` (and `lot3` … up to `lotCount`), taking bids for 30 days (or until `submissionDeadline`). */
export async function publishRecruitment(url: string, holders: KeyHolders, lotCount = 2, submissionDeadline = new Date(Date.now() + 30 * DAY_MS)): Promise<string> {
  const names: Record<string, string> = { arts: '文艺演出', sports: '体育组织' };
  const draft = {
    title: '浙江省职工服务中心社会化运营合作伙伴招募',
    owner: '浙江省职工服务中心',
    lots: lotKeys(lotCount).map((key) => ({ key, name: names[key] ?? `服务项目 ${key}`, quota: key === 'arts' ? 3 : 2 })),
    criteria: [
      { key: 'plan', name: '公益服务方案', maxScore: 30 },
      { key: 'ability', name: '资质与专业能力', maxScore: 20 },
      { key: 'record', name: '业绩与信誉', maxScore: 20 },
      { key: 'share', name: '公益名额比例', maxScore: 15 },
      { key: 'revenue', name: '合作与收益方案', maxScore: 15 },
    ],
    agreementTermMonths: 36,
    submissionDeadline: submissionDeadline.toISOString(),
    decisionRef: '浙职服〔2026〕12 号 党委会议纪要',
  };
  const { id } = await api<{ id: string }>(url, '/api/v1/recruitments', { token: holders.agentToken, body: draft });
  await api(url, `/api/v1/recruitments/${id}/publish`, { token: holders.agentToken, body: { inspectorId: holders.inspectorId } });
  return id;
}

/**
 * Registers a new organisation, follows the verification link mailed to it (read from the
 * server's outbox under `storageDir`) and answers its credentials and an API token.
 */
export async function registerOrganization(url: string, storageDir: string) {
  const organization = organizationInput();
  await api(url, '/api/v1/organizations', { body: organization });
  const token = await linkTokenInOutbox(path.join(storageDir, 'outbox'), organization.email, VERIFICATION_SUBJECT);
  await api(url, '/api/v1/auth/verify-email', { body: { token } });
  const credentials = { email: organization.email, password: organization.password };
  return { ...credentials, token: await login(url, credentials) };
}

export const bidFields = (lot: string) => ({ lot, publicBenefitRatio: '25', declarations: ALL_DECLARED, summary: '公益服务方案' });

export interface UploadFile {
  filename: string;
  /** must be the exact number of bytes `content` yields: it goes into Content-Length */
  size: number;
  content: AsyncIterable<Buffer> | Iterable<Buffer>;
}

/** the receipt answered to a submission */
export interface Receipt {
  bidId: string;
  version: number;
  receivedAt: string;
  files: { name: string; size: number; sha256: string }[];
  digest: string;
  salt: string;
}

/** the receipt read back later (GET /api/v1/bids/:id): the files are sealed until the opening */
export interface StoredReceipt {
  bidId: string;
  version: number;
  receivedAt: string;
  fileCount: number;
  files: Receipt['files'] | null;
  digest: string;
}

export interface Upload {
  /** body bytes handed to the socket so far */
  sent(): number;
  /** the server's answer; rejects when the connection breaks first */
  response: Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;
}

/** A PDF of `size` bytes whose stream stops after `before` bytes until `resume` settles. */
export function stalledPdf(size: number, before: number, resume: Promise<void>): UploadFile {
  const MiB = 1024 * 1024;
  const chunk = randomBytes(MiB);
  async function* content() {
    yield Buffer.from('%PDF-1.7\n');
    let sent = 9;
    while (sent < size) {
      if (sent >= before) await resume;
      const next = chunk.subarray(0, Math.min(MiB, size - sent));
      sent += next.length;
      yield next;
    }
  }
  return { filename: 'large.pdf', size, content: content() };
}

/**
 * POSTs a bid as a streaming multipart request over node:http, pulling each file's bytes only as
 * the socket takes them, so a caller controls the timing and nothing is held in memory.
 */
export function postBid(url: string, token: string, recruitmentId: string, fields: Record<string, string>, files: UploadFile[]): Upload {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const fieldPart = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join(''),
  );
  const fileHead = (file: UploadFile) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="documents"; filename="${file.filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
    );
  const crlf = Buffer.from('\r\n');
  const closing = Buffer.from(`--${boundary}--\r\n`);
  const length =
    fieldPart.length + files.reduce((sum, file) => sum + fileHead(file).length + file.size + crlf.length, 0) + closing.length;

  let sent = 0;
  async function* body() {
    const counted = (chunk: Buffer) => {
      sent += chunk.length;
      return chunk;
    };
    yield counted(fieldPart);
    for (const file of files) {
      yield counted(fileHead(file));
      for await (const chunk of file.content) yield counted(chunk);
      yield counted(crlf);
    }
    yield counted(closing);
  }

  const response = new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(`${url}/api/v1/recruitments/${recruitmentId}/bids`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': length,
      },
      signal: AbortSignal.timeout(5 * REQUEST_TIMEOUT_MS),
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
      // an answer cut off half-way (the server killed while answering) is no answer
      res.on('close', () => res.complete || reject(new Error('the answer was cut off')));
    });
    // the server may die after the whole body was sent, when the pipeline no longer listens: the
    // request's own error settles it (a promise settles once, so a later error changes nothing)
    req.on('error', reject);
    pipeline(Readable.from(body()), req).catch(reject);
  });
  return { sent: () => sent, response };
}
