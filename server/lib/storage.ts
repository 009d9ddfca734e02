import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

// The only module that touches STORAGE_DIR. Files are always named by the server.

export interface Storage {
  readonly root: string;
  /** the folder of the embedded database */
  readonly databaseDir: string;
  /** a secret kept in storage across restarts, created on first use */
  secret(name: 'session'): string;
  /** the folder where mail is written as .eml files when no SMTP server is configured */
  readonly outboxDir: string;
  saveOutgoingMail(message: Buffer): Promise<string>;
}

export function createStorage(root: string): Storage {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const secretsDir = path.join(root, 'secrets');
  const outboxDir = path.join(root, 'outbox');
  return {
    root,
    databaseDir: path.join(root, 'db'),
    outboxDir,
    async saveOutgoingMail(message) {
      mkdirSync(outboxDir, { recursive: true });
      // time first, so that a directory listing reads in sending order
      const file = path.join(outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
      await writeFile(file, message, { mode: 0o600 });
      return file;
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
