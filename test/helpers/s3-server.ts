import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import type { S3Location } from '../../server/lib/storage.ts';

// A local S3-compatible server for the object storage tests, started by the tests themselves
// (fauxqs, a devDependency: README "Settings" says why this one), on a free port, with one bucket.

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** the bucket under `prefix`, as STORAGE_URL would give it */
  location(prefix: string): S3Location;
  /** STORAGE_URL and credentials for a server process storing under `prefix` */
  env(prefix: string): Record<string, string>;
  stop(): Promise<void>;
}

// any key is accepted by the local server; the SDK only needs some, from its standard variables
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'portal-test', AWS_SECRET_ACCESS_KEY: 'portal-test-secret' };

export async function startLocalS3(): Promise<LocalS3> {
  Object.assign(process.env, CREDENTIALS);
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const bucket = 'portal-test';
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    location: (prefix) => ({ bucket, prefix, endpoint, region: 'us-east-1', forcePathStyle: true }),
    env: (prefix) => ({ ...CREDENTIALS, STORAGE_URL: `s3://${bucket}/${prefix}?endpoint=${endpoint}&path_style=true` }),
    stop: () => server.stop(),
  };
}
