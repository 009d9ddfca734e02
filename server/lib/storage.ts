import { randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync, type ReadStream } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

// The only module that touches STORAGE_DIR. Files are always named by the server.

export interface Storage {
  readonly root: string;
  /** the folder of the embedded database */
  readonly databaseDir: string;
  /**
   * Takes the storage for this process alone, as the embedded database needs: answers how to
   * give it back, or throws StorageInUseError naming the process that holds it. A holder on this
   * machine that no longer runs (killed) does not keep it. `onLost` is called if the hold is
   * lost while running (the lock removed or left unrefreshed).
   */
  claimForThisProcess(now: Date, onLost: (error: Error) => void): Promise<() => Promise<void>>;
  /** writes, syncs and removes a small file: throws when the storage cannot take a bid now */
  probeWritable(): Promise<void>;
  /** a secret kept in storage across restarts, created on first use */
  secret(name: 'session'): string;
  /** the folder where mail is written as .eml files when no SMTP server is configured */
  readonly outboxDir: string;
  /**
   * Writes a mail to the outbox. One recorded before sending (`recorded`) gets a name of its own,
   * written exclusively: writing it again after a crash leaves the first copy, and sends nothing.
   */
  saveOutgoingMail(message: Buffer, recorded?: { id: string; at: Date }): Promise<string>;
  /**
   * Writes an encrypted bid file: streamed to a temporary file, fsynced, then renamed into place
   * (and the folder fsynced), so the file is either whole and durable or absent.
   */
  saveSealedBidFile(recruitmentId: string, fileId: string, source: Readable, transforms: Transform[]): Promise<void>;
  readSealedBidFile(recruitmentId: string, fileId: string): ReadStream;
  removeSealedBidFile(recruitmentId: string, fileId: string): Promise<void>;
  /** every stored bid file with when it was last written, for the clean-up of files no bid refers to */
  listSealedBidFiles(): Promise<{ recruitmentId: string; fileId: string; modifiedAt: Date }[]>;
  /** removes the temporary files an interrupted upload left behind: those not written to since `before` */
  clearTemporaryFiles(before: Date): Promise<number>;
  /**
   * Writes an issued (signed) document durably, like a bid file: temporary file, fsync, rename.
   * Returns its storage name, which `readDocument` takes.
   */
  saveDocument(recruitmentId: string | null, documentId: string, pdf: Uint8Array): Promise<string>;
  readDocument(storageName: string): Promise<Buffer>;
  /**
   * every stored document of a recruitment with when it was last written, for the clean-up of
   * files no row refers to; not the audit checkpoints, which verification trusts over the database
   */
  listDocuments(): Promise<{ name: string; modifiedAt: Date }[]>;
  /** removes a recruitment's document file (never a checkpoint) */
  removeDocument(storageName: string): Promise<void>;
  /**
   * Storage names of the audit checkpoints (documents of no recruitment, kept in `checkpoints/`),
   * found by listing the folder: verification reads them without trusting the database.
   */
  listCheckpoints(): Promise<string[]>;
  /** a secret file under secrets/ (e.g. the development signing certificate), null when absent */
  readSecretFile(name: SecretFile): Buffer | null;
  /** creates a secret file; false when it exists already (another process made it first) */
  createSecretFile(name: SecretFile, content: Uint8Array): boolean;
}

export type SecretFile = 'dev-signing.p12' | 'dev-signing.password' | 'dev-signing-ca.pem';

// Server-made names only: ids are UUIDs, checked here so no caller can steer a path.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function checkedId(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a storage id: ${id}`);
  return id;
}
const DOCUMENT_NAME = /^(documents\/[0-9a-f-]{36}|checkpoints)\/[0-9a-f-]{36}\.pdf$/;
const RECRUITMENT_DOCUMENT_NAME = /^documents\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.pdf$/;

