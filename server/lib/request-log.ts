import type { FastifyRequest } from 'fastify';

// What the request log keeps of a request. The mailed links carry single-use secrets in their
// query (`token=`, SPEC §5): whoever reads the log must not be able to verify an address or
// reset a password with them.

const SECRET_QUERY = /([?&](?:token|_csrf)=)[^&#]*/gi;

/** the URL with the value of every secret query parameter replaced */
export function loggableUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

export const requestLogSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
  }),
};
