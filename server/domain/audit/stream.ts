import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole } from '../../plugins/auth.ts';
import { createAuditFeed } from './live.ts';
import type { AuditRecord } from './record.ts';
import { entryCard } from './record-view.ts';
import { filterOf, RecordStreamQuery } from './schemas.ts';

// A recruitment's record, live: Server-Sent Events, one `entry` event per new entry that the page's
// filter selects, its data the entry's card as the page renders it. The event id is the entry's
// seq, so a browser that reconnects (Last-Event-ID) is sent what it missed. Streams end when the
// client goes and when the server closes (preClose), so a graceful stop never waits on them.

/** how often each server process reads the log for new entries */
const FEED_EVERY_MS = 2000;
/** a comment now and then keeps proxies and the idle-connection timeout from cutting a quiet stream */
const HEARTBEAT_MS = 15_000;

const StreamHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) });

const auditStream: FastifyPluginAsyncTypebox<{ record: AuditRecord }> = async (app, { record }) => {
  const feed = createAuditFeed({
    record,
    everyMs: FEED_EVERY_MS,
    report: (error) => app.log.error({ err: error }, 'live audit record: reading or sending new entries failed'),
  });
  app.addHook('preClose', () => feed.close());

  app.get(
    '/inspector/recruitments/:id/audit/stream',
    {
      schema: { hide: true, params: IdParams, querystring: RecordStreamQuery, headers: StreamHeaders },
      onRequest: requireRole('inspector'),
    },
    async (request, reply) => {
      const recruitment = await record.recordOf(currentUser(request), request.params.id);
      const filter = { ...filterOf(request.query), recruitmentId: recruitment.id };
      const lastEventId = request.headers['last-event-id'];
      const after = lastEventId === undefined ? (request.query.after ?? null) : Number(lastEventId);
      const stream = new PassThrough();
      stream.write('retry: 3000\n\n');
      const heartbeat = setInterval(() => stream.write(': \n\n'), HEARTBEAT_MS);
      const leave = await feed.subscribe(
        {
          filter,
          deliver: async (entries) => {
            for (const entry of await record.readable(entries)) {
              const html = app.renderPartial('audit-entry', entryCard(entry, filter));
              stream.write(`id: ${entry.seq}\nevent: entry\ndata: ${JSON.stringify({ seq: entry.seq, html })}\n\n`);
            }
          },
          end: () => stream.end(),
        },
        after,
      );
      stream.on('close', () => {
        clearInterval(heartbeat);
        leave();
      });
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        // the connection is the stream's: closed with it, so a stopping server does not wait for the client to let it go
        .header('connection', 'close')
        .send(stream);
    },
  );
};

export default auditStream;
