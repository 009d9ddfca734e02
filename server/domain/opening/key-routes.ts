import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity } from '../../lib/schemas.ts';
import { MIN_PASSPHRASE_LENGTH } from '../../lib/sealing.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { OpeningKeyService } from './keys.ts';

export const OpeningKeyBody = Type.Object({
  passphrase: Type.String({ minLength: MIN_PASSPHRASE_LENGTH, maxLength: 1024 }),
  oldPassphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});

const openingKeyRoutes: FastifyPluginAsyncTypebox<{ openingKeys: OpeningKeyService }> = async (app, { openingKeys }) => {
  app.put(
    '/api/v1/me/opening-key',
    {
      schema: {
        summary: '设置或修改开标密钥口令（招标代理、纪检监督员、密钥托管人）',
        tags: ['opening'],
        security: bearerSecurity,
        body: OpeningKeyBody,
        response: { 200: Type.Object({ publicKey: Type.String(), changed: Type.Boolean() }) },
      },
      onRequest: requireRole('agent', 'inspector', 'admin'),
    },
    async (request) =>
      openingKeys.setOpeningKey(currentUser(request), request.body, requestOrigin(request)),
  );
};

export default openingKeyRoutes;
