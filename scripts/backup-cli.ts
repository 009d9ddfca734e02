import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BackupError } from '../server/backup/manifest.ts';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { createDatabase, type Database } from '../server/db/client.ts';
import { PROJECT_ROOT } from '../server/paths.ts';
import { createStorage, StorageInUseError, type Storage } from '../server/lib/storage.ts';

// What `npm run backup` and `npm run restore` share: the folder argument, the configuration the
// server uses (DATABASE_URL, DATABASE_OWNER_URL, STORAGE_DIR), the embedded database's lock, and
// exit codes an operator's script can tell apart.

export const EXIT = { done: 0, failed: 1, usage: 2, refused: 3 } as const;

export const portalVersion = (): string =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function folderArgument(command: string): string {
  const folder = process.argv[2];
  if (!folder || process.argv.length > 3) {
    console.error(`用法：npm run ${command} -- 目录`);
    process.exit(EXIT.usage);
  }
  return path.resolve(folder);
}

export interface Target {
  config: Config;
  storage: Storage;
  database: Database;
  close(): Promise<void>;
}

/**
 * Opens the storage and database the configuration names. The embedded database is one process's:
 * with PGlite this takes the storage's lock, and refuses while a server holds it.
 */
export async function openTarget(doing: string): Promise<Target> {
  // a backup holds the signing key and every sealed bid: readable by this user only
  process.umask(0o077);
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(EXIT.usage);
  }
  const storage = createStorage(config.storageDir, config.objectStorage);
  let release: (() => Promise<void>) | null = null;
  if (!config.databaseUrl) {
    try {
      release = await storage.claimForThisProcess(new Date(), (error) => {
        console.error(`存储目录的锁已失效，${doing}中止：`, error.message);
        process.exit(EXIT.failed);
      });
    } catch (error) {
      if (!(error instanceof StorageInUseError)) throw error;
      const holder = error.holder;
      console.error(
        `存储目录 STORAGE_DIR（${storage.root}）正由另一个进程使用${holder ? `（PID ${holder.pid}，主机 ${holder.hostname}，自 ${holder.since} 起）` : ''}：` +
          `内置数据库只能由一个进程打开，服务器运行时不能${doing}。请先停止服务器（SIGTERM），${doing}后再启动；不能停机时请改用 PostgreSQL。`,
      );
      process.exit(EXIT.refused);
    }
  }
  const database = await createDatabase({ url: config.databaseUrl, ownerUrl: config.databaseOwnerUrl, dataDir: storage.databaseDir });
  return {
    config,
    storage,
    database,
    close: async () => {
      await database.close();
      await release?.();
    },
  };
}

/** Reports a failure with its exit code: refused (nothing written), or failed. */
export function fail(doing: string, error: unknown): never {
  if (error instanceof BackupError) {
    console.error(`${doing}${error.refused ? '被拒绝' : '失败'}：${error.message}`);
    process.exit(error.refused ? EXIT.refused : EXIT.failed);
  }
  console.error(`${doing}失败：`, error);
  process.exit(EXIT.failed);
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
