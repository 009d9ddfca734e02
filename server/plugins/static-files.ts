import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { chooseEncoding, compress, ENCODINGS, type Encoding } from '../lib/content-encoding.ts';
import { etagMatches, etagOf, etagVariant } from '../lib/etag.ts';

// The stylesheet, scripts and icon of views/public, read once at start and served from memory:
// every page fetches them, and opening, reading and listing files on each request was most of
// their cost (issue 16). A changed file needs a restart, as a changed template does. Each is also
// compressed once, with Brotli and gzip, for the browsers that accept it (all of them): sending the
// 18 KB stylesheet was most of what serving it cost.
//
// The server answers them at its front door, before the framework (app.ts serverFactory): they are
// the same for everyone, so nothing of what Fastify does for a request (the session, the CSRF
// rules, the hooks, the request log line) has anything to decide for them, and all of it together
// cost four times the answer itself. So they are not in the request log, as a web server's
// assets usually are not; a name not held goes on to the framework and its 404. The Fastify route
// below answers the same way, for app.inject and for what the front door leaves (a percent-encoded
// name, an absolute-form request line).

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * A stylesheet or a script is never a document: of the security headers it needs those that
 * govern a subresource only: no sniffing it as another type, no other site embedding it, and the
 * referrer policy of what it fetches (a stylesheet's fonts and images). The others (CSP, framing,
 * the opener…) govern documents. An SVG can be opened as a document, and so gets them all. Each
 * header less was a few µs less of every asset answered (issue 16).
 */
const SUBRESOURCE_HEADERS = ['x-content-type-options', 'cross-origin-resource-policy', 'referrer-policy'];

function securityHeadersFor(type: string, headers: Record<string, string>): Record<string, string> {
  if (type.startsWith('image/svg')) return headers;
  return Object.fromEntries(SUBRESOURCE_HEADERS.filter((name) => headers[name]).map((name) => [name, headers[name]!]));
}

/** one representation of a file: its bytes and the headers of a 200 and of a 304 */
interface Representation {
  body: Buffer;
  etag: string;
  ok: OutgoingHttpHeaders;
  notModified: OutgoingHttpHeaders;
}

interface StaticFile {
  identity: Representation;
  /** the file compressed, when that makes it smaller */
  encoded: Partial<Record<Encoding, Representation>>;
  offered: Encoding[];
}

export interface StaticFiles {
  /** answers a GET or HEAD for `name` on the raw response; false, answering nothing, for a name not held */
  answer(name: string, request: IncomingMessage, response: ServerResponse): boolean;
  /** answers a request for one of the files, as it came to the server; false for any other */
  frontDoor(request: IncomingMessage, response: ServerResponse): boolean;
  has(name: string): boolean;
}

/** the body compressed with each encoding that makes it smaller */
function compressed(body: Buffer): [Encoding, Buffer][] {
  return ENCODINGS.map((encoding): [Encoding, Buffer] => [encoding, compress(body, encoding, 'best')]).filter(([, bytes]) => bytes.length < body.length);
}

/**
 * The files of `dir` that have a known type, served under `prefix` with `headers` (the security
 * headers every answer carries).
 */
export function createStaticFiles(dir: string, prefix: string, headers: Record<string, string>): StaticFiles {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    const plainEtag = etagOf(body);
    const representation = (bytes: Buffer, encoding?: Encoding): Representation => {
      // an encoded copy is another representation: its own ETag
      const etag = encoding ? etagVariant(plainEtag, `-${encoding}`) : plainEtag;
      // revalidated on every use, so that a new release's file is fetched at once
      const notModified = { ...securityHeadersFor(type, headers), 'cache-control': 'public, max-age=0, must-revalidate', vary: 'accept-encoding', etag };
      const ok = { ...notModified, 'content-type': type, 'content-length': bytes.length, ...(encoding ? { 'content-encoding': encoding } : {}) };
      return { body: bytes, etag, ok, notModified };
    };
    const encoded = Object.fromEntries(compressed(body).map(([encoding, bytes]) => [encoding, representation(bytes, encoding)]));
    files.set(name, { identity: representation(body), encoded, offered: ENCODINGS.filter((encoding) => encoded[encoding]) });
  }

  function answer(name: string, request: IncomingMessage, response: ServerResponse): boolean {
    const file = files.get(name);
    if (!file) return false;
    const encoding = chooseEncoding(request.headers['accept-encoding'], file.offered);
    const chosen = (encoding && file.encoded[encoding]) || file.identity;
    if (etagMatches(request.headers['if-none-match'], chosen.etag)) {
      response.writeHead(304, chosen.notModified).end();
    } else {
      response.writeHead(200, chosen.ok).end(request.method === 'HEAD' ? undefined : chosen.body);
    }
    return true;
  }

  return {
    answer,
    has: (name) => files.has(name),
    frontDoor(request, response) {
      const url = request.url!;
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !url.startsWith(prefix)) return false;
      // a body sent with it is read and dropped by node:http once the answer is sent, as it would
      // be after the framework's route, which hijacks the reply: the connection serves on
      const query = url.indexOf('?');
      return answer(url.slice(prefix.length, query === -1 ? undefined : query), request, response);
    },
  };
}

export default fp(
  async (app, { files, prefix }: { files: StaticFiles; prefix: string }) => {
    app.get(`${prefix}:name`, { schema: { hide: true } }, async (request, reply) => {
      const { name } = request.params as { name: string };
      if (!files.has(name)) throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      reply.hijack();
      files.answer(name, request.raw, reply.raw);
    });
  },
  { name: 'static-files' },
);
