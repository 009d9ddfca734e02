import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/schema.ts';
import type { AccountService, RequestOrigin, SignedInUser } from '../domain/accounts/service.ts';
import { AppError } from '../errors.ts';

export const SESSION_COOKIE = 'portal_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: SignedInUser | null;
    /** the raw secret that signed this request in (bearer token or cookie value) */
    sessionToken: string | null;
  }
}

/**
 * API routes take a bearer token, pages a session cookie: a cookie never authorises an API call.
 * Decided on the path the router matched, never the raw request line, which may spell an API
 * route as `/%61pi/…` or in absolute form (`GET http://host/api/…`); an unmatched request is
 * judged by its decoded path.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  return (request.routeOptions.url ?? decodedPath(request.url)).startsWith('/api/');
}

function decodedPath(url: string): string {
  try {
    return decodeURIComponent(new URL(url, 'http://portal.invalid').pathname);
  } catch {
    return url;
  }
}

function presentedToken(request: FastifyRequest): string | null {
  if (isApiRequest(request)) {
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(request.headers.authorization ?? '');
    return match?.[1] ?? null;
  }
  return request.cookies[SESSION_COOKIE] ?? null;
}

/** preHandler that lets through only signed-in users of the given roles. */
export function requireRole(...roles: Role[]) {
  return async function checkRole(request: FastifyRequest, _reply: FastifyReply) {
    if (!roles.includes(currentUser(request).role)) throw new AppError('FORBIDDEN', '您的角色无权执行此操作');
  };
}

export const requireSignIn = async (request: FastifyRequest, _reply: FastifyReply) => {
  currentUser(request);
};

/** Where a request came from, as services record it in the audit log. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** The signed-in user; throws UNAUTHENTICATED (a redirect to the sign-in page for pages). */
export function currentUser(request: FastifyRequest): SignedInUser {
  if (!request.user) throw new AppError('UNAUTHENTICATED', '请先登录');
  return request.user;
}

export default fp(
  async (app, { accounts }: { accounts: AccountService }) => {
    app.decorateRequest('user', null);
    app.decorateRequest('sessionToken', null);
    app.addHook('onRequest', async (request) => {
      const token = presentedToken(request);
      if (!token) return;
      const user = await accounts.authenticate(token, isApiRequest(request) ? 'api' : 'page');
      if (user) {
        request.user = user;
        request.sessionToken = token;
      }
    });
  },
  { name: 'auth', dependencies: ['@fastify/cookie'] },
);
