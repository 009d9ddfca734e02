import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../lib/schemas.ts';
import { requireRole } from '../../plugins/auth.ts';
import type { OrganizationRecordService } from './service.ts';

// The centre's record of an organisation as a page, for agents and inspectors.
const organizationRecordPages: FastifyPluginAsyncTypebox<{ records: OrganizationRecordService }> = async (app, { records }) => {
  app.get('/organizations/:id/records', { schema: { hide: true, params: IdParams }, onRequest: requireRole('agent', 'inspector') }, async (request, reply) => {
    const { organization, records: list } = await records.listRecords(request.params.id);
    return reply.page('records/list', { title: `本中心记录：${organization.name}`, organization, records: list });
  });
};

export default organizationRecordPages;
