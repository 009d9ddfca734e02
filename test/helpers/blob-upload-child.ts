import { Readable } from 'node:stream';
import { createFileBlobStore } from '../../server/lib/blobs-fs.ts';
import { createS3BlobStore } from '../../server/lib/blobs-s3.ts';

// A process that writes one endless blob, MiB by MiB, printing how many MiB the store has taken,
// so a test can SIGKILL it in the middle of the upload. Arguments: fs <folder> | s3 <location JSON>, then the name.

const [backend, where, name] = process.argv.slice(2) as [string, string, string];
const store = backend === 'fs' ? createFileBlobStore(where) : createS3BlobStore(JSON.parse(where));
let taken = 0;
const source = new Readable({
  read() {
    this.push(Buffer.alloc(1024 * 1024, taken % 251));
    taken++;
    process.stdout.write(`${taken}\n`);
  },
});
await store.put(name, source, []);
