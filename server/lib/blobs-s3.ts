import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  paginateListObjectsV2,
  paginateListParts,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobInfo, BlobStore } from './blobs.ts';

// Blobs as objects in an S3-compatible bucket (STORAGE_URL=s3://bucket/prefix). A blob is written
// as a multipart upload streamed part by part: the object becomes visible only when the upload
// completes, so a failed upload (aborted here) or a killed process (its upload left incomplete,
// aborted later by clearIncomplete or the bucket's lifecycle rule) leaves no object behind.

/** where the blobs go, from STORAGE_URL (config.ts) */
export interface S3Location {
  bucket: string;
  /** prepended to every name, without slashes at either end; '' for the bucket's root */
  prefix: string;
  /** a server other than AWS (MinIO, Ceph, a cloud's S3-compatible service), or null for AWS */
  endpoint: string | null;
  region: string;
  /** bucket in the path (http://host/bucket/key) rather than the host name, as most non-AWS servers want */
  forcePathStyle: boolean;
}

/** S3's smallest part: each upload holds about one part in memory at a time */
const PART_SIZE = 5 * 1024 * 1024;

export function createS3BlobStore(location: S3Location): BlobStore {
  // credentials: the SDK's standard chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role)
  const client = new S3Client({
    region: location.region,
    forcePathStyle: location.forcePathStyle,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
  });
  const Bucket = location.bucket;
  const keyPrefix = location.prefix ? `${location.prefix}/` : '';
  const keyOf = (name: string) => `${keyPrefix}${name}`;

  // S3 dates an object made by a multipart upload from when the upload began, not from when it
  // became visible: a slow upload completed a moment ago looks as old as its first part. So the
  // time a blob was last written is taken as no earlier than when this process first saw it, and
  // a clean-up never takes a file just completed, whose bid is still committing, for a leftover.
  const firstSeen = new Map<string, Date>();
  function visibleSince(name: string, lastModified: Date, listedAt: Date): Date {
    const seen = firstSeen.get(name) ?? listedAt;
    firstSeen.set(name, seen);
    return lastModified > seen ? lastModified : seen;
  }

  /** when an unfinished upload last took a part (or began, before its first part) */
  async function lastWritten(Key: string, UploadId: string, initiated: Date): Promise<Date> {
    let last = initiated;
    for await (const page of paginateListParts({ client }, { Bucket, Key, UploadId })) {
      for (const part of page.Parts ?? []) if (part.LastModified && part.LastModified > last) last = part.LastModified;
    }
    return last;
  }

  return {
    location: `s3://${Bucket}/${keyPrefix}`,
    async put(name, source, transforms) {
      const body = new PassThrough();
      const upload = new Upload({ client, params: { Bucket, Key: keyOf(name), Body: body }, partSize: PART_SIZE, queueSize: 1 });
      // whichever side fails first says why: a refused upload stops the writing side (its body
      // ended with the error), a failed writing side ends the body with its error, so the upload
      // aborts rather than completing a truncated object
      let failure: { error: unknown } | null = null;
      const uploaded = upload.done().catch((error: unknown) => {
        failure ??= { error };
        body.destroy(error as Error);
      });
      const written = pipeline([source, ...transforms, body]).catch((error: unknown) => {
        failure ??= { error };
      });
      await Promise.all([written, uploaded]);
      if (failure) throw (failure as { error: unknown }).error;
    },
    async get(name) {
      const { Body } = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(name) }));
      return Body as Readable;
    },
    async list(prefix) {
      const listedAt = new Date();
      const found: BlobInfo[] = [];
      for await (const page of paginateListObjectsV2({ client }, { Bucket, Prefix: keyOf(prefix) })) {
        for (const object of page.Contents ?? []) {
          if (!object.Key || !object.LastModified) continue;
          const name = object.Key.slice(keyPrefix.length);
          found.push({ name, modifiedAt: visibleSince(name, object.LastModified, listedAt) });
        }
      }
      const listed = new Set(found.map((blob) => blob.name));
      for (const name of firstSeen.keys()) if (name.startsWith(prefix) && !listed.has(name)) firstSeen.delete(name);
      return found;
    },
    async remove(name) {
      firstSeen.delete(name);
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(name) }));
    },
    async clearIncomplete(before) {
      let aborted = 0;
      let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
      let page: ListMultipartUploadsCommandOutput;
      do {
        page = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: keyPrefix, ...marker }));
        marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
        for (const { Key, UploadId, Initiated } of page.Uploads ?? []) {
          // an upload begun long ago may still be taking parts from a slow line: only a quiet one is left over
          if (!Key || !UploadId || !Initiated || Initiated >= before || (await lastWritten(Key, UploadId, Initiated)) >= before) continue;
          await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
          aborted++;
        }
      } while (page.IsTruncated);
      return aborted;
    },
    async probe() {
      const Key = keyOf(`probes/ready-${process.pid}-${randomBytes(4).toString('hex')}`);
      await client.send(new PutObjectCommand({ Bucket, Key, Body: 'ready' }));
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
    },
  };
}
