import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageFull, isStorageUnavailable, type BlobStore } from '../../server/lib/blobs.ts';
import { createFileBlobStore } from '../../server/lib/blobs-fs.ts';
import { createS3BlobStore } from '../../server/lib/blobs-s3.ts';
import { PROJECT_ROOT } from '../../server/paths.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.ts';

// The blob layer's contract, the same on both backends: a blob is whole once put resolves, and
// nothing of it is visible when the write fails or its process is killed half-way.

const MiB = 1024 * 1024;
let s3: LocalS3;
const folders: string[] = [];

beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.stop();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface Backend {
  store: BlobStore;
  /** arguments for blob-upload-child.ts */
  childArgs: [string, string];
}

function folder() {
  const made = mkdtempSync(path.join(tmpdir(), 'blobs-test-'));
  folders.push(made);
  return made;
}

const backends: Record<string, () => Backend> = {
  filesystem: () => {
    const root = folder();
    return { store: createFileBlobStore(root), childArgs: ['fs', root] };
  },
  s3: () => {
    const location = s3.location(`blobs-${randomUUID()}`);
    return { store: createS3BlobStore(location), childArgs: ['s3', JSON.stringify(location)] };
  },
};

const read = async (stream: Readable) => Buffer.concat(await stream.toArray());
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(Object.keys(backends))('the %s blob store', (backend) => {
  it('puts, gets, lists with the time of writing, and removes a blob', async () => {
    const { store } = backends[backend]!();
    const before = Date.now();
    await store.put('bids/a/one.sealed', Readable.from([Buffer.from('first')]), []);
    await store.put('documents/b/two.pdf', Readable.from([Buffer.from('second')]), []);
    expect((await read(await store.get('bids/a/one.sealed'))).toString()).toBe('first');
    const listed = await store.list('bids/');
    expect(listed.map((blob) => blob.name)).toEqual(['bids/a/one.sealed']);
    expect(listed[0]!.modifiedAt.getTime()).toBeGreaterThan(before - 2000);
    await store.remove('bids/a/one.sealed');
    await store.remove('bids/a/never-written.sealed');
    expect(await store.list('bids/')).toEqual([]);
    await expect(store.get('bids/a/one.sealed')).rejects.toThrow();
    expect((await store.list('documents/')).map((blob) => blob.name)).toEqual(['documents/b/two.pdf']);
    await store.probe();
  });

  it('stores a 50 MB blob streamed through a transform (a multipart upload on S3) and reads it back with the same SHA-256', async () => {
    const { store } = backends[backend]!();
    const chunks = Array.from({ length: 50 }, () => randomBytes(MiB));
    const expected = createHash('sha256');
    // the transform stands for the encryption: it sees every byte, and the blob is what it wrote
    const inverted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const out = Buffer.from(chunk.map((byte) => 255 - byte));
        expected.update(out);
        done(null, out);
      },
    });
    await store.put('bids/big/file.sealed', Readable.from(chunks), [inverted]);
    const stored = await read(await store.get('bids/big/file.sealed'));
    expect(stored.length).toBe(50 * MiB);
    expect(sha256(stored)).toBe(expected.digest('hex'));
  }, 60_000);

  it('leaves no blob when the source fails half-way through a 12 MB write, and gives the source its own error', async () => {
    const { store } = backends[backend]!();
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent++ < 12) this.push(randomBytes(MiB));
        else this.destroy(new Error('the bidder went away'));
      },
    });
    await expect(store.put('bids/x/broken.sealed', failing, [])).rejects.toThrow('the bidder went away');
    expect(await store.list('bids/')).toEqual([]);
    await expect(store.get('bids/x/broken.sealed')).rejects.toThrow();
  });

  it('leaves no visible blob when its process is SIGKILLed in the middle of the upload', async () => {
    const { store, childArgs } = backends[backend]!();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/helpers/blob-upload-child.ts'), ...childArgs, 'bids/k/killed.sealed'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // 16 MiB taken by the store: with one 5 MiB part in flight at a time, two or more parts are uploaded
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.split('\n').includes('16')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the uploader ended on its own (${code})`)));
    });
    child.kill('SIGKILL');
    await exited;
    expect(await store.list('bids/')).toEqual([]);
    await expect(store.get('bids/k/killed.sealed')).rejects.toThrow();
    if (childArgs[0] === 'fs') {
      // what the killed write left is a temporary file, which the clean-up removes once old
      expect(readdirSync(path.join(childArgs[1], 'tmp'))).toEqual(['killed.sealed.part']);
      expect(await store.clearIncomplete(new Date(Date.now() + 1000))).toBe(1);
    }
  }, 60_000);
});

describe('the S3 blob store', () => {
  it('dates a blob no earlier than when the process first listed it (S3 dates a multipart object from the start of its upload), the same date on every listing', async () => {
    const { store } = backends.s3!();
    await store.put('bids/r/slow.sealed', Readable.from([Buffer.from('sealed')]), []);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const firstListing = Date.now();
    const [first] = await store.list('bids/');
    expect(first!.modifiedAt.getTime()).toBeGreaterThanOrEqual(firstListing);
    const [again] = await store.list('bids/');
    expect(again!.modifiedAt).toEqual(first!.modifiedAt);
  });
});

describe('isStorageUnavailable', () => {
  const s3Error = (name: string, httpStatusCode?: number) => new S3ServiceException({ name, $fault: 'server', $metadata: { httpStatusCode } });

  it('takes an unreachable bucket or a 5xx from it for a passing outage, and nothing else', () => {
    expect(isStorageUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } }))).toBe(true);
    expect(isStorageUnavailable(s3Error('ServiceUnavailable', 503))).toBe(true);
    expect(isStorageUnavailable(s3Error('InternalError', 500))).toBe(true);
    expect(isStorageUnavailable(s3Error('NotImplemented', 501))).toBe(false);
    expect(isStorageUnavailable(s3Error('XMinioStorageFull', 507))).toBe(false);
    expect(isStorageUnavailable(s3Error('NoSuchKey', 404))).toBe(false);
    // a socket error of the database or the disk is not the bucket's
    expect(isStorageUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('isStorageFull', () => {
  const s3Error = (name: string, httpStatusCode: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode } });

  it('knows a full disk or quota, and a full bucket in the words of MinIO, Ceph and a bare 507', () => {
    expect(isStorageFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStorageFull(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe(true);
    expect(isStorageFull(s3Error('QuotaExceeded', 403))).toBe(true);
    expect(isStorageFull(s3Error('XMinioStorageFull', 507))).toBe(true);
    expect(isStorageFull(s3Error('Unknown', 507))).toBe(true);
  });

  it('does not take other failures for a full storage', () => {
    expect(isStorageFull(s3Error('AccessDenied', 403))).toBe(false);
    expect(isStorageFull(s3Error('SlowDown', 503))).toBe(false);
    expect(isStorageFull(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
  });
});
