import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobStore } from './blobs.ts';

// Blobs as files under one folder (STORAGE_DIR): each written to a temporary file in tmp/,
// fsynced, then renamed into place and its folder fsynced, so a file is whole and durable or absent.

/** fsync of a folder, which makes the names in it (a rename) durable */
async function fsyncFolder(folder: string) {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** null when the file is gone (another process finished or removed it meanwhile) */
async function modifiedTime(file: string): Promise<Date | null> {
  return stat(file).then(
    (stats) => stats.mtime,
    () => null,
  );
}

export function createFileBlobStore(root: string): BlobStore {
  const tmpDir = path.join(root, 'tmp');
  // folders are made once per process: a rush of bids would otherwise ask for each on every file
  const madeFolders = new Set<string>();
  function ensureFolder(folder: string) {
    if (madeFolders.has(folder)) return;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    madeFolders.add(folder);
  }

  return {
    location: root,
    async put(name, source, transforms) {
      const final = path.join(root, name);
      const temporary = path.join(tmpDir, `${path.basename(name)}.part`);
      ensureFolder(tmpDir);
      ensureFolder(path.dirname(final));
      const file = createWriteStream(temporary, { flags: 'wx', mode: 0o600, flush: true });
      const written = pipeline([source, ...transforms, file]).finally(async () => {
        // a refusal at the first bytes can come while the file is still being opened, and the
        // open would create it after the clean-up: wait until the stream has closed its file
        if (!file.closed) await new Promise((resolve) => file.once('close', resolve));
      });
      try {
        await written;
      } catch (error) {
        await unlink(temporary).catch(() => {});
        throw error;
      }
      await rename(temporary, final);
      await fsyncFolder(path.dirname(final));
    },
    async get(name) {
      // opened first, so a missing file rejects here rather than erroring the stream later
      const handle = await open(path.join(root, name), 'r');
      return handle.createReadStream();
    },
    async list(prefix) {
      const entries = await readdir(path.join(root, prefix), { recursive: true, withFileTypes: true }).catch(() => []);
      const found: BlobInfo[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const file = path.join(entry.parentPath, entry.name);
        const modifiedAt = await modifiedTime(file);
        if (modifiedAt) found.push({ name: path.relative(root, file), modifiedAt });
      }
      return found;
    },
    async remove(name) {
      await rm(path.join(root, name), { force: true });
    },
    async clearIncomplete(before) {
      let removed = 0;
      for (const file of await readdir(tmpDir).catch(() => [])) {
        const modifiedAt = await modifiedTime(path.join(tmpDir, file));
        if (!modifiedAt || modifiedAt >= before) continue;
        await rm(path.join(tmpDir, file), { force: true });
        removed++;
      }
      return removed;
    },
    async probe() {
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
  };
}
