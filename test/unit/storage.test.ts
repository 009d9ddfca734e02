import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { requirePdfHeader } from '../../server/domain/bids/pdf-check.ts';
import { createDataKey, createFileEncryptor } from '../../server/lib/sealing.ts';
import { createStorage } from '../../server/lib/storage.ts';

// The durable write of a bid file: whole and in place, or nothing at all.

const newStorage = () => createStorage(mkdtempSync(path.join(tmpdir(), 'storage-test-')));

describe('saveSealedBidFile', () => {
  it('stores the whole file in place and leaves no temporary file', async () => {
    const storage = newStorage();
    const [recruitmentId, fileId] = [randomUUID(), randomUUID()];
    await storage.saveSealedBidFile(recruitmentId, fileId, Readable.from([Buffer.from('%PDF-1.7 sealed')]), []);
    expect(await storage.listSealedBidFiles()).toEqual([{ recruitmentId, fileId, modifiedAt: expect.any(Date) }]);
    expect(readdirSync(path.join(storage.root, 'tmp'))).toEqual([]);
  });

  it.each(['GIF89a not a pdf at all', '%PD'])(
    'leaves no temporary file when a file (%s) is refused at once, even while it is still being opened',
    async (content) => {
      // the bytes are all there when the write starts, as a multipart part's often are; before the
      // fix about one refusal in 300 left its temporary file behind
      const storage = newStorage();
      for (let i = 0; i < 300; i++) {
        const source = new PassThrough();
        source.end(Buffer.from(content));
        const fileId = randomUUID();
        const save = storage.saveSealedBidFile(randomUUID(), fileId, source, [requirePdfHeader(), createFileEncryptor(createDataKey(), fileId).transform]);
        await expect(save).rejects.toThrow();
      }
      // an open that finished after the clean-up would leave its file a moment later
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(readdirSync(path.join(storage.root, 'tmp'))).toEqual([]);
      expect(await storage.listSealedBidFiles()).toEqual([]);
    },
  );
});

describe('createStorage', () => {
  it('makes an existing 0755 storage folder and the folders in it private (0700)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'storage-test-'));
    chmodSync(root, 0o755);
    mkdirSync(path.join(root, 'db'), { mode: 0o755 });
    createStorage(root);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, 'db')).mode & 0o777).toBe(0o700);
  });
});
