import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
// their cost (issue 16). A changed file needs a restart, as a changed template does.

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** the files of `dir` that have a known type, by name */
export function readStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    files.set(name, { body, type, etag: etagOf(body) });
  }
  return files;
}

export default fp(
  async (app, { dir, prefix }: { dir: string; prefix: string }) => {
    const files = readStaticFiles(dir);
    app.get(`${prefix}:name`, { schema: { hide: true }, config: { staticFile: true } }, async (request, reply) => {
      const file = files.get((request.params as { name: string }).name);
      if (!file) throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      // revalidated on every use, so that a new release's file is fetched at once
      reply.header('cache-control', 'public, max-age=0, must-revalidate').header('etag', file.etag);
      if (etagMatches(request.headers['if-none-match'], file.etag)) return reply.code(304).send();
      return reply.type(file.type).send(file.body);
    });
  },
  { name: 'static-files' },
);
