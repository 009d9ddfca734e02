import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { AcceptBody, AnswerBody, ChangeRequestBody, signingUploadConfig, TerminateBody } from './schemas.ts';
import type { PartnershipService } from './service.ts';
import { readSigningUpload } from './upload.ts';

const tags = ['partnerships'];

// The partnership API (issue 17), in the style of SPEC §5: the organisation reviews, accepts and
// signs its agreement; the agent answers requests for changes; the inspector reads.
const partnershipRoutes: FastifyPluginAsyncTypebox<{ partnerships: PartnershipService }> = async (app, { partnerships }) => {
  app.get(
    '/api/v1/recruitments/:id/partnerships',
    {
      schema: { summary: '入选后的合作关系：状态、签约期限、协议各版本、修改申请、正式协议（经办人、纪检监督员见全部，入选单位只见本单位的）', tags, security, params: IdParams },
      onRequest: requireRole('agent', 'inspector', 'bidder'),
    },
    async (request) => partnerships.listPartnerships(request.params.id, currentUser(request)),
  );

  app.get(
    '/api/v1/partnerships',
    { schema: { summary: '本单位的合作关系（入选单位）', tags, security }, onRequest: requireRole('bidder') },
    async (request) => partnerships.ownPartnerships(currentUser(request)),
  );

  app.get(
    '/api/v1/partnerships/:id',
    { schema: { summary: '一项合作关系', tags, security, params: IdParams }, onRequest: requireRole('agent', 'inspector', 'bidder') },
    async (request) => partnerships.getPartnership(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/accept',
    {
      schema: { summary: '确认协议文本（入选单位，须为最新版本且无待答复的修改申请）：中心随即签发并电子签名正式协议', tags, security, params: IdParams, body: AcceptBody },
      onRequest: requireRole('bidder'),
    },
    async (request) => partnerships.acceptAgreement(request.params.id, request.body.version, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/change-requests',
    {
      schema: { summary: '对协议文本提出修改申请（入选单位，在招募文件范围内；确认前）', tags, security, params: IdParams, body: ChangeRequestBody },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) =>
      reply.code(201).send(await partnerships.requestChanges(request.params.id, request.body.text, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/api/v1/agreement-change-requests/:id/answer',
    {
      schema: {
        summary: '答复修改申请（经办人）：revised 签发新版本协议文本（可改合作期限，不超过招募文件规定且不超过 60 个月），refused 说明理由',
        tags,
        security,
        params: IdParams,
        body: AnswerBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => partnerships.answerChangeRequest(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/sign',
    {
      schema: {
        summary: '签署正式协议（入选单位）：multipart，p12 为本单位数字证书（PKCS#12），password 为其密码；以增量更新追加乙方签名，证书不保存',
        tags,
        security,
        params: IdParams,
        consumes: ['multipart/form-data'],
      },
      config: signingUploadConfig,
      onRequest: requireRole('bidder'),
    },
    async (request) => partnerships.signAgreement(request.params.id, await readSigningUpload(request), currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/activate',
    { schema: { summary: '确认合作伙伴已进场运营（经办人，协议签订后）', tags, security, params: IdParams }, onRequest: requireRole('agent') },
    async (request) => partnerships.activatePartnership(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/terminate',
    {
      schema: {
        summary: '终止合作（该招募项目的经办人；须整改中且最近一次完成的考核为不合格的整改复核）：签发终止合作通知书，记入本中心对该单位的记录',
        tags,
        security,
        params: IdParams,
        body: TerminateBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => partnerships.terminatePartnership(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );
};

export default partnershipRoutes;
