import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdjustableClock } from '../lib/clock.ts';

// Registered only when PORTAL_TEST_CLOCK=1 (refused with NODE_ENV=production by config.ts):
// lets an end-to-end run reach deadlines without waiting. No sign-in, by design (SPEC §5).
const testClock: FastifyPluginAsyncTypebox<{ clock: AdjustableClock }> = async (app, { clock }) => {
  app.post(
    '/api/v1/_test/clock',
    {
      schema: {
        summary: '测试时钟：设置或拨快服务器时间（仅 PORTAL_TEST_CLOCK=1）',
        tags: ['test'],
        body: Type.Union([
          Type.Object({ now: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
          Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
        ]),
        response: { 200: Type.Object({ now: Type.String({ format: 'date-time' }) }) },
      },
    },
    async (request) => {
      if ('now' in request.body) clock.set(new Date(request.body.now));
      else clock.advance(request.body.advanceMs);
      return { now: clock.now().toISOString() };
    },
  );
};

export default testClock;
