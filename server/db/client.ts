import path from 'node:path';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';
import { PROJECT_ROOT } from '../paths.ts';

/** One type for both engines: services never know which one they run on. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  readonly db: Db;
  readonly engine: 'postgres' | 'pglite';
  /** applies the migrations as the owner of the tables (see DatabaseOptions.ownerUrl) */
  migrate(): Promise<void>;
  /**
   * Whether the connection the server works on could alter the audit log: it owns audit_log (and
   * so could disable its trigger) or may update, delete or truncate it.
   */
  canAlterAuditLog(): Promise<boolean>;
  /**
   * Runs `work` on one session as the tables' owner (the migrating role): backup and restore
   * read and write every table, the audit log included, which the server's role may not.
   */
  asOwner<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** the role migration 0017 grants the server's rights to: insert into and read the audit log only */
export const APP_ROLE = 'portal_app';

const CAN_ALTER_AUDIT_LOG = sql`select pg_has_role(current_user, (select tableowner from pg_tables where schemaname = 'public' and tablename = 'audit_log'), 'USAGE')
  or has_table_privilege(current_user, 'public.audit_log', 'UPDATE, DELETE, TRUNCATE') as "canAlter"`;

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

// connection exceptions (08…), the server shutting down or starting (57P01–57P03), and the
// socket-level failures of a connection that is gone
const UNAVAILABLE_CODES = new Set(['08000', '08003', '08006', '08001', '08004', '57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether an error means the database cannot be reached now (restarting, connection cut), as
 * opposed to a query it refused: the request may be tried again in a moment.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    // pg's words for a connection that is gone (a rollback after it is lost says the second)
    if (/^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable)$/.test(cause.message)) return true;
  }
  return false;
}

let expectedMigrations: number | undefined;

/**
 * How many of the project's migrations the database lacks (0 when it is current), for the
 * readiness check: an instance of a newer version must not take requests on an older schema.
 */
export async function pendingMigrations(db: Db): Promise<number> {
  // the files do not change while the process runs
  expectedMigrations ??= readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).length;
  const expected = expectedMigrations;
  const result = (await db.execute(sql`select count(*)::int as applied from drizzle.__drizzle_migrations`)) as unknown as {
    rows: { applied: number }[];
  };
  return Math.max(0, expected - (result.rows[0]?.applied ?? 0));
}

/** the session-level advisory lock migrations run under ('migr'), apart from the other locks */
const MIGRATION_LOCK = 0x6d696772;

export interface DatabaseOptions {
  /** postgres:// URL the server works on; null → embedded PGlite */
  url: string | null;
  /**
   * postgres:// URL of the tables' owner, used only to migrate; null → `url` migrates (its user
   * then owns audit_log, protected by the trigger alone, and the server warns)
   */
  ownerUrl?: string | null;
  /** PGlite data folder; null → in memory */
  dataDir: string | null;
  /** a PGlite data directory dump to start from (tests start from a migrated template) */
  loadDataDir?: Blob;
  onPoolError?: (error: Error) => void;
}

async function canAlterAuditLog(db: Db): Promise<boolean> {
  const result = (await db.execute(CAN_ALTER_AUDIT_LOG)) as unknown as { rows: { canAlter: boolean }[] };
  return result.rows[0]?.canAlter ?? true;
}

// Each engine's driver is imported only when it is used: a server on PostgreSQL does not carry
// PGlite's code in its memory, nor the embedded one the pg driver's.
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
      import('pg'),
      import('drizzle-orm/node-postgres'),
      import('drizzle-orm/node-postgres/migrator'),
    ]);
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    // Without a listener an idle client's error (e.g. PostgreSQL restarting) crashes the process;
    // with it, the request in flight fails and the next one gets a fresh connection.
    pool.on('error', (error) => options.onPoolError?.(error));
    // …and a checked-out client's (a connection cut mid-transaction): the transaction fails with
    // the error, which must not also be thrown as an event no one listens to
    pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
    const db = drizzlePg(pool, { schema });
    const ownerUrl = options.ownerUrl;
    return {
      db,
      engine: 'postgres',
      migrate: async () => {
        // one session of its own, holding the lock: instances starting together migrate in turn,
        // and those after the first find nothing left to do; ending the session releases it
        const session = new pg.Client({ connectionString: ownerUrl ?? options.url ?? '' });
        await session.connect();
        try {
          await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
          await migratePg(drizzlePg(session, { schema }), { migrationsFolder: MIGRATIONS_DIR });
        } finally {
          await session.end();
        }
      },
      canAlterAuditLog: () => canAlterAuditLog(db),
      asOwner: async (work) => {
        // a pool of its own: `work` may run queries side by side (the audit verification does)
        const owner = new pg.Pool({ connectionString: ownerUrl ?? options.url ?? '', max: 4 });
        try {
          return await work(drizzlePg(owner, { schema }));
        } finally {
          await owner.end();
        }
      },
      close: () => pool.end(),
    };
  }
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const client = new PGlite({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  return {
    db,
    engine: 'pglite',
    // PGlite has one connection, as its superuser: it migrates, then works as the app role for
    // the rest of the session. Whoever holds the data folder holds the database anyway; the
    // role keeps the server's own statements to the same rights as on PostgreSQL.
    migrate: async () => {
      await client.exec('reset role');
      await migratePglite(db, { migrationsFolder: MIGRATIONS_DIR });
      await client.exec(`set role ${APP_ROLE}`);
    },
    canAlterAuditLog: () => canAlterAuditLog(db),
    asOwner: async (work) => {
      await client.exec('reset role');
      try {
        return await work(db);
      } finally {
        await client.exec(`set role ${APP_ROLE}`);
      }
    },
    close: () => client.close(),
  };
}
