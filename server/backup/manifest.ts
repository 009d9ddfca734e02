import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SecretFile } from '../lib/storage.ts';
import type { DumpedTable, MigrationState } from './database-dump.ts';

// What a backup folder holds, written last (manifest.json): a folder without it is not a backup.

export const MANIFEST = 'manifest.json';
export const FORMAT = 'partner-portal-backup/1';
/** the secret files storage may hold that a restore needs: the development signing certificate */
export const SECRET_FILES: readonly SecretFile[] = ['dev-signing.p12', 'dev-signing.password', 'dev-signing-ca.pem'];

export interface StoredFile {
  /** the file in the backup folder, relative to it */
  path: string;
  size: number;
  sha256: string;
}

export type BackedUpFile = StoredFile & ({ kind: 'bid'; recruitmentId: string; fileId: string } | { kind: 'document'; storageName: string });

export interface Manifest {
  format: typeof FORMAT;
  portalVersion: string;
  engine: 'postgres' | 'pglite';
  /** when the database snapshot was taken */
  takenAt: string;
  migration: MigrationState;
  /** the audit log in the snapshot: its number of entries and the hash of the last */
  audit: { entries: number; head: string };
  tables: DumpedTable[];
  files: BackedUpFile[];
  /** the development signing certificate kept in storage, when there is one */
  secrets: (StoredFile & { name: SecretFile })[];
}

export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    message: string,
    /** refused before anything was written (a folder in use, a target not empty) */
    readonly refused = false,
  ) {
    super(message);
  }
}

/** SHA-256 and size of what flows through, for a pipeline */
export function measuring(): { transform: Transform; result(): { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { transform, result: () => ({ size, sha256: hash.digest('hex') }) };
}

export async function measure(source: Readable): Promise<{ size: number; sha256: string }> {
  const measured = measuring();
  await pipeline(source, measured.transform, async (chunks: AsyncIterable<Buffer>) => {
    for await (const _ of chunks);
  });
  return measured.result();
}

export function measureBuffer(content: Uint8Array): { size: number; sha256: string } {
  return { size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

/** Checks a file of the backup folder against its manifest entry; the problem, or null. */
export async function checkStored(folder: string, file: StoredFile): Promise<string | null> {
  const found = await measure(createReadStream(path.join(folder, file.path))).catch(() => null);
  if (!found) return `备份中缺少文件 ${file.path}`;
  if (found.size !== file.size || found.sha256 !== file.sha256) return `备份文件 ${file.path} 与 manifest.json 记载的 SHA-256 或大小不符`;
  return null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOCUMENT = /^(documents\/[0-9a-f-]{36}|checkpoints)\/[0-9a-f-]{36}\.pdf$/;

/** Where a backed-up file lies in the backup folder: derived from its ids, never taken as given. */
export function backupPath(file: { kind: 'bid'; recruitmentId: string; fileId: string } | { kind: 'document'; storageName: string }): string {
  if (file.kind === 'bid') {
    if (!UUID.test(file.recruitmentId) || !UUID.test(file.fileId)) throw new BackupError(`manifest.json 中的投标文件编号无效：${file.recruitmentId}/${file.fileId}`);
    return `files/bids/${file.recruitmentId}/${file.fileId}.sealed`;
  }
  if (!DOCUMENT.test(file.storageName)) throw new BackupError(`manifest.json 中的文件名无效：${file.storageName}`);
  return `files/${file.storageName}`;
}

export async function readManifest(folder: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(folder, MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new BackupError(`${folder} 中没有可读的 ${MANIFEST}：这不是一份完整的备份（备份中断时不会写入 ${MANIFEST}）`, true);
  }
  if (manifest.format !== FORMAT) throw new BackupError(`${MANIFEST} 的格式不是 ${FORMAT}`, true);
  // the paths are derived again from the ids, so a manifest cannot point outside its folder
  for (const file of manifest.files) if (backupPath(file) !== file.path) throw new BackupError(`${MANIFEST} 中的文件路径无效：${file.path}`, true);
  for (const table of manifest.tables) {
    if (table.path !== `database/${table.table}.jsonl` || !/^[a-z_][a-z0-9_]*$/.test(table.table)) throw new BackupError(`${MANIFEST} 中的表名无效：${table.table}`, true);
  }
  for (const secret of manifest.secrets) if (!SECRET_FILES.includes(secret.name) || secret.path !== `secrets/${secret.name}`) throw new BackupError(`${MANIFEST} 中的密钥文件名无效：${secret.name}`, true);
  return manifest;
}
