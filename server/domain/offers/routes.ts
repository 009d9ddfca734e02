import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { OfferBody } from './schemas.ts';
import type { OfferService } from './service.ts';
import type { createSiteOffers } from './site.ts';

const tags = ['offers'];

// The published services (issue 17): the partner keeps its catalogue; the site's offers are public.
const offerRoutes: FastifyPluginAsyncTypebox<{ offers: OfferService; sites: ReturnType<typeof createSiteOffers> }> = async (app, { offers, sites }) => {
  app.get(
    '/api/v1/sites/:id/offers',
    { schema: { summary: '服务阵地公示（无需登录）：招募项目对应阵地的合作伙伴及其服务项目、开放时间、流程、价格与各群体优惠、每月公益名额', tags, params: IdParams } },
    async (request) => sites.siteOffers(request.params.id),
  );

  app.get(
    '/api/v1/partnerships/:id/offers',
    {
      schema: { summary: '合作伙伴的服务目录及每项服务的全部历史版本（入选单位本身、经办人、纪检监督员）', tags, security, params: IdParams },
      onRequest: requireRole('agent', 'inspector', 'bidder'),
    },
    async (request) => offers.partnershipOffers(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/offers',
    {
      schema: { summary: '发布一项服务（入选单位本身，协议签订后、合作结束前）', tags, security, params: IdParams, body: OfferBody },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => reply.code(201).send(await offers.publishOffer(request.params.id, request.body, currentUser(request), requestOrigin(request))),
  );

  app.put(
    '/api/v1/offers/:id',
    {
      schema: { summary: '修改一项服务（入选单位本身）：保存为新版本，旧版本保留，价格和名额的变化记入操作日志', tags, security, params: IdParams, body: OfferBody },
      onRequest: requireRole('bidder'),
    },
    async (request) => offers.changeOffer(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );
};

export default offerRoutes;
