import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { requireRole } from '../../plugins/auth.ts';
import type { OrganizationRecordService } from './service.ts';

const organizationRecordRoutes: FastifyPluginAsyncTypebox<{ records: OrganizationRecordService }> = async (app, { records }) => {
  app.get(
    '/api/v1/organizations/:id/records',
    {
      schema: { summary: '本中心对该单位的合作记录（如终止合作），附所依据文件的核验网址（经办人、纪检监督员）', tags: ['organizations'], security, params: IdParams },
      onRequest: requireRole('agent', 'inspector'),
    },
    async (request) => records.listRecords(request.params.id),
  );
};

export default organizationRecordRoutes;
