import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { sendDocument } from '../documents/http.ts';
import type { DocumentService } from '../documents/service.ts';
import { deviceToken } from './device.ts';
import { PeriodQuery, RatingBody, ServiceUseBody } from './schemas.ts';
import type { SatisfactionService } from './service.ts';

const tags = ['satisfaction'];

// Worker satisfaction's API (issue 17): the partner issues proof-of-use codes, anyone holding one
// rates once without signing in, each party reads the figures it may see, and the poster.
const satisfactionRoutes: FastifyPluginAsyncTypebox<{ satisfaction: SatisfactionService; documents: Pick<DocumentService, 'downloadDocument'>; secureCookies: boolean }> = async (
  app,
  { satisfaction, documents, secureCookies },
) => {
  app.post(
    '/api/v1/partnerships/:id/service-uses',
    {
      schema: {
        summary: '发放评价码（入选单位本身，合作中或整改中）：记录一次服务及其名额类型（免费/优惠/按价），返回仅显示一次的评价码和评价网址',
        tags,
        security,
        params: IdParams,
        body: ServiceUseBody,
      },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => reply.code(201).send(await satisfaction.issueServiceUse(request.params.id, request.body, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/api/v1/ratings',
    {
      schema: {
        summary: '职工满意度评价（无需登录）：凭评价码评价一次，1–5 分、所属群体、可选意见（不超过 500 字）；按设备和网络地址限制次数',
        tags,
        body: RatingBody,
      },
    },
    async (request, reply) => {
      const { partnershipId, ...input } = request.body;
      const rated = await satisfaction.rate(partnershipId, input, { ip: request.ip, deviceToken: deviceToken(request, reply, secureCookies) });
      return reply.code(201).send(rated);
    },
  );

  app.get(
    '/api/v1/partnerships/:id/satisfaction',
    {
      schema: {
        summary: '满意度汇总（from、to 为北京时间日期，含两端；默认自协议签订起）：入选单位只见汇总数据，经办人和纪检监督员另见意见建议',
        tags,
        security,
        params: IdParams,
        querystring: PeriodQuery,
      },
      onRequest: requireRole('agent', 'inspector', 'bidder'),
    },
    async (request) => satisfaction.partnershipSatisfaction(request.params.id, currentUser(request), request.query),
  );

  app.get(
    '/api/v1/partnerships/:id/poster.pdf',
    {
      schema: { summary: '满意度评价海报（A4，带评价二维码，电子签名；首次下载时签发）', tags, security, params: IdParams },
      onRequest: requireRole('agent', 'inspector', 'bidder'),
    },
    async (request, reply) => {
      const id = await satisfaction.posterOf(request.params.id, currentUser(request), requestOrigin(request));
      return sendDocument(request, reply, documents, id);
    },
  );
};

export default satisfactionRoutes;
