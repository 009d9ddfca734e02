import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePdfHeader } from '../../server/domain/bids/pdf-check.ts';
import { createDataKey, createFileEncryptor } from '../../server/lib/sealing.ts';
import { createStorage, type Storage } from '../../server/lib/storage.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.ts';

// The durable write of a bid file: whole and in place, or nothing at all — with the bid files in
// STORAGE_DIR, and in object storage (STORAGE_URL).

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(() => s3.stop());

const backends: Record<string, () => Storage> = {
  filesystem: () => createStorage(mkdtempSync(path.join(tmpdir(), 'storage-test-'))),
  s3: () => createStorage(mkdtempSync(path.join(tmpdir(), 'storage-test-')), s3.location(`storage-${randomUUID()}`)),
};

/** the temporary files in STORAGE_DIR/tmp (none made when the blobs go to object storage) */
const temporaryFiles = (storage: Storage) => readdirSync(path.join(storage.root, 'tmp')).filter((name) => !name.endsWith('.probe'));

describe.each(Object.keys(backends))('saveSealedBidFile (%s)', (backend) => {
  const newStorage = () => {
    const storage = backends[backend]!();
    mkdirSync(path.join(storage.root, 'tmp'), { recursive: true });
    return storage;
  };

  it('stores the whole file in place and leaves no temporary file', async () => {
    const storage = newStorage();
    const [recruitmentId, fileId] = [randomUUID(), randomUUID()];
    await storage.saveSealedBidFile(recruitmentId, fileId, Readable.from([Buffer.from('%PDF-1.7 sealed')]), []);
    expect(await storage.listSealedBidFiles()).toEqual([{ recruitmentId, fileId, modifiedAt: expect.any(Date) }]);
    expect(temporaryFiles(storage)).toEqual([]);
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
      expect(temporaryFiles(storage)).toEqual([]);
      expect(await storage.listSealedBidFiles()).toEqual([]);
    },
  );
});

describe.each(Object.keys(backends))('the %s storage', (backend) => {
  it('reads back what it stored: a bid file by stream, a document and a checkpoint by name, listing both', async () => {
    const storage = backends[backend]!();
    const [recruitmentId, fileId, documentId, checkpointId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await storage.saveSealedBidFile(recruitmentId, fileId, Readable.from([Buffer.from('%PDF-1.7 sealed')]), []);
    expect(Buffer.concat(await (await storage.readSealedBidFile(recruitmentId, fileId)).toArray()).toString()).toBe('%PDF-1.7 sealed');
    const document = await storage.saveDocument(recruitmentId, documentId, new TextEncoder().encode('%PDF document'));
    const checkpoint = await storage.saveDocument(null, checkpointId, new TextEncoder().encode('%PDF checkpoint'));
    expect(document).toBe(`documents/${recruitmentId}/${documentId}.pdf`);
    expect((await storage.readDocument(document)).toString()).toBe('%PDF document');
    expect(await storage.listCheckpoints()).toEqual([checkpoint]);
    await storage.removeSealedBidFile(recruitmentId, fileId);
    expect(await storage.listSealedBidFiles()).toEqual([]);
    await expect(storage.readSealedBidFile(recruitmentId, fileId)).rejects.toThrow();
    await storage.probeWritable();
  });
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
