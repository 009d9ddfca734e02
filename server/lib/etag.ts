import { createHash } from 'node:crypto';

/** a strong entity tag for these bytes or this text */
export function etagOf(content: string | Buffer): string {
  return `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
}

/** the tag of another representation of what `etag` tags (compressed, or as shown at another second) */
export function etagVariant(etag: string, suffix: string): string {
  return `${etag.slice(0, -1)}${suffix}"`;
}

/**
 * Whether a request's If-None-Match names this entity tag (RFC 9110 §13.1.2: a list, `*`, and
 * weak comparison, so a W/ prefix a proxy added still matches).
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
