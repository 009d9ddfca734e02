import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import {
  BidParams,
  CommentBody,
  DeclarationBody,
  DrawBody,
  FileParams,
  MemberReplacementBody,
  QualificationBody,
  ScoresBody,
  SignOffBody,
  SupplementaryDrawBody,
} from './schemas.ts';
import { attachmentHeader } from '../../lib/content-disposition.ts';
import type { EvaluationService } from './service.ts';

const tags = ['evaluation'];
const viewers = requireRole('agent', 'inspector', 'expert');

const evaluationRoutes: FastifyPluginAsyncTypebox<{ evaluation: EvaluationService }> = async (app, { evaluation }) => {
  app.post(
    '/api/v1/recruitments/:id/panel/draw',
    {
      schema: {
        summary: '抽取评审委员会（经办人）：单数且不少于 5 人，排除与响应单位有关联的专家；种子与候选名单记入操作日志',
        tags,
        security,
        params: IdParams,
        body: DrawBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => evaluation.drawPanel(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/panel/supplementary-draw',
    {
      schema: {
        summary:
          '补充抽取（经办人）：抽取序列已用尽且有空缺席位时，以新的随机种子从未曾抽取的符合条件专家中抽取，按席位顺序递补；须说明原因，种子与候选名单记入操作日志',
        tags,
        security,
        params: IdParams,
        body: SupplementaryDrawBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => evaluation.supplementaryDraw(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/panel/replace',
    {
      schema: {
        summary:
          '更换评审专家（经办人）：本轮尚未提交评分的成员因故不能履职时，须说明原因；其席位由抽取序列中的下一名专家递补，序列已用尽的待补充抽取',
        tags,
        security,
        params: IdParams,
        body: MemberReplacementBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => evaluation.replaceMember(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/recruitments/:id/panel',
    {
      schema: { summary: '评审委员会、评审进度、响应单位与响应文件（经办人、纪检监督员、本项目评审专家）', tags, security, params: IdParams },
      onRequest: viewers,
    },
    async (request) => evaluation.getPanel(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/panel/declaration',
    {
      schema: { summary: '回避声明（评审专家）；申请回避的由抽取序列中的下一名专家递补', tags, security, params: IdParams, body: DeclarationBody },
      onRequest: requireRole('expert'),
    },
    async (request) => evaluation.declare(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.put(
    '/api/v1/recruitments/:id/qualification/:bidId',
    {
      schema: { summary: '资格审查（评审委员会组长）：逐项通过/不通过，不通过须说明理由', tags, security, params: BidParams, body: QualificationBody },
      onRequest: requireRole('expert'),
    },
    async (request) =>
      evaluation.reviewQualification(request.params.id, request.params.bidId, request.body, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/recruitments/:id/scores',
    { schema: { summary: '本人的评分（评审专家）', tags, security, params: IdParams }, onRequest: requireRole('expert') },
    async (request) => evaluation.myScores(request.params.id, currentUser(request)),
  );

  app.put(
    '/api/v1/recruitments/:id/scores/:bidId',
    {
      schema: { summary: '评分（评审专家）：每项 0 至满分，以 0.5 分为单位；提交前可修改', tags, security, params: BidParams, body: ScoresBody },
      onRequest: requireRole('expert'),
    },
    async (request) =>
      evaluation.saveScores(request.params.id, request.params.bidId, request.body, currentUser(request), requestOrigin(request)),
  );

  app.put(
    '/api/v1/recruitments/:id/scores/:bidId/comment',
    {
      schema: { summary: '评审意见（评审专家）：提交后、确认前仍可补写，用于偏离中位数的书面理由', tags, security, params: BidParams, body: CommentBody },
      onRequest: requireRole('expert'),
    },
    async (request) =>
      evaluation.saveComment(request.params.id, request.params.bidId, request.body.comment, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/scores/submit',
    { schema: { summary: '提交评分（评审专家），提交后锁定', tags, security, params: IdParams }, onRequest: requireRole('expert') },
    async (request) => evaluation.submitScores(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/recruitments/:id/evaluation',
    {
      schema: { summary: '评审结果（经办人、纪检监督员、评审专家）；全部专家提交评分前答复 409', tags, security, params: IdParams },
      onRequest: viewers,
    },
    async (request) => evaluation.getEvaluation(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/evaluation/confirm',
    { schema: { summary: '确认评审结果（评审专家）', tags, security, params: IdParams }, onRequest: requireRole('expert') },
    async (request) => evaluation.confirmEvaluation(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/evaluation/sign-off',
    {
      schema: { summary: '评审监督签字确认（纪检监督员，全部专家确认后；记录操作日志链头）', tags, security, params: IdParams, body: SignOffBody },
      onRequest: requireRole('inspector'),
    },
    async (request) => evaluation.signOff(request.params.id, request.body.comment, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/recruitments/:id/bids/:bidId/files/:fileId',
    {
      schema: { summary: '下载已开启的响应文件（评审专家、经办人、纪检监督员；每次下载记入操作日志）', tags, security, params: FileParams },
      onRequest: viewers,
    },
    async (request, reply) => {
      const file = await evaluation.openBidFile(
        request.params.id,
        request.params.bidId,
        request.params.fileId,
        currentUser(request),
        requestOrigin(request),
      );
      return reply.type('application/pdf').header('content-disposition', attachmentHeader(file.name)).send(file.stream);
    },
  );
};

export default evaluationRoutes;
