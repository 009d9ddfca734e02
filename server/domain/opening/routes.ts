import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { UnlockBody } from './schemas.ts';
import type { OpeningService } from './service.ts';

const TextBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 5000 }) });
const tags = ['opening'];

const openingRoutes: FastifyPluginAsyncTypebox<{ opening: OpeningService }> = async (app, { opening }) => {
  app.post(
    '/api/v1/recruitments/:id/opening/start',
    {
      schema: { summary: '开始开标（经办人，提交截止时间到达后）', tags, security, params: IdParams },
      onRequest: requireRole('agent'),
    },
    async (request) => opening.startOpening(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/opening/attend',
    {
      schema: { summary: '开标签到（纪检监督员、响应单位）', tags, security, params: IdParams },
      onRequest: requireRole('inspector', 'bidder'),
    },
    async (request) => opening.attend(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/opening/unlock',
    {
      schema: {
        summary: '输入开标口令（密钥持有人；密钥托管人须说明理由）；两人输入且纪检监督员到场后解密响应文件',
        tags,
        security,
        params: IdParams,
        body: UnlockBody,
      },
      onRequest: requireRole('agent', 'inspector', 'admin'),
    },
    async (request) => opening.unlock(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/recruitments/:id/opening',
    {
      schema: { summary: '开标情况与开标记录（经办人、纪检监督员、本项目响应单位）', tags, security, params: IdParams },
      onRequest: requireRole('agent', 'inspector', 'bidder'),
    },
    async (request) => opening.getOpening(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/opening/objections',
    {
      schema: { summary: '提出异议（响应单位，开标过程中）', tags, security, params: IdParams, body: TextBody },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) =>
      reply.code(201).send(await opening.raiseObjection(request.params.id, request.body.text, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/api/v1/objections/:id/answer',
    {
      schema: { summary: '答复异议（经办人，记入开标记录）', tags, security, params: IdParams, body: TextBody },
      onRequest: requireRole('agent'),
    },
    async (request) => opening.answerObjection(request.params.id, request.body.text, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/opening/sign-off',
    {
      schema: {
        summary: '开标监督签字确认（纪检监督员，记录操作日志链头）',
        tags,
        security,
        params: IdParams,
        body: Type.Object({ comment: Type.String({ maxLength: 2000 }) }),
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => opening.signOff(request.params.id, request.body.comment, currentUser(request), requestOrigin(request)),
  );
};

export default openingRoutes;
