import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity as security } from '../../lib/schemas.ts';
import { currentUser, requireRole } from '../../plugins/auth.ts';
import { AlertQuery, AlertReply } from './schemas.ts';
import type { InspectionService } from './service.ts';

const inspectionRoutes: FastifyPluginAsyncTypebox<{ inspection: InspectionService }> = async (app, { inspection }) => {
  app.get(
    '/api/v1/inspector/alerts',
    {
      schema: {
        summary: '监督预警（纪检监督员：本人监督项目的预警，及涉及全体监督员的预警）',
        tags: ['inspection'],
        security,
        querystring: AlertQuery,
        response: { 200: Type.Array(AlertReply) },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => inspection.listAlerts(currentUser(request), request.query),
  );
};

export default inspectionRoutes;
