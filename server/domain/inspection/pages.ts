import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALERT_STATUS_LABELS, SEVERITY_LABELS } from '../../lib/labels.ts';
import { indicatorLabel } from './indicators/index.ts';
import { currentUser, requireRole } from '../../plugins/auth.ts';
import { AlertQuery } from './schemas.ts';
import type { InspectionService } from './service.ts';
import { ALERT_STATUSES } from './types.ts';

const inspectionPages: FastifyPluginAsyncTypebox<{ inspection: InspectionService }> = async (app, { inspection }) => {
  app.get(
    '/inspector/alerts',
    { schema: { hide: true, querystring: AlertQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const list = await inspection.listAlerts(currentUser(request), request.query);
      return reply.page('inspector/alerts', {
        title: '监督预警',
        filter: request.query,
        statuses: ALERT_STATUSES.map((value) => ({ value, label: ALERT_STATUS_LABELS[value] })),
        alerts: list.map((alert) => ({
          ...alert,
          indicatorLabel: indicatorLabel(alert.indicator),
          severityLabel: SEVERITY_LABELS[alert.severity],
          statusLabel: ALERT_STATUS_LABELS[alert.status],
        })),
      });
    },
  );
};

export default inspectionPages;
