import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupPath, FORMAT, readManifest, type Manifest } from '../../server/backup/manifest.ts';

// A restore reads files named by manifest.json: the names are derived again from the ids, so a
// manifest cannot make the restore read (or the storage write) outside their folders.

const folder = mkdtempSync(path.join(tmpdir(), 'portal-manifest-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const RECRUITMENT = '0b1e8c3a-5a43-4c55-9d0f-6f0c2b8f3e11';
const FILE = '6c0f3c1e-2f7a-4d3b-8e59-0d2b6a1f4c22';
const valid: Manifest = {
  format: FORMAT,
  portalVersion: '0.1.0',
  engine: 'pglite',
  takenAt: '2026-12-07T06:00:00.000Z',
  migration: { count: 20, tag: '0019_restore_pending', hash: 'h' },
  audit: { entries: 0, head: '0'.repeat(64) },
  tables: [{ table: 'users', rows: 1, path: 'database/users.jsonl', size: 2, sha256: 's' }],
  files: [{ kind: 'bid', recruitmentId: RECRUITMENT, fileId: FILE, path: `files/bids/${RECRUITMENT}/${FILE}.sealed`, size: 1, sha256: 's' }],
  secrets: [{ name: 'dev-signing.p12', path: 'secrets/dev-signing.p12', size: 1, sha256: 's' }],
};

async function read(manifest: unknown) {
  writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest));
  return readManifest(folder);
}

describe('a backup manifest', () => {
  it('places each file by its ids', () => {
    expect(backupPath({ kind: 'bid', recruitmentId: RECRUITMENT, fileId: FILE })).toBe(`files/bids/${RECRUITMENT}/${FILE}.sealed`);
    expect(backupPath({ kind: 'document', storageName: `checkpoints/${FILE}.pdf` })).toBe(`files/checkpoints/${FILE}.pdf`);
  });

  it('is read when every path is the one its ids give', async () => {
    await expect(read(valid)).resolves.toEqual(valid);
  });

  it.each([
    ['a file path outside the folder', { ...valid, files: [{ ...valid.files[0]!, path: '../../etc/passwd' }] }],
    ['a bid id that is not a UUID', { ...valid, files: [{ ...valid.files[0]!, fileId: '../x', path: `files/bids/${RECRUITMENT}/../x.sealed` }] }],
    ['a document name outside documents/ and checkpoints/', { ...valid, files: [{ kind: 'document', storageName: 'secrets/session.key', path: 'files/secrets/session.key', size: 1, sha256: 's' }] }],
    ['a table name that is not an identifier', { ...valid, tables: [{ ...valid.tables[0]!, table: 'users; drop', path: 'database/users; drop.jsonl' }] }],
    ['a secret file that is not the signing certificate', { ...valid, secrets: [{ name: 'session.key', path: 'secrets/session.key', size: 1, sha256: 's' }] }],
    ['another format', { ...valid, format: 'something-else/1' }],
  ])('is refused with %s', async (_case, manifest) => {
    await expect(read(manifest)).rejects.toThrow(/manifest\.json/);
  });
});
