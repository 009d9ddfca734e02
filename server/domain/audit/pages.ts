import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../../plugins/auth.ts';
import { AuditQuery } from './schemas.ts';
import type { AuditService } from './service.ts';

const auditPages: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/inspector/audit',
    { schema: { hide: true, querystring: AuditQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const [entries, check] = await Promise.all([audit.listEntries(request.query), audit.verifyChain()]);
      const last = entries.at(-1);
      return reply.page('inspector/audit', {
        title: '操作日志',
        entries,
        check,
        nextSeq: entries.length === request.query.limit && last ? last.seq : null,
      });
    },
  );
};

export default auditPages;
