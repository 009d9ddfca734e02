import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database, Db } from '../db/client.ts';
import { bidFiles, bids, bidVersions, documents, restorePending } from '../db/schema.ts';
import { createAuditService } from '../domain/audit/service.ts';
import type { Clock } from '../lib/clock.ts';
import type { Storage } from '../lib/storage.ts';
import { bidsAgainstAuditLog } from './bids-check.ts';
import { loadTables, migrationState, tablesInUse } from './database-dump.ts';
import { BackupError, checkStored, measure, measureBuffer, readManifest, type BackedUpFile, type Manifest } from './manifest.ts';

// A restore goes into an empty database and an empty storage only: the backup's files are checked
// against its manifest first, then the rows are loaded in one transaction together with a marker
// (restore_pending) the server refuses to start with, then the files are written through the
// Storage interface, read back and checked again, and the audit chain is verified. Only then is
// the marker removed. A restore that fails leaves the marker: the target must be emptied and the
// restore run again.

export type RestoreStorage = Pick<
  Storage,
  'saveSealedBidFile' | 'saveDocument' | 'readSealedBidFile' | 'readDocument' | 'listSealedBidFiles' | 'listCheckpoints' | 'readSecretFile' | 'createSecretFile'
>;

export interface RestoreReport {
  manifest: Manifest;
  rows: number;
  filesVerified: number;
  bytes: number;
  audit: { entries: number; head: string };
}

/** The backup's manifest, every file of the folder checked against it: before anything is written. */
export async function checkedBackup(folder: string): Promise<Manifest> {
  const manifest = await readManifest(folder);
  for (const file of [...manifest.tables, ...manifest.secrets, ...manifest.files]) {
    const problem = await checkStored(folder, file);
    if (problem) throw new BackupError(`${problem}：备份已损坏或被改动，未恢复任何数据`, true);
  }
  return manifest;
}

async function requireEmptyTarget(db: Db, storage: RestoreStorage) {
  const used = await tablesInUse(db);
  if (used.length > 0) throw new BackupError(`目标数据库不为空（表 ${used.slice(0, 5).join('、')}${used.length > 5 ? ' 等' : ''} 中已有数据）：只能恢复到新建的空数据库`, true);
  const [pending] = await db.select({ source: restorePending.source }).from(restorePending);
  if (pending) throw new BackupError(`目标数据库中有一次未完成核验的恢复（来自 ${pending.source}）：请删除并重建该数据库后再恢复`, true);
  const stored = (await storage.listSealedBidFiles()).length + (await storage.listCheckpoints()).length;
  if (stored > 0) throw new BackupError(`目标存储目录不为空（已有 ${stored} 个投标文件或检查点文件）：只能恢复到空的存储目录`, true);
}

async function restoreFile(storage: RestoreStorage, folder: string, file: BackedUpFile) {
  if (file.kind === 'bid') {
    await storage.saveSealedBidFile(file.recruitmentId, file.fileId, createReadStream(path.join(folder, file.path)), []);
    return;
  }
  const [, recruitmentId, documentId] = /^(?:documents\/([0-9a-f-]{36})|checkpoints)\/([0-9a-f-]{36})\.pdf$/.exec(file.storageName)!;
  const name = await storage.saveDocument(recruitmentId ?? null, documentId!, await readFile(path.join(folder, file.path)));
  if (name !== file.storageName) throw new BackupError(`文件 ${file.storageName} 被存储为 ${name}：与数据库记载的名称不同`);
}

