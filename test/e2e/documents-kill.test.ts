import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../helpers/global-setup.ts';
import { api, killAllServers, login, publishRecruitment, seedKeyHolders, setTestClock, startServer } from '../helpers/server-process.ts';

// Two server processes on one PostgreSQL and one storage (issue 13). The one that commits the
// opening's sign-off is SIGKILLed right after answering, while it produces the opening record (or
// before): the other one's periodic sweep issues the record — once — without any restart.

const folders: string[] = [];
afterAll(() => {
  killAllServers();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe.runIf(process.env.DATABASE_URL)('the instance that signed off the opening, killed', () => {
  it('leaves its opening record to the other instance’s sweep: one row, its file stored', async () => {
    const ownerUrl = inject('postgresOwnerUrl');
    const name = `portal_docs_kill_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ownerUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const storage = mkdtempSync(path.join(tmpdir(), 'portal-docs-kill-'));
    folders.push(storage);
    const env = {
      STORAGE_DIR: storage,
      DATABASE_OWNER_URL: withDatabase(ownerUrl, name),
      DATABASE_URL: withDatabase(inject('postgresAppUrl'), name),
      PORTAL_TEST_CLOCK: '1',
    };
    try {
      const first = await startServer({ ...env, DOCUMENT_SWEEP_S: '3600' });
      const second = await startServer({ ...env, DOCUMENT_SWEEP_S: '1' });
      const holders = await seedKeyHolders(first.url);
      const inspectorToken = await login(first.url, { email: 'inspector@example.org', password: 'inspector-password-1' });
      const id = await publishRecruitment(first.url, holders);
      const { submissionDeadline, bidKeyFingerprint } = await api<{ submissionDeadline: string; bidKeyFingerprint: string }>(
        first.url,
        `/api/v1/recruitments/${id}`,
      );
      const afterDeadline = new Date(Date.parse(submissionDeadline) + 1000).toISOString();
      for (const server of [first, second]) await setTestClock(server.url, { now: afterDeadline });
      const opening = `/api/v1/recruitments/${id}/opening`;
      await api(first.url, `${opening}/start`, { token: holders.agentToken, body: {} });
      await api(first.url, `${opening}/attend`, { token: inspectorToken, body: {} });
      await api(first.url, `${opening}/unlock`, { token: holders.agentToken, body: { passphrase: 'agent opening passphrase', bidKeyFingerprint } });
      await api(first.url, `${opening}/unlock`, { token: inspectorToken, body: { passphrase: 'inspector opening passphrase', bidKeyFingerprint } });
      await api(first.url, `${opening}/sign-off`, { token: inspectorToken, body: { comment: '开标程序合规' } });
      await first.kill();

      const database = new pg.Client({ connectionString: withDatabase(ownerUrl, name) });
      await database.connect();
      try {
        const records = async () =>
          (await database.query(`select storage_name from documents where recruitment_id = $1 and kind = 'opening_record'`, [id])).rows as {
            storage_name: string;
          }[];
        // the dead holder's claim (if it had taken it) runs out after CLAIM_LEASE_S (30 s)
        await expect.poll(records, { timeout: 60_000, interval: 500 }).toHaveLength(1);
        const [record] = await records();
        expect(existsSync(path.join(storage, record!.storage_name))).toBe(true);
        expect(second.ended()).toBeNull();
      } finally {
        await database.end();
      }
      await second.stop();
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 180_000);
});
