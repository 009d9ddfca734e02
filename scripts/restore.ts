import { checkedBackup, restoreBackup } from '../server/backup/restore.ts';
import { createClock } from '../server/lib/clock.ts';
import { loadSigner } from '../server/lib/signing-key.ts';
import { EXIT, fail, folderArgument, megabytes, openTarget } from './backup-cli.ts';

// npm run restore -- DIR: into an empty database (DATABASE_URL, or the embedded one) and an empty
// STORAGE_DIR, verified before the server may start on it (README, "Backup and restore").
// Exit 0 restored and verified, 1 failed (the server refuses this target), 2 usage, 3 refused.

const folder = folderArgument('restore');
const started = performance.now();
// the backup is checked before the target is opened: a damaged one leaves nothing behind
const manifest = await checkedBackup(folder).catch((error: unknown) => fail('恢复', error));
const target = await openTarget('恢复');
const clock = createClock();
let failure: unknown = null;
try {
  const report = await restoreBackup({
    database: target.database,
    storage: target.storage,
    folder,
    manifest,
    clock,
    certificateFingerprint: () =>
      loadSigner({ p12Path: target.config.signingP12, password: target.config.signingP12Password, storage: target.storage, now: clock.now() }).certificate.fingerprint,
  });
  console.log(
    [
      `恢复完成并已核验：${folder} → ${target.database.engine === 'pglite' ? `内置数据库（${target.storage.databaseDir}）` : 'PostgreSQL'}`,
      `  数据库快照：${report.manifest.takenAt}，${report.manifest.tables.length} 张表 ${report.rows} 行`,
      `  文件：${report.filesVerified} 个（投标文件 ${manifest.files.filter((file) => file.kind === 'bid').length} 个）从存储逐一读回，SHA-256 与大小均与 manifest.json 一致，共 ${megabytes(report.bytes)}`,
      `  操作日志：${report.audit.entries} 条，链头 ${report.audit.head}（与 manifest.json 一致）`,
      `  用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒。现在可以启动服务器（npm start）。`,
    ].join('\n'),
  );
} catch (error) {
  failure = error;
}
await target.close();
if (failure) fail('恢复', failure);
process.exit(EXIT.done);
