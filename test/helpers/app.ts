import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createDatabase, type Database, type Tx } from '../../server/db/client.ts';
import type { Role } from '../../server/db/schema.ts';
import { createAdjustableClock, type AdjustableClock } from '../../server/lib/clock.ts';
import { createMailer, type Mailer } from '../../server/lib/mailer.ts';
import { createDevelopmentCertificate, createP12Signer, type Signer } from '../../server/lib/signing.ts';
import { createStorage, type Storage } from '../../server/lib/storage.ts';
import { withDatabase } from './global-setup.ts';

export interface TestApp {
  app: App;
  database: Database;
  clock: AdjustableClock;
  storageDir: string;
  /** PostgreSQL: the URL the app connects with (its restricted role); null on PGlite */
  appDatabaseUrl: string | null;
  /** runs statements in one transaction as the database owner would, behind the application's back */
  rawSql(...statements: string[]): Promise<void>;
  /** reads rows with plain SQL, as someone holding the database would */
  rawRows(query: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface TestDatabase {
  /** as the app works: its restricted role */
  database: Database;
  appUrl: string | null;
  /** runs a statement as the owner of the tables */
  asOwner<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  drop: () => Promise<void>;
}

async function openTestDatabase(): Promise<TestDatabase> {
  if (process.env.DATABASE_URL) {
    const ownerUrl = inject('postgresOwnerUrl');
    const name = `portal_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ownerUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
    const appUrl = withDatabase(inject('postgresAppUrl'), name);
    const database = await createDatabase({ url: appUrl, ownerUrl: withDatabase(ownerUrl, name), dataDir: null });
    const owner = await createDatabase({ url: withDatabase(ownerUrl, name), dataDir: null });
    return {
      database,
      appUrl,
      asOwner: (work) => owner.db.transaction(work),
      drop: async () => {
        await owner.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dump = new Blob([readFileSync(inject('pgliteTemplate'))]);
  const database = await createDatabase({ url: null, dataDir: null, loadDataDir: dump });
  return {
    database,
    appUrl: null,
    // PGlite's one session is its superuser's, working as portal_app: this transaction sets it aside
    asOwner: (work) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`set local role none`);
        return work(tx);
      }),
    drop: async () => {},
  };
}

/** PostgreSQL: a pool of its own on the first app's database; PGlite: its one in-process database */
async function openSharedDatabase(first: TestApp): Promise<TestDatabase> {
  if (!first.appDatabaseUrl) {
    return { database: first.database, appUrl: null, asOwner: () => Promise.reject(new Error('use the first app')), drop: async () => {} };
  }
  const database = await createDatabase({ url: first.appDatabaseUrl, dataDir: null });
  return { database, appUrl: first.appDatabaseUrl, asOwner: () => Promise.reject(new Error('use the first app')), drop: () => database.close() };
}

let signer: Signer | null = null;

/** one development certificate per test process: generating an RSA key pair costs time */
export function testSigner(): Signer {
  signer ??= createP12Signer(
    createDevelopmentCertificate({ centre: '职工服务中心', password: 'test', notBefore: new Date('2025-01-01T00:00:00Z') }).p12,
    'test',
  );
  return signer;
}

/** The app on a migrated database of its own, a temp storage folder and an adjustable clock. */
export async function createTestApp(
  env: Record<string, string> = {},
  deps: {
    signer?: Signer;
    /** wraps the storage, as a failing disk would */
    storage?: (storage: Storage) => Storage;
    /** wraps the mailer, as a crash around a delivery would */
    mailer?: (mailer: Mailer) => Mailer;
    /**
     * a second server process on the first one's database, storage and clock, as a second instance
     * behind a load balancer or the same one after a restart: it shares nothing in memory with the
     * first (closing it leaves them)
     */
    sharing?: TestApp;
  } = {},
): Promise<TestApp> {
  const storageDir = deps.sharing?.storageDir ?? mkdtempSync(path.join(tmpdir(), 'portal-test-'));
  const config = loadConfig({ STORAGE_DIR: storageDir, PORTAL_TEST_CLOCK: '1', ...env });
  const { database, appUrl, asOwner, drop } = deps.sharing ? await openSharedDatabase(deps.sharing) : await openTestDatabase();
  if (!deps.sharing) await database.migrate();
  // one machine's time: a second instance reads the first one's clock
  const clock = deps.sharing?.clock ?? createAdjustableClock();
  const baseStorage = createStorage(storageDir);
  const storage = deps.storage?.(baseStorage) ?? baseStorage;
  const mailer = deps.mailer?.(createMailer(config, storage, () => {}));
  const app = await buildApp({ config, db: database.db, clock, storage, signer: deps.signer ?? testSigner(), ...(mailer ? { mailer } : {}) });
  await app.ready();
  return {
    app,
    database,
    clock,
    storageDir,
    appDatabaseUrl: appUrl,
    rawSql: async (...statements) => {
      await asOwner(async (tx) => {
        for (const statement of statements) await tx.execute(sql.raw(statement));
      });
    },
    rawRows: async (query) => {
      // both drivers answer { rows }; drizzle types the result per driver
      const result = (await asOwner((tx) => tx.execute(sql.raw(query)))) as unknown as { rows: Record<string, unknown>[] };
      return result.rows;
    },
    close: async () => {
      await app.close();
      if (deps.sharing) return drop();
      await database.close();
      await drop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

export interface TestUser {
  id: string;
  role: Role;
  email: string;
  password: string;
  name: string;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Creates a staff user directly through the service (no HTTP), as an admin would. */
export async function createStaff(
  { app }: TestApp,
  role: Exclude<Role, 'bidder'>,
  extra: { specialties?: string[]; affiliationUscc?: string } = {},
): Promise<TestUser> {
  const email = `${role}-${unique()}@example.org`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const name = `${role} ${unique()}`;
  const user = await app.services.accounts.createUser({ email, name, role, password, ...extra }, null, { ip: 'test' });
  return { id: user.id, role, email, password, name };
}

export async function apiToken({ app }: TestApp, user: { email: string; password: string }): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: user });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return response.json<{ token: string }>().token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
