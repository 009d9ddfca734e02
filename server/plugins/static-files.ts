import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { etagMatches, etagOf } from '../lib/etag.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a static file: the same for everyone, so nobody is signed in to fetch it (plugins/auth.ts) */
    staticFile?: boolean;
  }
}

// The stylesheet, scripts and icon of views/public, read once at start and served from memory:
// every page fetches them, and opening, reading and listing files on each request was most of
// their cost (issue 16). A changed file needs a restart, as a changed template does. Each is also
// compressed once, with Brotli and gzip, for the browsers that accept it (all of them): sending the
// 18 KB stylesheet was most of what serving it cost.

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** the encodings offered, in the order preferred when a browser accepts several alike */
const ENCODINGS = ['br', 'gzip'] as const;
type Encoding = (typeof ENCODINGS)[number];

interface StaticFile {
  body: Buffer;
  /** the body compressed, when that makes it smaller */
  encoded: Partial<Record<Encoding, Buffer>>;
  type: string;
  etag: string;
}

function compressed(body: Buffer): StaticFile['encoded'] {
  const encoded: StaticFile['encoded'] = {
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
    gzip: gzipSync(body, { level: 9 }),
  };
  for (const encoding of ENCODINGS) if (encoded[encoding]!.length >= body.length) delete encoded[encoding];
  return encoded;
}

/** the files of `dir` that have a known type, by name */
export function readStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    files.set(name, { body, encoded: compressed(body), type, etag: etagOf(body) });
  }
  return files;
}

export default fp(
  async (app, { dir, prefix }: { dir: string; prefix: string }) => {
    const files = readStaticFiles(dir);
    app.get(`${prefix}:name`, { schema: { hide: true }, config: { staticFile: true } }, async (request, reply) => {
      const file = files.get((request.params as { name: string }).name);
      if (!file) throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      const offered = ENCODINGS.filter((encoding) => file.encoded[encoding]);
      const accepted = request.headers['accept-encoding'];
      const encoding = offered.length > 0 && accepted ? (negotiate(accepted, offered) as Encoding | undefined) : undefined;
      // an encoded copy is another representation: its own ETag
      const etag = encoding ? `${file.etag.slice(0, -1)}-${encoding}"` : file.etag;
      // revalidated on every use, so that a new release's file is fetched at once
      reply.header('cache-control', 'public, max-age=0, must-revalidate').header('vary', 'accept-encoding').header('etag', etag);
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      if (encoding) reply.header('content-encoding', encoding);
      return reply.type(file.type).send(encoding ? file.encoded[encoding] : file.body);
    });
  },
  { name: 'static-files' },
);
