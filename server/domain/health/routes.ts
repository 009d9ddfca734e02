import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HealthService } from './service.ts';

const tags = ['operations'];
const Checks = Type.Object({ database: Type.String(), migrations: Type.String(), storage: Type.String() });

// /healthz: the process answers. /readyz: it can serve now (503 with Retry-After when not).
const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  app.get(
    '/healthz',
    { schema: { summary: '存活检查：进程在运行', tags, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: '就绪检查：数据库可用、迁移已完成、存储可写',
        tags,
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Checks }),
          503: Type.Object({ status: Type.Literal('not_ready'), checks: Checks }),
        },
      },
    },
    async (_request, reply) => {
      const { ready, checks } = await health.readiness();
      reply.header('cache-control', 'no-store');
      if (ready) return reply.send({ status: 'ready' as const, checks });
      return reply.code(503).header('retry-after', '5').send({ status: 'not_ready' as const, checks });
    },
  );
};

export default healthRoutes;
