import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

// The rating device cookie: a random value the browser keeps (HttpOnly, a year), whose keyed hash
// a rating stores to limit ratings per device. It identifies no one and is no credential.

const COOKIE = 'rating_device';
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
const YEAR_S = 365 * 24 * 60 * 60;

/** The request's device token, a new one set on the reply when it has none. */
export function deviceToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const held = request.cookies[COOKIE];
  if (held && TOKEN.test(held)) return held;
  const token = randomBytes(16).toString('base64url');
  reply.setCookie(COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: YEAR_S });
  return token;
}
