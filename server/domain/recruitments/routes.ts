import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import {
  AmendmentBody,
  AnnouncementReply,
  CreateRecruitmentBody,
  ListQuery,
  PublicationBody,
  PublishBody,
  ReasonBody,
  RecruitmentReply,
  RecruitmentSummaryReply,
  StatusReply,
  TextBody,
  UpdateRecruitmentBody,
} from './schemas.ts';
import type { AwardService } from '../awards/service.ts';
import type { PartnershipService } from '../partnerships/service.ts';
import type { PublicVersions } from './public-versions.ts';
import type { RecruitmentService } from './service.ts';
import { buildReleasePackage } from './ocds.ts';

const tags = ['recruitments'];
const JSON_TYPE = 'application/json; charset=utf-8';

export interface RecruitmentRouteOptions {
  recruitments: RecruitmentService;
  awards: Pick<AwardService, 'openDataResults'>;
  partnerships: Pick<PartnershipService, 'openDataContracts'>;
  versions: PublicVersions;
  publicUrl: string;
  publisherName: string;
  now: () => Date;
}

const recruitmentRoutes: FastifyPluginAsyncTypebox<RecruitmentRouteOptions> = async (app, options) => {
  const { recruitments, versions } = options;

  app.get(
    '/api/v1/recruitments',
    {
      schema: {
        summary: '招募项目列表（公开：已发布的项目；经办人另见自己的草稿，纪检监督员见全部）',
        tags,
        querystring: ListQuery,
        response: { 200: Type.Array(RecruitmentSummaryReply) },
      },
    },
    async (request, reply) => {
      if (request.user) return recruitments.listRecruitments(request.query, request.user);
      const version = await versions.ofList();
      return reply.anonymousBody(`list ${JSON.stringify(request.query)}`, version, JSON_TYPE, async () => ({
        body: String(reply.serialize(await recruitments.listRecruitments(request.query, null))),
        validUntil: Infinity,
      }));
    },
  );

  app.get(
    '/api/v1/recruitments/:id',
    { schema: { summary: '招募项目详情（含公告、答疑、类别、评分因素）', tags, params: IdParams, response: { 200: RecruitmentReply } } },
    async (request, reply) => {
      const { id } = request.params;
      if (request.user) return recruitments.getRecruitment(id, request.user);
      const version = await versions.ofRecruitment(id);
      return reply.anonymousBody(`recruitment ${id}`, version, JSON_TYPE, async () => ({
        body: String(reply.serialize(await recruitments.getRecruitment(id, null))),
        validUntil: Infinity,
      }));
    },
  );

  app.get(
    '/api/v1/recruitments/:id/ocds',
    { schema: { summary: 'OCDS 1.1 发布包（开放数据）', tags, params: IdParams } },
    async (request) => {
      const recruitment = await recruitments.getRecruitment(request.params.id, request.user);
      // OCDS has no empty release package: a recruitment is open data from its publication on
      if (!recruitment.publishedAt) throw new AppError('NOT_FOUND', '招募公告尚未发布');
      return buildReleasePackage(
        recruitment,
        { publicUrl: options.publicUrl, publisherName: options.publisherName, now: options.now() },
        await options.awards.openDataResults(recruitment),
        await options.partnerships.openDataContracts(recruitment.id),
      );
    },
  );

  app.post(
    '/api/v1/recruitments',
    {
      schema: { summary: '新建招募项目草稿（招标代理）', tags, security, body: CreateRecruitmentBody, response: { 201: RecruitmentReply } },
      onRequest: requireRole('agent'),
    },
    async (request, reply) =>
      reply.code(201).send(await recruitments.createDraft(request.body, currentUser(request), requestOrigin(request))),
  );

  app.patch(
    '/api/v1/recruitments/:id',
    {
      schema: { summary: '修改草稿（仅草稿）', tags, security, params: IdParams, body: UpdateRecruitmentBody, response: { 200: RecruitmentReply } },
      onRequest: requireRole('agent'),
    },
    async (request) => recruitments.updateDraft(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/publish',
    {
      schema: { summary: '发布招募公告（须已记录集体决策、指定纪检监督员）', tags, security, params: IdParams, body: PublishBody, response: { 200: StatusReply } },
      onRequest: requireRole('agent'),
    },
    async (request) => recruitments.publish(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/publications',
    {
      schema: { summary: '登记其他发布渠道（交易平台、工会网站、报纸）', tags, security, params: IdParams, body: PublicationBody, response: { 201: Type.Object({ id: Type.String() }) } },
      onRequest: requireRole('agent'),
    },
    async (request, reply) =>
      reply.code(201).send(await recruitments.addPublication(request.params.id, request.body, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/api/v1/recruitments/:id/amendments',
    {
      schema: { summary: '发布更正/澄清公告（15 日规则）', tags, security, params: IdParams, body: AmendmentBody, response: { 201: AnnouncementReply } },
      onRequest: requireRole('agent'),
    },
    async (request, reply) =>
      reply.code(201).send(await recruitments.amend(request.params.id, request.body, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/api/v1/recruitments/:id/cancel',
    {
      schema: { summary: '终止招募（招标代理，须说明理由；纪检监督员会签）', tags, security, params: IdParams, body: ReasonBody, response: { 200: StatusReply } },
      onRequest: requireRole('agent'),
    },
    async (request) => recruitments.cancelRecruitment(request.params.id, request.body.reason, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/cancel/countersign',
    {
      schema: { summary: '会签终止（纪检监督员，记录操作日志链头）', tags, security, params: IdParams },
      onRequest: requireRole('inspector'),
    },
    async (request) => recruitments.countersignCancellation(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/suspend',
    {
      schema: { summary: '暂停招募（纪检监督员，须说明理由）', tags, security, params: IdParams, body: ReasonBody, response: { 200: StatusReply } },
      onRequest: requireRole('inspector'),
    },
    async (request) => recruitments.suspendRecruitment(request.params.id, request.body.reason, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/resume',
    {
      schema: { summary: '恢复招募（纪检监督员），回到暂停前的状态', tags, security, params: IdParams, response: { 200: StatusReply } },
      onRequest: requireRole('inspector'),
    },
    async (request) => recruitments.resumeRecruitment(request.params.id, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/recruitments/:id/questions',
    {
      schema: { summary: '提问（社会组织，提问截止前）', tags, security, params: IdParams, body: TextBody, response: { 201: Type.Object({ id: Type.String(), askedAt: Type.Unsafe<Date>({ type: 'string', format: 'date-time' }) }) } },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) =>
      reply.code(201).send(await recruitments.askQuestion(request.params.id, request.body.text, currentUser(request), requestOrigin(request))),
  );

  app.get(
    '/api/v1/recruitments/:id/questions',
    {
      schema: { summary: '全部问题（经办人、纪检监督员；不显示提问人）', tags, security, params: IdParams },
      onRequest: requireRole('agent', 'inspector'),
    },
    async (request) => recruitments.listQuestions(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/questions/:id/answer',
    {
      schema: { summary: '答复问题（经办人；答复向所有人公开，不显示提问人）', tags, security, params: IdParams, body: TextBody },
      onRequest: requireRole('agent'),
    },
    async (request) => recruitments.answerQuestion(request.params.id, request.body.text, currentUser(request), requestOrigin(request)),
  );

  app.put(
    '/api/v1/recruitments/:id/follow',
    {
      schema: { summary: '关注招募项目（更正公告和答疑以邮件通知）', tags, security, params: IdParams, response: { 200: Type.Object({ following: Type.Boolean() }) } },
      onRequest: requireRole('bidder'),
    },
    async (request) => recruitments.follow(request.params.id, currentUser(request), true),
  );

  app.delete(
    '/api/v1/recruitments/:id/follow',
    {
      schema: { summary: '取消关注', tags, security, params: IdParams, response: { 200: Type.Object({ following: Type.Boolean() }) } },
      onRequest: requireRole('bidder'),
    },
    async (request) => recruitments.follow(request.params.id, currentUser(request), false),
  );
};

export default recruitmentRoutes;
