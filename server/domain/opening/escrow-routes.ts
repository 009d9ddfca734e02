import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity, InstantOut, Nullable } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { EscrowService } from './escrow.ts';

const EscrowHolderBody = Type.Object({ userId: Nullable(Type.String({ format: 'uuid' })) });

const escrowRoutes: FastifyPluginAsyncTypebox<{ escrow: EscrowService }> = async (app, { escrow }) => {
  app.put(
    '/api/v1/settings/escrow-holder',
    {
      schema: {
        summary: '指定密钥托管人（系统管理员；须为已设置开标口令的管理员，null 为不指定）；此后发布的招募项目生效',
        tags: ['opening'],
        security: bearerSecurity,
        body: EscrowHolderBody,
        response: {
          200: Type.Object({
            holder: Nullable(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), designatedAt: InstantOut })),
          }),
        },
      },
      onRequest: requireRole('admin'),
    },
    async (request) => escrow.designateEscrowHolder(request.body.userId, currentUser(request), requestOrigin(request)),
  );
};

export default escrowRoutes;
