import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditLog, bidFiles, bids, bidVersions, documents, restorePending } from '../db/schema.ts';
import { GENESIS_HASH } from '../domain/audit/chain.ts';
import type { Storage } from '../lib/storage.ts';
import { dumpTables, migrationState } from './database-dump.ts';
import { backupPath, BackupError, MANIFEST, FORMAT, measureBuffer, measuring, SECRET_FILES, type BackedUpFile, type Manifest } from './manifest.ts';

// A consistent snapshot: the database first, read in one REPEATABLE READ READ ONLY transaction,
// then the files that snapshot names, read through the Storage interface (whatever backs it), then
// manifest.json. Files named by a committed bid are never removed (bids/service.ts), so each one
// the snapshot names is in storage; one missing fails the backup, which then writes no manifest.

export type BackupStorage = Pick<Storage, 'readSealedBidFile' | 'readDocument' | 'readSecretFile'>;

/** the folder must be new or empty: a backup never mixes with another's files */
export async function prepareFolder(folder: string) {
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) throw new BackupError(`备份目录 ${folder} 不为空：请指定一个新的或空的目录`, true);
  for (const sub of ['', 'database', 'files', 'secrets']) await mkdir(path.join(folder, sub), { recursive: true, mode: 0o700 });
}

/** The snapshot: every table, and what the files and the manifest need from the same moment. */
async function snapshotDatabase(database: Database, folder: string, now: () => Date) {
  return database.asOwner((db) =>
    db.transaction(
      async (tx) => {
        const migration = await migrationState(tx);
        if (migration.count === 0) throw new BackupError('数据库尚未初始化（没有已应用的迁移）：没有可备份的数据', true);
        const [pending] = await tx.select({ source: restorePending.source }).from(restorePending);
        if (pending) throw new BackupError(`数据库正从备份 ${pending.source} 恢复，尚未通过核验：不能备份未核验的数据`, true);
        const takenAt = now();
        const tables = await dumpTables(tx, folder);
        const [head] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
        const sealed = await tx
          .select({ recruitmentId: bids.recruitmentId, fileId: bidFiles.id })
          .from(bidFiles)
          .innerJoin(bidVersions, eq(bidVersions.id, bidFiles.versionId))
          .innerJoin(bids, eq(bids.id, bidVersions.bidId));
        const issued = await tx.select({ storageName: documents.storageName }).from(documents);
        return {
          takenAt,
          tables,
          migration,
          audit: { entries: head?.seq ?? 0, head: head?.hash ?? GENESIS_HASH },
          sealed,
          issued,
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    ),
  );
}

async function copyBidFile(storage: BackupStorage, folder: string, file: { recruitmentId: string; fileId: string }): Promise<BackedUpFile> {
  const entry = { kind: 'bid' as const, ...file };
  const relative = backupPath(entry);
  await mkdir(path.dirname(path.join(folder, relative)), { recursive: true, mode: 0o700 });
  const measured = measuring();
  try {
    await pipeline(await storage.readSealedBidFile(file.recruitmentId, file.fileId), measured.transform, createWriteStream(path.join(folder, relative), { flags: 'wx', mode: 0o600, flush: true }));
  } catch (error) {
    throw missing(`投标文件 ${file.recruitmentId}/${file.fileId}`, error);
  }
  return { ...entry, path: relative, ...measured.result() };
}

async function copyDocument(storage: BackupStorage, folder: string, storageName: string): Promise<BackedUpFile> {
  const entry = { kind: 'document' as const, storageName };
  const relative = backupPath(entry);
  const content = await storage.readDocument(storageName).catch((error: unknown) => {
    throw missing(`文件 ${storageName}`, error);
  });
  await mkdir(path.dirname(path.join(folder, relative)), { recursive: true, mode: 0o700 });
  await writeFile(path.join(folder, relative), content, { flag: 'wx', mode: 0o600, flush: true });
  return { ...entry, path: relative, ...measureBuffer(content) };
}

function missing(what: string, cause: unknown): BackupError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BackupError(`数据库快照记载的${what}无法从存储读取（${reason}）：备份不完整，已中止，未写入 ${MANIFEST}`);
}

/** manifest.json last, durably: its presence says the backup is whole */
async function writeManifest(folder: string, manifest: Manifest) {
  const temporary = path.join(folder, `${MANIFEST}.part`);
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flush: true });
  await rename(temporary, path.join(folder, MANIFEST));
  const handle = await open(folder, 'r');
  await handle.sync().finally(() => handle.close());
}

export async function takeBackup(options: {
  database: Database;
  storage: BackupStorage;
  folder: string;
  portalVersion: string;
  now: () => Date;
}): Promise<Manifest> {
  const { database, storage, folder } = options;
  await prepareFolder(folder);
  const snapshot = await snapshotDatabase(database, folder, options.now);
  const files: BackedUpFile[] = [];
  for (const file of snapshot.sealed) files.push(await copyBidFile(storage, folder, file));
  for (const { storageName } of snapshot.issued) files.push(await copyDocument(storage, folder, storageName));
  const secrets: Manifest['secrets'] = [];
  for (const name of SECRET_FILES) {
    const content = storage.readSecretFile(name);
    if (!content) continue;
    await writeFile(path.join(folder, 'secrets', name), content, { flag: 'wx', mode: 0o600, flush: true });
    secrets.push({ name, path: `secrets/${name}`, ...measureBuffer(content) });
  }
  const manifest: Manifest = {
    format: FORMAT,
    portalVersion: options.portalVersion,
    engine: database.engine,
    takenAt: snapshot.takenAt.toISOString(),
    migration: snapshot.migration,
    audit: snapshot.audit,
    tables: snapshot.tables,
    files,
    secrets,
  };
  await writeManifest(folder, manifest);
  return manifest;
}
