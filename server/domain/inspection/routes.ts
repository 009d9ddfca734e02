import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { PartnershipOversight } from './partnerships.ts';
import { AlertQuery, AlertReply, DecisionBody, DeskReply, PartnershipQuery } from './schemas.ts';
import type { InspectionService } from './service.ts';

const inspectionRoutes: FastifyPluginAsyncTypebox<{ inspection: InspectionService; partnerships: PartnershipOversight }> = async (app, { inspection, partnerships }) => {
  app.get(
    '/api/v1/inspector/alerts',
    {
      schema: {
        summary: '监督预警（纪检监督员：本人监督项目的预警，及涉及全体监督员的预警；全部项目监督员：全部预警）',
        tags: ['inspection'],
        security,
        querystring: AlertQuery,
        response: { 200: Type.Array(AlertReply) },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => inspection.listAlerts(currentUser(request), request.query),
  );

  app.post(
    '/api/v1/inspector/alerts/:id/decision',
    {
      schema: {
        summary: '处理监督预警：排除（dismissed）、上报（escalated）或重新打开（open），须附处理说明；记入操作日志',
        tags: ['inspection'],
        security,
        params: IdParams,
        body: DecisionBody,
        response: { 200: AlertReply },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => inspection.decideAlert(request.params.id, request.body, currentUser(request), requestOrigin(request)),
  );

  app.get(
    '/api/v1/inspector/desk',
    {
      schema: {
        summary: '监督工作台：本人监督的招募项目（全部项目监督员：全部项目），各项目的阶段、下一截止时间、待签字事项、未答复的异议和质疑、未处理的预警',
        tags: ['inspection'],
        security,
        response: { 200: DeskReply },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => inspection.deskOf(currentUser(request)),
  );

  app.get(
    '/api/v1/inspector/partnerships',
    {
      schema: {
        summary:
          '监督的合作关系（纪检监督员：本人监督项目的，全部项目监督员：全部）：入选单位、类别、状态、签约期限与合作期、考核（类别、应完成日期、结果）、职工满意度（评价数、满意率）、未处理的合作类预警、终止合作通知书；recruitmentId 限定一个项目（非本人监督的项目 403）',
        tags: ['inspection'],
        security,
        querystring: PartnershipQuery,
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => partnerships.partnershipsOverseen(currentUser(request), request.query),
  );
};

export default inspectionRoutes;
