import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { link, rm, writeFile } from 'node:fs/promises';
import { Readable, type Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { BlobStore } from './blobs.ts';
import { createFileBlobStore } from './blobs-fs.ts';
import { createS3BlobStore, type S3Location } from './blobs-s3.ts';

// The only module that touches storage. STORAGE_DIR, on this machine, holds the embedded
// database, the secrets, the mail outbox and temporary files; the blobs (sealed bid files, signed
// documents, audit checkpoints) go there too, or to S3-compatible object storage (STORAGE_URL).
// Files and objects are always named by the server.

export { isStorageFull, isStorageUnavailable } from './blobs.ts';
export type { S3Location } from './blobs-s3.ts';

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
  /** where bid files and documents are kept (the folder, or s3://bucket/prefix/), for messages to an operator */
  readonly blobLocation: string;
  /** writes and removes a small file (and object): throws when the storage cannot take a bid now */
  probeWritable(): Promise<void>;
  /**
   * A secret kept in storage across restarts, created on first use: 32 random bytes, base64url.
   * Every server process on one storage shares it.
   */
  secret(name: 'session' | 'entered-shares'): string;
  /** the folder where mail is written as .eml files when no SMTP server is configured */
  readonly outboxDir: string;
  /**
   * Writes a mail to the outbox. One recorded before sending (`recorded`) gets a name of its own,
   * written exclusively: writing it again after a crash leaves the first copy, and sends nothing.
   */
  saveOutgoingMail(message: Buffer, recorded?: { id: string; at: Date }): Promise<string>;
  /**
   * Writes an encrypted bid file, streamed: resolves once it is whole and durable (a file fsynced
   * and renamed into place, or a completed multipart upload); on failure nothing is left of it.
   */
  saveSealedBidFile(recruitmentId: string, fileId: string, source: Readable, transforms: Transform[]): Promise<void>;
  readSealedBidFile(recruitmentId: string, fileId: string): Promise<Readable>;
  removeSealedBidFile(recruitmentId: string, fileId: string): Promise<void>;
  /** every stored bid file with when it was last written, for the clean-up of files no bid refers to */
  listSealedBidFiles(): Promise<{ recruitmentId: string; fileId: string; modifiedAt: Date }[]>;
  /** removes what interrupted uploads left behind (temporary files, unfinished multipart uploads) begun before `before` */
  clearTemporaryFiles(before: Date): Promise<number>;
  /** Writes an issued (signed) document durably, like a bid file. Returns its storage name, which `readDocument` takes. */
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
   * found by listing the storage: verification reads them without trusting the database.
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

/**
 * The folder and the folders in it are made private (0700) at every start: a STORAGE_DIR made
 * beforehand with the usual 0755 would let every local user read the embedded database. Throws
 * when that is not possible (the folder belongs to another user).
 */
function makePrivate(root: string) {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory()) chmodSync(path.join(root, entry.name), 0o700);
  }
}

const SEALED_NAME = /^bids\/([0-9a-f-]{36})\/([0-9a-f-]{36})\.sealed$/;

/** The storage in `root`, its blobs there too or, given `objectStorage`, in that bucket. */
export function createStorage(root: string, objectStorage: S3Location | null = null): Storage {
  makePrivate(root);
  const secretsDir = path.join(root, 'secrets');
  const outboxDir = path.join(root, 'outbox');
  const local = createFileBlobStore(root);
  const blobs: BlobStore = objectStorage ? createS3BlobStore(objectStorage) : local;
  const sealedName = (recruitmentId: string, fileId: string) => `bids/${checkedId(recruitmentId)}/${checkedId(fileId)}.sealed`;

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
    blobLocation: blobs.location,
    async probeWritable() {
      // the folder keeps the outbox and the embedded database even when the blobs are elsewhere
      await local.probe();
      if (blobs !== local) await blobs.probe();
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
      mkdirSync(path.join(root, 'tmp'), { recursive: true, mode: 0o700 });
      // time first, so that a directory listing reads in sending order
      const at = (recorded?.at ?? new Date()).toISOString().replace(/[:.]/g, '-');
      const name = `${at}-${recorded ? checkedId(recorded.id) : randomBytes(4).toString('hex')}.eml`;
      const file = path.join(outboxDir, name);
      // written aside, then linked into the outbox: a reader never sees half a mail, and a recorded
      // mail written again finds its name taken and is not written twice
      const temporary = path.join(root, 'tmp', `${name}.${randomBytes(4).toString('hex')}.part`);
      try {
        await writeFile(temporary, message, { mode: 0o600, flag: 'wx', flush: true });
        await link(temporary, file);
      } catch (error) {
        if (!recorded || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(temporary, { force: true });
      }
      return file;
    },
    saveSealedBidFile: (recruitmentId, fileId, source, transforms) => blobs.put(sealedName(recruitmentId, fileId), source, transforms),
    readSealedBidFile: (recruitmentId, fileId) => blobs.get(sealedName(recruitmentId, fileId)),
    removeSealedBidFile: (recruitmentId, fileId) => blobs.remove(sealedName(recruitmentId, fileId)),
    async listSealedBidFiles() {
      return (await blobs.list('bids/')).flatMap(({ name, modifiedAt }) => {
        const [, recruitmentId, fileId] = SEALED_NAME.exec(name) ?? [];
        return recruitmentId && fileId && UUID.test(recruitmentId) && UUID.test(fileId) ? [{ recruitmentId, fileId, modifiedAt }] : [];
      });
    },
    async clearTemporaryFiles(before) {
      return (await local.clearIncomplete(before)) + (blobs !== local ? await blobs.clearIncomplete(before) : 0);
    },
    async saveDocument(recruitmentId, documentId, pdf) {
      const name = recruitmentId
        ? `documents/${checkedId(recruitmentId)}/${checkedId(documentId)}.pdf`
        : `checkpoints/${checkedId(documentId)}.pdf`;
      await blobs.put(name, Readable.from([Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)]), []);
      return name;
    },
    async readDocument(storageName) {
      if (!DOCUMENT_NAME.test(storageName)) throw new Error(`not a document name: ${storageName}`);
      return buffer(await blobs.get(storageName));
    },
    async listDocuments() {
      return (await blobs.list('documents/')).filter(({ name }) => RECRUITMENT_DOCUMENT_NAME.test(name));
    },
    async removeDocument(storageName) {
      if (!RECRUITMENT_DOCUMENT_NAME.test(storageName)) throw new Error(`not a recruitment's document: ${storageName}`);
      await blobs.remove(storageName);
    },
    async listCheckpoints() {
      return (await blobs.list('checkpoints/')).map(({ name }) => name).filter((name) => DOCUMENT_NAME.test(name));
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
