import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

// The security headers (helmet's) are the same on every answer: worked out once at start and set
// on each reply as they are. @fastify/helmet built helmet's middleware again on every request,
// parsing the Content-Security-Policy each time, a tenth of a static file's cost (issue 16).

/** the headers helmet sets with these options, by name */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failure: unknown = null;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => (failure = error ?? null));
  if (failure) throw failure;
  return headers;
}

export default fp(
  async (app, { headers }: { headers: Record<string, string> }) => {
    app.addHook('onRequest', async (_request, reply) => {
      reply.headers(headers);
    });
  },
  { name: 'security-headers' },
);
