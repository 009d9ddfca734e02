import { takeBackup } from '../server/backup/backup.ts';
import { EXIT, fail, folderArgument, megabytes, openTarget, portalVersion } from './backup-cli.ts';

// npm run backup -- DIR: a consistent snapshot of the database and of the files it names (README,
// "Backup and restore"). Exit 0 done, 1 failed (no manifest written), 2 usage, 3 refused.

const folder = folderArgument('backup');
const started = performance.now();
const target = await openTarget('备份');
let failure: unknown = null;
try {
  const manifest = await takeBackup({ database: target.database, storage: target.storage, folder, portalVersion: portalVersion(), now: () => new Date() });
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  const bytes = [...manifest.tables, ...manifest.files, ...manifest.secrets].reduce((sum, file) => sum + file.size, 0);
  console.log(
    [
      `备份完成：${folder}`,
      `  数据库快照：${manifest.takenAt}（${manifest.engine}，迁移 ${manifest.migration.tag}），${manifest.tables.length} 张表 ${rows} 行`,
      `  文件：${manifest.files.length} 个（投标文件 ${manifest.files.filter((file) => file.kind === 'bid').length} 个），共 ${megabytes(bytes)}`,
      `  操作日志：${manifest.audit.entries} 条，链头 ${manifest.audit.head}`,
      `  用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒`,
    ].join('\n'),
  );
} catch (error) {
  failure = error;
}
await target.close();
if (failure) fail('备份', failure);
process.exit(EXIT.done);
