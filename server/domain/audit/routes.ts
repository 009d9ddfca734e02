import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { CheckpointService } from './checkpoints.ts';
import { AuditEntry, AuditQuery, ChainCheckReply, CheckpointReply } from './schemas.ts';
import type { AuditService } from './service.ts';

const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService; checkpoints: CheckpointService }> = async (app, { audit, checkpoints }) => {
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

  app.post(
    '/api/v1/audit/checkpoints',
    {
      schema: {
        summary: '签发操作日志检查点（纪检监督员）：签名 PDF 记载当前链头，邮件发送给每位纪检监督员',
        tags: ['audit'],
        security: bearerSecurity,
        response: { 201: CheckpointReply },
      },
      onRequest: requireRole('inspector'),
    },
    async (request, reply) => {
      const checkpoint = await checkpoints.requestCheckpoint(currentUser(request), requestOrigin(request));
      return reply.code(201).send({ ...checkpoint, issuedAt: checkpoint.issuedAt.toISOString() });
    },
  );
};

export default auditRoutes;
