import type { Readable, Transform } from 'node:stream';

// The blob layer under Storage: named, server-made objects (sealed bid files, signed documents,
// audit checkpoints) written whole or not at all. Two implementations: a folder on this machine's
// disk (blobs-fs.ts, the default) and S3-compatible object storage (blobs-s3.ts, STORAGE_URL).
// Names are relative paths such as `bids/<uuid>/<uuid>.sealed`, checked by storage.ts.

export interface BlobInfo {
  name: string;
  modifiedAt: Date;
}

export interface BlobStore {
  /** where the blobs are, for messages to an operator */
  readonly location: string;
  /**
   * Streams `source` through `transforms` into `name`, never holding it whole in memory; resolves
   * only once the blob is durable and whole. On any failure nothing is left under `name`.
   */
  put(name: string, source: Readable, transforms: Transform[]): Promise<void>;
  /** the blob's content; rejects when there is no such blob */
  get(name: string): Promise<Readable>;
  /** the blobs whose names start with `prefix`, with when each was last written */
  list(prefix: string): Promise<BlobInfo[]>;
  /** removes the blob if it exists */
  remove(name: string): Promise<void>;
  /** removes what interrupted writes left behind (temporary files, unfinished uploads) begun before `before` */
  clearIncomplete(before: Date): Promise<number>;
  /** writes and removes a small blob: throws when the store cannot take a bid now */
  probe(): Promise<void>;
}

// S3-compatible stores say "full" in their own words: MinIO answers 507 XMinioStorageFull, Ceph's
// RADOS gateway 403 QuotaExceeded, others a bare 507 Insufficient Storage. AWS S3 itself has no quota.
const FULL_STORE_ERRORS = new Set(['QuotaExceeded', 'XMinioStorageFull', 'InsufficientStorage', 'XMinioAdminBucketQuotaExceeded']);

/** Whether a write failed because the disk, the user's quota or the bucket's quota is full. */
export function isStorageFull(error: unknown): boolean {
  const failure = error as { code?: string; name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  if (failure?.code === 'ENOSPC' || failure?.code === 'EDQUOT') return true;
  return FULL_STORE_ERRORS.has(failure?.name ?? '') || FULL_STORE_ERRORS.has(failure?.Code ?? '') || failure?.$metadata?.httpStatusCode === 507;
}

/**
 * Whether object storage could not be reached or answered a server error (restarting, overloaded):
 * the operation may succeed when tried again. Only errors from the S3 client carry `$metadata`.
 */
export function isStorageUnavailable(error: unknown): boolean {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  if (!metadata || isStorageFull(error)) return false;
  // 501 Not Implemented is a lasting answer, not an outage
  return metadata.httpStatusCode === undefined || (metadata.httpStatusCode >= 500 && metadata.httpStatusCode !== 501);
}
