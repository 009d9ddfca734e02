import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';

// What is sent compressed (static files, the pages and records anonymous visitors get) is
// compressed by the server itself, once for many answers, with the encodings every browser
// accepts.

/** the encodings offered, in the order preferred when a client accepts several alike */
export const ENCODINGS = ['br', 'gzip'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** the encoding to answer a request's Accept-Encoding with, of those offered; undefined: none */
export function chooseEncoding(accepted: string | undefined, offered: readonly Encoding[] = ENCODINGS): Encoding | undefined {
  if (!accepted || offered.length === 0) return undefined;
  return negotiate(accepted, offered as Encoding[]) as Encoding | undefined;
}

/**
 * `body` compressed: `best` for what is compressed once at start (a static file), `fast` for what
 * is compressed again as it changes (a page showing the time: at most once a second).
 */
export function compress(body: Buffer, encoding: Encoding, effort: 'best' | 'fast'): Buffer {
  if (encoding === 'br') {
    const quality = effort === 'best' ? constants.BROTLI_MAX_QUALITY : 5;
    return brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  }
  return gzipSync(body, { level: effort === 'best' ? 9 : 6 });
}
