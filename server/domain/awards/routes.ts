import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { AwardSignOffBody, ChallengeAnswerBody, ChallengeBody, RedoBody } from './schemas.ts';
import type { AwardService } from './service.ts';

const tags = ['publicity'];

const awardRoutes: FastifyPluginAsyncTypebox<{ awards: AwardService }> = async (app, { awards }) => {
  app.post(
    '/api/v1/recruitments/:id/publicity',
    {
      schema: { summary: '公示中选候选人（经办人，评审经纪检监督员签字确认后）；公示期为 publicityDays × 24 小时', tags, security, params: IdParams },
      onRequest: requireRole('agent'),
    },
    async (request) => awards.announceCandidates(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/recruitments/:id/publicity',
    {
      schema: {
        summary: '公示与定标：中选候选人、入选结果；质疑（经办人、纪检监督员见全部及质疑单位，响应单位只见本单位的）',
        tags,
        params: IdParams,
      },
    },
    async (request) => awards.getPublicity(request.params.id, request.user),
  );

  app.post(
    '/api/v1/recruitments/:id/challenges',
    {
      schema: { summary: '提出质疑（参加本项目的响应单位，公示期内）', tags, security, params: IdParams, body: ChallengeBody },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) =>
      reply.code(201).send(await awards.raiseChallenge(request.params.id, request.body.text, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/api/v1/challenges/:id/answer',
    {
      schema: { summary: '答复质疑（经办人）；质疑成立的，须重新评审后方可定标', tags, security, params: IdParams, body: ChallengeAnswerBody },
      onRequest: requireRole('agent'),
    },
    async (request) => awards.answerChallenge(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/evaluation/redo',
    {
      schema: {
        summary:
          '重新评审（经办人）：本轮公示有成立的质疑且质疑均已答复时，撤回公示，由原评审委员会进行下一轮评审；replace 所列在任专家予以更换，由抽取序列中的下一名专家递补',
        tags,
        security,
        params: IdParams,
        body: RedoBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => awards.redoEvaluation(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/award/sign-off',
    {
      schema: {
        summary: '定标监督签字确认（纪检监督员，公示期满且质疑均已答复、无成立的质疑；记录操作日志链头）',
        tags,
        security,
        params: IdParams,
        body: AwardSignOffBody,
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => awards.signOffAward(request.params.id, request.body.comment, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/award',
    {
      schema: { summary: '定标（经办人，定标签字确认后）：确定各类别入选单位', tags, security, params: IdParams },
      onRequest: requireRole('agent'),
    },
    async (request) => awards.awardRecruitment(request.params.id, currentUser(request), requestOrigin(request)),
  );
};

export default awardRoutes;
