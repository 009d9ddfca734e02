import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { CompleteBody, completeInputOf, ScheduleBody } from './schemas.ts';
import type { ReviewService } from './service.ts';

const tags = ['reviews'];

// The reviews' API (issue 17): the recruitment's agent schedules and completes; the partner, the
// agent and the inspector read.
const reviewRoutes: FastifyPluginAsyncTypebox<{ reviews: ReviewService }> = async (app, { reviews }) => {
  app.get(
    '/api/v1/partnerships/:id/reviews',
    {
      schema: { summary: '合作关系的绩效考核：各次考核的期间、得分、结果及考核结果通知书（经办人、纪检监督员、合作单位本身）', tags, security, params: IdParams },
      onRequest: requireRole('agent', 'inspector', 'bidder'),
    },
    async (request) => reviews.listReviews(request.params.id, currentUser(request)),
  );

  app.get(
    '/api/v1/reviews/:id',
    { schema: { summary: '一次考核；未完成的附考核期间的职工评价和公益名额数据', tags, security, params: IdParams }, onRequest: requireRole('agent', 'inspector', 'bidder') },
    async (request) => reviews.getReview(request.params.id, currentUser(request)),
  );

  app.post(
    '/api/v1/partnerships/:id/reviews',
    {
      schema: {
        summary: '安排考核（该招募项目的经办人，合作中）：stage 阶段考核，final 终期考核（考核期间截至合作期满）；期间不得重叠，同时只能有一项未完成的考核',
        tags,
        security,
        params: IdParams,
        body: ScheduleBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request, reply) => {
      const { kind, periodFrom, periodTo, dueAt } = request.body;
      const review = await reviews.scheduleReview(
        request.params.id,
        { kind, periodFrom: new Date(periodFrom), ...(periodTo ? { periodTo: new Date(periodTo) } : {}), dueAt: new Date(dueAt) },
        currentUser(request),
        requestOrigin(request),
      );
      return reply.code(201).send(review);
    },
  );

  app.post(
    '/api/v1/reviews/:id/complete',
    {
      schema: {
        summary:
          '完成考核（该招募项目的经办人，考核期间结束后）：各项权重之和为 100 且职工满意度权重最大；满意度得分由平台按期间内职工评价的满意率计算；负面清单逐项作答；结果为限期整改时须填整改期限（不超过 90 天）',
        tags,
        security,
        params: IdParams,
        body: CompleteBody,
      },
      onRequest: requireRole('agent'),
    },
    async (request) => reviews.completeReview(request.params.id, completeInputOf(request.body), currentUser(request), requestOrigin(request)),
  );
};

export default reviewRoutes;
