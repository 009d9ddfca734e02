import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { buildServer } from '../../scripts/build.ts';
import { createDatabase, MIGRATIONS_DIR } from '../../server/db/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a migrated data directory dump every test app starts from */
    pgliteTemplate: string;
    /** PostgreSQL: a migrated database every test database is copied from */
    postgresTemplate: string;
  }
}

// Migrating a fresh database once and copying it per test file keeps the suite fast on both
// engines: a new PGlite takes seconds to initialise, a copy of a dump well under one.
export default async function setup(project: TestProject) {
  // the start-up and kill tests run the server as `npm start` does: from its bundle
  await buildServer();
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `portal_template_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const templateUrl = withDatabase(url, name);
    const database = await createDatabase({ url: templateUrl, dataDir: null });
    await database.migrate();
    await database.close();
    project.provide('postgresTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'portal-template-'));
  const client = new PGlite();
  await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  const file = path.join(dir, 'pglite.tar');
  const dump = await client.dumpDataDir('none');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  project.provide('pgliteTemplate', file);
  project.provide('postgresTemplate', '');
  return () => rmSync(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
