import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

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

/**
 * One line per request, when it is answered, with what the request was: not one more as it
 * arrives, which every request paid for (issue 16).
 */
export class RequestLogController extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