/** The problems found reading every restored file back from storage, and the restored rows' files against the manifest. */
async function verifyFiles(db: Db, storage: RestoreStorage, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  for (const file of manifest.files) {
    const found =
      file.kind === 'bid'
        ? await storage.readSealedBidFile(file.recruitmentId, file.fileId).then(measure).catch(() => null)
        : await storage.readDocument(file.storageName).then(measureBuffer, () => null);
    if (!found) problems.push(`存储中缺少 ${file.path}`);
    else if (found.sha256 !== file.sha256 || found.size !== file.size) problems.push(`存储中的 ${file.path} 与 manifest.json 不符`);
  }
  const inManifest = new Set(manifest.files.map((file) => (file.kind === 'bid' ? `${file.recruitmentId}/${file.fileId}` : file.storageName)));
  const sealed = await db
    .select({ recruitmentId: bids.recruitmentId, fileId: bidFiles.id })
    .from(bidFiles)
    .innerJoin(bidVersions, eq(bidVersions.id, bidFiles.versionId))
    .innerJoin(bids, eq(bids.id, bidVersions.bidId));
  for (const file of sealed) if (!inManifest.has(`${file.recruitmentId}/${file.fileId}`)) problems.push(`数据库记载的投标文件 ${file.recruitmentId}/${file.fileId} 不在备份中`);
  for (const { storageName } of await db.select({ storageName: documents.storageName }).from(documents)) {
    if (!inManifest.has(storageName)) problems.push(`数据库记载的文件 ${storageName} 不在备份中`);
  }
  return problems;
}

export async function restoreBackup(options: {
  database: Database;
  storage: RestoreStorage;
  folder: string;
  /** from checkedBackup(folder) */
  manifest: Manifest;
  clock: Clock;
  /** the fingerprint of the certificate that signs documents, read once the secrets are restored */
  certificateFingerprint: () => string;
}): Promise<RestoreReport> {
  const { database, storage, folder, manifest, clock } = options;
  await database.migrate();
  return database.asOwner(async (db) => {
    const migration = await migrationState(db);
    if (migration.count !== manifest.migration.count || migration.hash !== manifest.migration.hash) {
      throw new BackupError(
        `备份时数据库处于迁移 ${manifest.migration.tag}（平台版本 ${manifest.portalVersion}），本版本为 ${migration.tag}：请用与备份相同的平台版本恢复，再升级`,
        true,
      );
    }
    await requireEmptyTarget(db, storage);
    const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
    await db.transaction(async (tx) => {
      await loadTables(tx, folder, manifest.tables);
      await tx.insert(restorePending).values({ source: path.resolve(folder), takenAt: new Date(manifest.takenAt), startedAt: clock.realNow() });
    });
    for (const secret of manifest.secrets) {
      const content = await readFile(path.join(folder, secret.path));
      if (!storage.createSecretFile(secret.name, content) && !storage.readSecretFile(secret.name)?.equals(content)) {
        throw new BackupError(`目标存储目录中已有不同的 ${secret.name}：只能恢复到空的存储目录`);
      }
    }
    for (const file of manifest.files) await restoreFile(storage, folder, file);

    const problems = await verifyFiles(db, storage, manifest);
    const audit = createAuditService({ db, clock, storage, certificateFingerprint: options.certificateFingerprint() });
    const chain = await audit.verifyChain();
    problems.push(...chain.problems);
    // the log is the one thing a forger cannot rewrite unseen: the receipts it records must all be here
    if (chain.problems.length === 0) problems.push(...(await bidsAgainstAuditLog(db)));
    if (chain.entries !== manifest.audit.entries || chain.head !== manifest.audit.head) {
      problems.push(`恢复后操作日志共 ${chain.entries} 条、链头 ${chain.head}，与 manifest.json 记载的 ${manifest.audit.entries} 条、${manifest.audit.head} 不符`);
    }
    if (problems.length > 0) throw new BackupError(`恢复后的核验未通过，服务器不会在此数据上启动：\n  - ${problems.join('\n  - ')}`);
    await db.delete(restorePending);
    return {
      manifest,
      rows,
      filesVerified: manifest.files.length,
      bytes: manifest.files.reduce((sum, file) => sum + file.size, 0),
      audit: { entries: chain.entries, head: chain.head },
    };
  });
}

/** The restore a database is still waiting to verify, for the server to refuse to start on it. */
export async function unverifiedRestore(db: Db): Promise<{ source: string; startedAt: Date } | null> {
  const [pending] = await db.select({ source: restorePending.source, startedAt: restorePending.startedAt }).from(restorePending);
  return pending ?? null;
}
