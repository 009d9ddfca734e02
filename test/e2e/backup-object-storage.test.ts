import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '../../server/lib/blobs-s3.ts';
import { openBids, readBackupManifest, runCommand } from '../helpers/backup.ts';
import {
  bidFields,
  killAllServers,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  startServer,
  type Receipt,
} from '../helpers/server-process.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.ts';

// Backup and restore with STORAGE_URL: the bid files are in the bucket, not in STORAGE_DIR. The
// backup and restore commands opened the storage without the bucket: a backup could not find a
// single bid file, and a restore wrote them into STORAGE_DIR — "verified" there — while the server
// it was for reads the bucket, where none of them was.

const root = mkdtempSync(path.join(tmpdir(), 'portal-backup-s3-'));
const at = (name: string) => path.join(root, name);
let s3: LocalS3;
let recruitmentId: string;
const receipts: Receipt[] = [];

function pdf(size: number) {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  return { filename: `document-${size}.pdf`, size, content: [content] };
}

beforeAll(async () => {
  s3 = await startLocalS3();
  const server = await startServer({ STORAGE_DIR: at('source'), PORTAL_TEST_CLOCK: '1', ...s3.env('source') });
  recruitmentId = await publishRecruitment(server.url, await seedKeyHolders(server.url));
  const organization = await registerOrganization(server.url, at('source'));
  const reply = await postBid(server.url, organization.token, recruitmentId, bidFields('arts'), [pdf(100_000)]).response;
  expect(reply.status, reply.body).toBe(201);
  receipts.push(JSON.parse(reply.body) as Receipt);
  await server.stop();
}, 180_000);

afterAll(async () => {
  killAllServers();
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('backup and restore with the bid files in object storage', () => {
  it('backs up the files from the bucket and restores them into the bucket, where the restored server opens the bids', async () => {
    const taken = await runCommand('backup', at('backup'), { STORAGE_DIR: at('source'), ...s3.env('source') });
    expect(taken.code, taken.output).toBe(0);
    expect(readBackupManifest(at('backup')).files.filter((file) => file.kind === 'bid')).toHaveLength(1);

    const env = { STORAGE_DIR: at('restored'), ...s3.env('restored') };
    const restored = await runCommand('restore', at('backup'), env);
    expect(restored.code, restored.output).toBe(0);
    expect(await createS3BlobStore(s3.location('restored')).list('bids/')).toHaveLength(1);
    expect(existsSync(at('restored/bids'))).toBe(false);

    const server = await startServer({ ...env, PORTAL_TEST_CLOCK: '1' });
    const record = await openBids(server.url, recruitmentId);
    expect(record.map((line) => [line.digest, line.digestVerified])).toEqual(receipts.map((receipt) => [receipt.digest, true]));
    await server.stop();
  }, 180_000);
});
