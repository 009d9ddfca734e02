import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError } from '../../errors.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { CheckpointService } from './checkpoints.ts';
import { AuditQuery } from './schemas.ts';
import type { AuditService } from './service.ts';

const AuditPageQuery = Type.Object({
  ...AuditQuery.properties,
  /** the seq of the checkpoint just issued, to confirm it */
  checkpoint: Type.Optional(Type.Integer({ minimum: 0 })),
});

const auditPages: FastifyPluginAsyncTypebox<{ audit: AuditService; checkpoints: CheckpointService }> = async (app, { audit, checkpoints }) => {
  async function show(reply: FastifyReply, query: Static<typeof AuditQuery>, notice: { checkpoint?: number; refused?: string }) {
    const [entries, check] = await Promise.all([audit.listEntries(query), audit.verifyChain()]);
    const last = entries.at(-1);
    return reply.page('inspector/audit', {
      title: '操作日志',
      entries,
      check,
      nextSeq: entries.length === query.limit && last ? last.seq : null,
      ...notice,
    });
  }

  app.get(
    '/inspector/audit',
    { schema: { hide: true, querystring: AuditPageQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const { checkpoint, ...query } = request.query;
      return show(reply, query, checkpoint === undefined ? {} : { checkpoint });
    },
  );

  app.post(
    '/inspector/audit/checkpoints',
    { schema: { hide: true, body: Type.Object({}) }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      try {
        const issued = await checkpoints.requestCheckpoint(currentUser(request), requestOrigin(request));
        return reply.redirect(`/inspector/audit?checkpoint=${issued.seq}`, 303);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        reply.code(error.statusCode);
        return show(reply, { limit: 500 }, { refused: error.message });
      }
    },
  );
};

export default auditPages;
