import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';

// A page's multipart form (the bid upload, the verify upload) carries its CSRF token as its first
// field, never in its URL, where it would land in the request log and the browser history. The
// CSRF check reads that first part before any file is read (the files stream on afterwards); the
// handler reads the parts that follow through requestParts. A route's own multipart limits go in
// its `config.multipartOptions`, since the check starts reading the body.

declare module 'fastify' {
  interface FastifyRequest {
    /** the parts after the CSRF token of a page's multipart form, once the check has read it */
    formParts: AsyncIterator<Multipart> | null;
  }
}

/** Reads the first part of a multipart page form: its CSRF token, or undefined when it is not first. */
export async function readMultipartToken(request: FastifyRequest): Promise<string | undefined> {
  const parts = request.parts(request.routeOptions.config.multipartOptions)[Symbol.asyncIterator]();
  request.formParts = parts;
  const first = await parts.next();
  if (first.done) return undefined;
  if (first.value.type === 'field' && first.value.fieldname === '_csrf') return String(first.value.value);
  // the request is refused: let the rest of the body flow past instead of holding it
  if (first.value.type === 'file') first.value.file.resume();
  return undefined;
}

/** The multipart parts a handler reads: on a page those after the token, on the API all of them. */
export function requestParts(request: FastifyRequest): AsyncIterable<Multipart> {
  const rest = request.formParts;
  if (!rest) return request.parts(request.routeOptions.config.multipartOptions);
  return { [Symbol.asyncIterator]: () => rest };
}
