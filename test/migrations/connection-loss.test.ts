import pg from 'pg';
import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase, isDatabaseUnavailable } from '../../server/db/client.ts';
import { createTestApp } from '../helpers/app.ts';

// PostgreSQL restarting under write load killed the portal (issue 13): a connection cut while a
// client was checked out emitted an 'error' no one listened to. Now the work in flight fails
// cleanly and the next succeeds. PostgreSQL only: PGlite has no connection to lose (CI runs the
// suite on both).

describe.runIf(process.env.DATABASE_URL)('a database connection cut in the middle of a transaction', () => {
  it('fails that transaction only; the process lives on and the next query succeeds on a new connection', async () => {
    const t = await createTestApp();
    const admin = new pg.Client({ connectionString: inject('postgresOwnerUrl') });
    await admin.connect();
    const errors: Error[] = [];
    const database = await createDatabase({ url: t.appDatabaseUrl, dataDir: null, onPoolError: (error) => errors.push(error) });
    try {
      const outcome = await database.db
        .transaction(async (tx) => {
          const { rows } = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] };
          // as `pg_ctl restart -m fast` does to every backend
          await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
          await new Promise((resolve) => setTimeout(resolve, 100));
          await tx.execute(sql`select 1`);
        })
        .then(
          () => 'committed',
          (error: unknown) => (isDatabaseUnavailable(error) ? 'unavailable' : String(error)),
        );
      expect(outcome).toBe('unavailable');
      const after = (await database.db.execute(sql`select 1 as one`)) as unknown as { rows: unknown[] };
      expect(after.rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
      await admin.end();
      await t.close();
    }
  }, 60_000);
});
