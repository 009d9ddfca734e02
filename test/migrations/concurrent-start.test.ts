import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../server/db/client.ts';
import { withDatabase } from '../helpers/global-setup.ts';

// Several instances may start at once on one PostgreSQL (a rolling restart, a second instance).
// Migrations run under an advisory lock: the first migrates, the others wait and find nothing
// left to do. Without it one of them failed with `CREATE TYPE "public"."role" … already exists`.
// PostgreSQL only: PGlite is the single-process embedded database (CI runs the suite on both).

describe.runIf(process.env.DATABASE_URL)('instances starting together on an empty database', () => {
  it('all migrate it without error, and it is migrated once', async () => {
    const ownerUrl = inject('postgresOwnerUrl');
    const name = `portal_concurrent_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ownerUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const instances = await Promise.all(
        Array.from({ length: 3 }, () =>
          createDatabase({ url: withDatabase(inject('postgresAppUrl'), name), ownerUrl: withDatabase(ownerUrl, name), dataDir: null }),
        ),
      );
      const outcomes = await Promise.allSettled(instances.map((instance) => instance.migrate()));
      await Promise.all(instances.map((instance) => instance.close()));
      expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      const check = new pg.Client({ connectionString: withDatabase(ownerUrl, name) });
      await check.connect();
      const { rows } = await check.query('select count(*)::int as n, count(distinct hash)::int as distinct_n from drizzle.__drizzle_migrations');
      await check.end();
      expect(rows[0].n).toBe(rows[0].distinct_n);
      expect(rows[0].n).toBeGreaterThan(10);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 60_000);
});
