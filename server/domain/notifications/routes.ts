import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, ErrorReply } from '../../lib/schemas.ts';
import { currentUser, requestOrigin, requireRole } from '../../plugins/auth.ts';
import { NotificationSettingsBody } from './schemas.ts';
import type { NotificationService } from './service.ts';

// The inspector's notification settings: the daily digest, which only inspectors receive.

const notificationRoutes: FastifyPluginAsyncTypebox<{ notifications: NotificationService }> = async (app, { notifications }) => {
  app.get(
    '/api/v1/me/notifications',
    {
      schema: { summary: '邮件通知设置（纪检监督员）', tags: ['accounts'], security, response: { 200: NotificationSettingsBody } },
      onRequest: requireRole('inspector'),
    },
    async (request) => notifications.settingsOf(currentUser(request)),
  );

  app.patch(
    '/api/v1/me/notifications',
    {
      schema: {
        summary: '开启或关闭每日监督摘要邮件（纪检监督员）',
        tags: ['accounts'],
        security,
        body: NotificationSettingsBody,
        response: { 200: NotificationSettingsBody, 400: ErrorReply },
      },
      onRequest: requireRole('inspector'),
    },
    async (request) => notifications.changeSettings(currentUser(request), request.body, requestOrigin(request)),
  );
};

export default notificationRoutes;
