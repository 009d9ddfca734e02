import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { MIN_PASSPHRASE_LENGTH } from '../../lib/sealing.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { OpeningKeyBody } from './key-routes.ts';
import type { OpeningKeyService } from './keys.ts';

const OpeningKeyForm = Type.Intersect([
  OpeningKeyBody,
  Type.Object({ confirmation: Type.String({ maxLength: 1024 }) }),
]);

const openingKeyPages: FastifyPluginAsyncTypebox<{ openingKeys: OpeningKeyService }> = async (app, { openingKeys }) => {
  const holders = requireRole('agent', 'inspector', 'admin');

  app.get('/me/opening-key', { schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 10 })) }) }, onRequest: holders }, async (request, reply) =>
    reply.page('opening/key', {
      title: '开标密钥口令',
      hasKey: await openingKeys.hasOpeningKey(currentUser(request).id),
      done: request.query.done === '1',
      minLength: MIN_PASSPHRASE_LENGTH,
    }),
  );

  app.post(
    '/me/opening-key',
    { schema: { hide: true, body: OpeningKeyForm }, attachValidation: true, onRequest: holders },
    async (request, reply) => {
      const user = currentUser(request);
      const show = async ({ status, errors }: FormFailure) =>
        reply.code(status).page('opening/key', {
          title: '开标密钥口令',
          hasKey: await openingKeys.hasOpeningKey(user.id),
          minLength: MIN_PASSPHRASE_LENGTH,
          errors,
        });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      const { passphrase, oldPassphrase, confirmation } = request.body;
      if (confirmation !== passphrase) return show({ status: 400, errors: { confirmation: '两次输入的口令不一致' } });
      try {
        await openingKeys.setOpeningKey(user, { passphrase, oldPassphrase: oldPassphrase || undefined }, requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect('/me/opening-key?done=1', 303);
    },
  );
};

export default openingKeyPages;
