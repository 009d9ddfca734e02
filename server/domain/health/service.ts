import { unverifiedRestore } from '../../backup/restore.ts';
import { pendingMigrations, type Db } from '../../db/client.ts';
import type { Storage } from '../../lib/storage.ts';

// What a load balancer or an orchestrator asks before sending an instance requests: is the
// process up (liveness), and can it serve — database reachable, schema current, storage writable
// (readiness). Each check says what is wrong, in the words an operator reads in a log.

export type HealthService = ReturnType<typeof createHealthService>;

export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string; storage: string };
}

export function createHealthService({ db, storage }: { db: Db; storage: Pick<Storage, 'probeWritable'> }) {
  async function readiness(): Promise<Readiness> {
    const checks = { database: 'ok', migrations: 'ok', storage: 'ok' };
    try {
      const pending = await pendingMigrations(db);
      if (pending > 0) checks.migrations = `数据库缺少 ${pending} 个迁移（较新版本的实例须先完成迁移）`;
      // an instance already running while a backup is restored under it must not serve the rows
      // before the restore has verified them
      if (await unverifiedRestore(db)) checks.database = '数据库正在从备份恢复，校验完成前不可用';
    } catch {
      checks.database = '数据库不可用';
      checks.migrations = '数据库不可用，无法检查';
    }
    try {
      await storage.probeWritable();
    } catch {
      checks.storage = '存储目录不可写（磁盘已满或无权限）';
    }
    return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
  }

  return { readiness };
}
