import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity } from '../../lib/schemas.ts';
import { requireRole } from '../../plugins/auth.ts';
import { AuditEntry, AuditQuery, ChainCheckReply } from './schemas.ts';
import type { AuditService } from './service.ts';

const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        summary: '操作日志（纪检监督员），按序号升序；用 afterSeq 翻页',
        tags: ['audit'],
        security: bearerSecurity,
        querystring: AuditQuery,
        response: { 200: Type.Array(AuditEntry) },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => {
      const entries = await audit.listEntries(request.query);
      return entries.map((entry) => ({ ...entry, at: entry.at.toISOString() }));
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        summary: '核验操作日志哈希链（纪检监督员）',
        tags: ['audit'],
        security: bearerSecurity,
        response: { 200: ChainCheckReply },
      },
      onRequest: requireRole('inspector'),
    },
    async () => audit.verifyChain(),
  );
};

export default auditRoutes;
