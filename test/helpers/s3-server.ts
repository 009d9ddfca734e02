import { createConnection, createServer, type Socket } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import type { S3Location } from '../../server/lib/storage.ts';

// A local S3-compatible server for the object storage tests, started by the tests themselves
// (fauxqs, a devDependency: README "Settings" says why this one), on a free port, with one bucket.
// Clients reach it through a TCP relay that a test can cut, as a network or an outage would.

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** the bucket under `prefix`, as STORAGE_URL would give it */
  location(prefix: string): S3Location;
  /** STORAGE_URL and credentials for a server process storing under `prefix` */
  env(prefix: string): Record<string, string>;
  /** false: every connection, open or new, is cut until set back to true */
  setReachable(reachable: boolean): void;
  stop(): Promise<void>;
}

// any key is accepted by the local server; the SDK only needs some, from its standard variables
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'portal-test', AWS_SECRET_ACCESS_KEY: 'portal-test-secret' };

export async function startLocalS3(): Promise<LocalS3> {
  Object.assign(process.env, CREDENTIALS);
  const server = await startFauxqs({ port: 0, logger: false });
  let reachable = true;
  const open = new Set<Socket>();
  const relay = createServer((client) => {
    if (!reachable) return client.destroy();
    const upstream = createConnection(server.port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = 'portal-test';
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    location: (prefix) => ({ bucket, prefix, endpoint, region: 'us-east-1', forcePathStyle: true }),
    env: (prefix) => ({ ...CREDENTIALS, STORAGE_URL: `s3://${bucket}/${prefix}?endpoint=${endpoint}&path_style=true` }),
    setReachable(value) {
      reachable = value;
      if (!value) for (const socket of open) socket.destroy();
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
      await server.stop();
    },
  };
}