/** fsync of a folder, which makes the names in it (a rename) durable */
async function fsyncFolder(folder: string) {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The folder and the folders in it are made private (0700) at every start: a STORAGE_DIR made
 * beforehand with the usual 0755 would let every local user read the embedded database. Throws
 * when that is not possible (the folder belongs to another user).
 */
/** null when the file is gone (another process finished or removed it meanwhile) */
async function modifiedTime(file: string): Promise<Date | null> {
  return stat(file).then(
    (stats) => stats.mtime,
    () => null,
  );
}

/** Whether a write failed because the disk (or the user's quota) is full. */
export function isStorageFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Who holds a storage folder: written beside the lock by the process that took it. */
export interface StorageHolder {
  pid: number;
  hostname: string;
  since: string;
}

export class StorageInUseError extends Error {
  override name = 'StorageInUseError';
  constructor(readonly holder: StorageHolder | null) {
    super('the storage folder is in use by another process');
  }
}

// proper-lockfile refreshes the lock's time every LOCK_STALE_MS / 2; one older is taken over
const LOCK_STALE_MS = 30_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function makePrivate(root: string) {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory()) chmodSync(path.join(root, entry.name), 0o700);
  }
}

export function createStorage(root: string): Storage {
  makePrivate(root);
  const secretsDir = path.join(root, 'secrets');
  const outboxDir = path.join(root, 'outbox');
  const tmpDir = path.join(root, 'tmp');
  const bidsDir = path.join(root, 'bids');
  const sealedPath = (recruitmentId: string, fileId: string) =>
    path.join(bidsDir, checkedId(recruitmentId), `${checkedId(fileId)}.sealed`);
  // folders are made once per process: a rush of bids would otherwise ask for each on every file
  const madeFolders = new Set<string>();
  function ensureFolder(folder: string) {
    if (madeFolders.has(folder)) return;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    madeFolders.add(folder);
  }

  /**
   * Writes through a temporary file, then renames it into place: a crash leaves either the whole
   * file at `final` or only a temporary file, which the start-up clean-up removes. `write` must
   * fsync what it writes before it resolves (the `flush` option of node's writers does).
   */
  async function writeDurably(temporary: string, final: string, write: (temporary: string) => Promise<unknown>) {
    ensureFolder(tmpDir);
    ensureFolder(path.dirname(final));
    try {
      await write(temporary);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    await rename(temporary, final);
    await fsyncFolder(path.dirname(final));
  }

  const lockPath = path.join(root, 'embedded.lock');
  const holderPath = path.join(root, 'embedded.holder.json');
  const readHolder = (): StorageHolder | null => {
    try {
      return JSON.parse(readFileSync(holderPath, 'utf8')) as StorageHolder;
    } catch {
      return null;
    }
  };

  return {
    root,
    databaseDir: path.join(root, 'db'),
    async probeWritable() {
      ensureFolder(tmpDir);
      const probe = path.join(tmpDir, `ready-${process.pid}-${randomBytes(4).toString('hex')}.probe`);
      try {
        const file = await open(probe, 'w');
        try {
          await file.writeFile('ready');
          await file.sync();
        } finally {
          await file.close();
        }
      } finally {
        await rm(probe, { force: true });
      }
    },
    async claimForThisProcess(now, onLost) {
      const options = { lockfilePath: lockPath, stale: LOCK_STALE_MS, realpath: false, onCompromised: onLost };
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(root, options);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
        const holder = readHolder();
        // a holder killed on this machine left its lock behind: take it over (a second process
        // doing the same at the same moment finds it locked again, and refuses)
        if (!holder || holder.hostname !== hostname() || isRunning(holder.pid)) throw new StorageInUseError(holder);
        await rm(lockPath, { recursive: true, force: true });
        release = await lockfile.lock(root, options).catch((again: unknown) => {
          throw (again as NodeJS.ErrnoException).code === 'ELOCKED' ? new StorageInUseError(readHolder()) : again;
        });
      }
      const holder: StorageHolder = { pid: process.pid, hostname: hostname(), since: now.toISOString() };
      writeFileSync(holderPath, `${JSON.stringify(holder)}\n`);
      return release;
    },
    outboxDir,
    async saveOutgoingMail(message, recorded) {
      mkdirSync(outboxDir, { recursive: true, mode: 0o700 });
      // time first, so that a directory listing reads in sending order
      const at = (recorded?.at ?? new Date()).toISOString().replace(/[:.]/g, '-');
      const file = path.join(outboxDir, `${at}-${recorded ? checkedId(recorded.id) : randomBytes(4).toString('hex')}.eml`);
      try {
        await writeFile(file, message, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if (!recorded || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      return file;
    },
    async saveSealedBidFile(recruitmentId, fileId, source, transforms) {
      await writeDurably(path.join(tmpDir, `${checkedId(fileId)}.part`), sealedPath(recruitmentId, fileId), async (temporary) => {
        const file = createWriteStream(temporary, { flags: 'wx', mode: 0o600, flush: true });
        try {
          await pipeline([source, ...transforms, file]);
        } finally {
          // a refusal at the first bytes can come while the file is still being opened, and the
          // open would create it after the clean-up: wait until the stream has closed its file
          if (!file.closed) await new Promise((resolve) => file.once('close', resolve));
        }
      });
    },
    readSealedBidFile(recruitmentId, fileId) {
      return createReadStream(sealedPath(recruitmentId, fileId));
    },
    async removeSealedBidFile(recruitmentId, fileId) {
      await rm(sealedPath(recruitmentId, fileId), { force: true });
    },
    async listSealedBidFiles() {
      const found: { recruitmentId: string; fileId: string; modifiedAt: Date }[] = [];
      for (const recruitmentId of await readdir(bidsDir).catch(() => [])) {
        if (!UUID.test(recruitmentId)) continue;
        for (const file of await readdir(path.join(bidsDir, recruitmentId))) {
          const fileId = file.replace(/\.sealed$/, '');
          const modifiedAt = await modifiedTime(path.join(bidsDir, recruitmentId, file));
          if (UUID.test(fileId) && modifiedAt) found.push({ recruitmentId, fileId, modifiedAt });
        }
      }
      return found;
    },
    async clearTemporaryFiles(before) {
      let removed = 0;
      for (const file of await readdir(tmpDir).catch(() => [])) {
        const modifiedAt = await modifiedTime(path.join(tmpDir, file));
        if (!modifiedAt || modifiedAt >= before) continue;
        await rm(path.join(tmpDir, file), { force: true });
        removed++;
      }
      return removed;
    },
    async saveDocument(recruitmentId, documentId, pdf) {
      const name = recruitmentId
        ? `documents/${checkedId(recruitmentId)}/${checkedId(documentId)}.pdf`
        : `checkpoints/${checkedId(documentId)}.pdf`;
      await writeDurably(path.join(tmpDir, `${documentId}.pdf.part`), path.join(root, name), (temporary) =>
        writeFile(temporary, pdf, { flag: 'wx', mode: 0o600, flush: true }),
      );
      return name;
    },
    async readDocument(storageName) {
      if (!DOCUMENT_NAME.test(storageName)) throw new Error(`not a document name: ${storageName}`);
      return readFile(path.join(root, storageName));
    },
    async listDocuments() {
      const found: { name: string; modifiedAt: Date }[] = [];
      for (const recruitmentId of await readdir(path.join(root, 'documents')).catch(() => [])) {
        for (const file of await readdir(path.join(root, 'documents', recruitmentId)).catch(() => [])) {
          const name = `documents/${recruitmentId}/${file}`;
          const modifiedAt = RECRUITMENT_DOCUMENT_NAME.test(name) ? await modifiedTime(path.join(root, name)) : null;
          if (modifiedAt) found.push({ name, modifiedAt });
        }
      }
      return found;
    },
    async removeDocument(storageName) {
      if (!RECRUITMENT_DOCUMENT_NAME.test(storageName)) throw new Error(`not a recruitment's document: ${storageName}`);
      await rm(path.join(root, storageName), { force: true });
    },
    async listCheckpoints() {
      const files = await readdir(path.join(root, 'checkpoints')).catch(() => []);
      return files.filter((file) => UUID.test(file.replace(/\.pdf$/, ''))).map((file) => `checkpoints/${file}`);
    },
    readSecretFile(name) {
      try {
        return readFileSync(path.join(secretsDir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    createSecretFile(name, content) {
      mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
      try {
        writeFileSync(path.join(secretsDir, name), content, { mode: 0o600, flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    },
    secret(name) {
      const file = path.join(secretsDir, `${name}.key`);
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
      const value = randomBytes(32).toString('base64url');
      // 'wx' fails if another process created it meanwhile; then its value wins.
      try {
        writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
        return value;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return readFileSync(file, 'utf8').trim();
      }
    },
  };
}
