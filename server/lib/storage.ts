import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The only module that touches STORAGE_DIR. Files are always named by the server.

export interface Storage {
  readonly root: string;
  /** the folder of the embedded database */
  readonly databaseDir: string;
  /** a secret kept in storage across restarts, created on first use */
  secret(name: 'session'): string;
}

export function createStorage(root: string): Storage {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const secretsDir = path.join(root, 'secrets');
  return {
    root,
    databaseDir: path.join(root, 'db'),
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
