import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../helpers/global-setup.ts';
import { SERVER_ARGS } from '../helpers/server-process.ts';

// Starts the real entry point (the bundle `npm start` runs, built by the test set-up) as a separate process.

const running = new Set<ChildProcess>();
const folders: string[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, SERVER_ARGS, {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /访问地址：(http:\/\/\S+?)\/\s/.exec(output)?.[1];
      if (url && output.includes('\n\n', output.indexOf('访问地址'))) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function apiLogin(url: string, email: string, password: string) {
  return fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

async function pageLogin(url: string, email: string, password: string) {
  const form = await fetch(`${url}/login`);
  const csrfCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  return fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
}

describe('npm start on the embedded database', () => {
  it('creates the admin once, prints how to sign in, and keeps the data across restarts', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'portal-start-'));
    folders.push(storage);
    const env = { STORAGE_DIR: storage, DATABASE_URL: '' };

    const first = await start(env);
    expect(first.output()).toContain('内置 PGlite');
    expect(first.output()).toContain('admin@portal.local');
    const password = /初始密码（只显示这一次，请立即记录）：(\S+)/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    expect((await apiLogin(first.url, 'admin@portal.local', password!)).status).toBe(200);
    // started on PORT=0, its links (here the feed's) name the port it took
    expect(await (await fetch(`${first.url}/recruitments/feed.atom`)).text()).toContain(`<id>${first.url}/recruitments</id>`);
    const page = await pageLogin(first.url, 'admin@portal.local', password!);
    expect(page.status).toBe(303);
    expect(page.headers.getSetCookie().join()).toContain('portal_session=');
    expect(await stop(first.child)).toBe(0);

    const second = await start(env);
    expect(second.output()).toContain('管理员账号已存在');
    expect(second.output()).not.toContain('初始密码');
    expect((await apiLogin(second.url, 'admin@portal.local', password!)).status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it('refuses to start with the test clock in production', async () => {
    await expect(start({ NODE_ENV: 'production', PORTAL_TEST_CLOCK: '1', STORAGE_DIR: tmpdir() })).rejects.toThrow(
      /exited with 1[\s\S]*PORTAL_TEST_CLOCK=1 不能与 NODE_ENV=production 同时使用/,
    );
  });
});

describe.runIf(process.env.DATABASE_URL)('npm start on PostgreSQL', () => {
  it('migrates an empty database as its owner, works as the restricted role, creates the configured admin, and survives lost connections', async () => {
    const url = inject('postgresOwnerUrl');
    const name = `portal_start_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const storage = mkdtempSync(path.join(tmpdir(), 'portal-start-'));
    folders.push(storage);
    try {
      const server = await start({
        STORAGE_DIR: storage,
        DATABASE_OWNER_URL: withDatabase(url, name),
        DATABASE_URL: withDatabase(inject('postgresAppUrl'), name),
        ADMIN_EMAIL: 'chief@example.org',
        ADMIN_PASSWORD: 'chief-password-1',
      });
      expect(server.output()).toContain('数据库：PostgreSQL');
      expect(server.output()).not.toContain('服务器的数据库角色拥有操作日志表');
      // the entries of an opening are encrypted with a secret kept in the storage folder
      expect(server.output()).toContain('未设置 ENTERED_SHARE_SECRET');
      expect(server.output()).toContain('chief@example.org');
      expect((await apiLogin(server.url, 'chief@example.org', 'chief-password-1')).status).toBe(200);
      // as when PostgreSQL restarts: every connection of the pool is cut
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.child.exitCode).toBeNull();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await apiLogin(server.url, 'chief@example.org', 'chief-password-1')).status);
      expect(statuses.at(-1)).toBe(200);
      expect(await stop(server.child)).toBe(0);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});

describe('the bundle npm start runs', () => {
  it('loads what it imports on first use (the PDF layer, the signature) from its chunks', async () => {
    const dist = path.dirname(path.resolve(SERVER_ARGS.at(-1)!));
    const exported = await Promise.all(
      readdirSync(path.join(dist, 'chunks')).map(async (file) => Object.keys(await import(pathToFileURL(path.join(dist, 'chunks', file)).href))),
    );
    expect(exported.flat()).toEqual(expect.arrayContaining(['renderDocument', 'signPdf']));
  });
});
