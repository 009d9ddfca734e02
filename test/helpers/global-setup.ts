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
import { APP_ROLE, createDatabase, MIGRATIONS_DIR } from '../../server/db/client.ts';

const TEST_APP_ROLE = 'portal_test_app';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a migrated data directory dump every test app starts from */
    pgliteTemplate: string;
    /** PostgreSQL: a migrated database every test database is copied from */
    postgresTemplate: string;
    /** PostgreSQL: the tables' owner, who creates, migrates and drops the test databases */
    postgresOwnerUrl: string;
    /** PostgreSQL: the role the test apps work as, a member of portal_app */
    postgresAppUrl: string;
  }
}

// Migrating a fresh database once and copying it per test file keeps the suite fast on both
// engines: a new PGlite takes seconds to initialise, a copy of a dump well under one.
export default async function setup(project: TestProject) {
  // the start-up and kill tests run the server as `npm start` does: from its bundle
  await buildServer();
  const url = process.env.DATABASE_URL;
  if (url) {
    // As `npm start` with both settings (.ci/run): DATABASE_OWNER_URL owns and migrates,
    // DATABASE_URL is the app's role. With DATABASE_URL alone (a superuser, say), it owns, and
    // the apps work as a login role of portal_app made here.
    const ownerUrl = process.env.DATABASE_OWNER_URL ?? url;
    const name = `portal_template_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ownerUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const templateUrl = withDatabase(ownerUrl, name);
    const database = await createDatabase({ url: templateUrl, dataDir: null });
    await database.migrate();
    await database.close();
    let appUrl = url;
    if (!process.env.DATABASE_OWNER_URL) {
      await admin.query(`do $$ begin
        create role ${TEST_APP_ROLE} login in role ${APP_ROLE};
      exception when duplicate_object or unique_violation then null;
      end $$`);
      const parsed = new URL(url);
      parsed.username = TEST_APP_ROLE;
      parsed.password = '';
      appUrl = parsed.toString();
    }
    project.provide('postgresTemplate', name);
    project.provide('postgresOwnerUrl', ownerUrl);
    project.provide('postgresAppUrl', appUrl);
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
  project.provide('postgresOwnerUrl', '');
  project.provide('postgresAppUrl', '');
  return () => rmSync(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
