import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { CheckpointService } from './checkpoints.ts';
import type { AuditRecord } from './record.ts';
import { AuditEntry, AuditQuery, ChainCheckReply, CheckpointReply, filterOf } from './schemas.ts';
import type { AuditService } from './service.ts';

const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService; record: AuditRecord; checkpoints: CheckpointService }> = async (
  app,
  { audit, record, checkpoints },
) => {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        summary:
          '操作日志（纪检监督员），默认按序号升序，用 afterSeq 翻页；order=desc 时从新到旧，用 before 翻页。' +
          '可按 recruitmentId、action、actorId、from/to（北京时间日期或带时区的时间）筛选；指定 recruitmentId 时仅限该项目的纪检监督员或有全部项目监督权限者',
        tags: ['audit'],
        security: bearerSecurity,
        querystring: AuditQuery,
        response: { 200: Type.Array(AuditEntry) },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => {
      const { afterSeq, before, order, limit, ...query } = request.query;
      const filter = filterOf(query);
      if (filter.recruitmentId) await record.recordOf(currentUser(request), filter.recruitmentId);
      const entries = await record.listEntries({ ...filter, afterSeq, before, order, limit });
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
