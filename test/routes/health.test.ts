import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// What a load balancer asks an instance (issue 13): /healthz, the process answers; /readyz, it
// can serve — the database answers as the server's own role, the schema is current, the storage
// takes a file.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const get = (url: string) => t.app.inject({ url });

describe('health checks', () => {
  it('/healthz answers while the process runs', async () => {
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is ready with the database current and the storage writable', async () => {
    const response = await get('/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', storage: 'ok' } });
  });

  it('/readyz answers 503 with Retry-After while a migration is missing', async () => {
    const [last] = await t.rawRows('select id, hash, created_at from drizzle.__drizzle_migrations order by id desc limit 1');
    await t.rawSql(`delete from drizzle.__drizzle_migrations where id = ${Number(last?.id)}`);
    try {
      const response = await get('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toMatchObject({ status: 'not_ready', checks: { database: 'ok', storage: 'ok' } });
      expect(response.json().checks.migrations).toContain('缺少 1 个迁移');
    } finally {
      await t.rawSql(`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${Number(last?.id)}, '${String(last?.hash)}', ${String(last?.created_at)})`);
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('/readyz answers 503 while a restore under it has not verified the database', async () => {
    await t.rawSql(`insert into restore_pending (source, taken_at, started_at) values ('/backups/x', now(), now())`);
    try {
      const response = await get('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.json().checks.database).toContain('正在从备份恢复');
    } finally {
      await t.rawSql('delete from restore_pending');
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('/readyz answers 503 while the storage cannot take a file', async () => {
    // root ignores file modes: a file where the temporary folder should be stops every write
    const tmp = path.join(t.storageDir, 'tmp');
    renameSync(tmp, `${tmp}.away`);
    writeFileSync(tmp, 'not a folder');
    try {
      const response = await get('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toMatchObject({ database: 'ok', migrations: 'ok', storage: expect.stringContaining('不可写') });
    } finally {
      rmSync(tmp);
      renameSync(`${tmp}.away`, tmp);
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });
});
