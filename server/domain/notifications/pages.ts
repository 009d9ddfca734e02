import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, requestOrigin, requireRole } from '../../plugins/auth.ts';
import { DIGEST_HOUR } from './digest-mail.ts';
import { NotificationSettingsForm } from './schemas.ts';
import type { NotificationService } from './service.ts';

// The page where an inspector turns the daily digest off and on (linked from every digest).

const notificationPages: FastifyPluginAsyncTypebox<{ notifications: NotificationService }> = async (app, { notifications }) => {
  app.get(
    '/me/notifications',
    {
      schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 5 })) }) },
      onRequest: requireRole('inspector'),
    },
    async (request, reply) =>
      reply.page('accounts/notifications', {
        title: '邮件通知',
        settings: await notifications.settingsOf(currentUser(request)),
        digestHour: DIGEST_HOUR,
        done: request.query.done === '1',
      }),
  );

  app.post(
    '/me/notifications',
    { schema: { hide: true, body: NotificationSettingsForm }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      await notifications.changeSettings(currentUser(request), { dailyDigest: request.body.dailyDigest === 'on' }, requestOrigin(request));
      return reply.redirect('/me/notifications?done=1', 303);
    },
  );
};

export default notificationPages;
