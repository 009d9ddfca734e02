import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

// A throwaway PostgreSQL cluster of the fault tests' own (they restart it): initdb and pg_ctl run
// as the postgres user, on a port in 54400–54499 and a socket folder under /tmp, removed after.
// The roles are those of README "Database roles": portal_owner migrates, portal (in portal_app)
// is the server's. Commands run asynchronously: the tests' clients keep going during a restart.

const PG_BIN = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

/** PostgreSQL's binaries are here and we may act as the postgres user (CI runs as root) */
export const canRunPostgres = existsSync(path.join(PG_BIN, 'initdb')) && process.getuid?.() === 0;

export interface PostgresCluster {
  port: number;
  /** `pg_ctl restart -m <mode>`: every connection is cut, new ones refused until it is back */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args]);

export async function startCluster(): Promise<PostgresCluster> {
  const dir = mkdtempSync('/tmp/portal-faults-pg-');
  const { uid, gid } = postgresUser();
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  let port = 0;
  for (let attempt = 0; port === 0; attempt++) {
    const candidate = 54400 + Math.floor(Math.random() * 100);
    const options = `-c listen_addresses=127.0.0.1 -c port=${candidate} -k ${dir} -c fsync=off`;
    try {
      await asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', options, 'start']);
      port = candidate;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  const psql = (database: string, statement: string) =>
    asPostgres('psql', ['-q', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-c', statement]);
  await psql('postgres', 'CREATE ROLE portal_owner LOGIN CREATEDB; CREATE ROLE portal_app NOLOGIN; CREATE ROLE portal LOGIN IN ROLE portal_app;');
  return {
    port,
    async restart(mode) {
      await asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-m', mode, 'restart']);
    },
    async destroy() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database owned by portal_owner on the cluster at `port`: a server's DATABASE_OWNER_URL and DATABASE_URL. */
export async function createDatabase(port: number): Promise<{ DATABASE_OWNER_URL: string; DATABASE_URL: string }> {
  const url = (role: string, database: string) => `postgres://${role}@127.0.0.1:${port}/${database}`;
  const name = `portal_faults_${randomBytes(4).toString('hex')}`;
  const owner = new pg.Client({ connectionString: url('portal_owner', 'postgres') });
  await owner.connect();
  try {
    await owner.query(`create database ${name}`);
  } finally {
    await owner.end();
  }
  return { DATABASE_OWNER_URL: url('portal_owner', name), DATABASE_URL: url('portal', name) };
}

function postgresUser(): { uid: number; gid: number } {
  const line = /^postgres:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
  if (!line) throw new Error('no postgres user on this machine');
  return { uid: Number(line[1]), gid: Number(line[2]) };
}
