import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../../lib/clock.ts';
import { IdParams } from '../../lib/schemas.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { formatRemaining, STATUS_LABELS } from '../../lib/labels.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { AwardService } from '../awards/service.ts';
import { buildAtomFeed } from './feed.ts';
import { ListQuery, ReasonBody, TextBody } from './schemas.ts';
import type { RecruitmentService } from './service.ts';
import { allowedActions } from './state.ts';
import { RECRUITMENT_STATUSES } from './types.ts';

export interface RecruitmentPageOptions {
  recruitments: RecruitmentService;
  awards: Pick<AwardService, 'publicResults'>;
  clock: Clock;
  publicUrl: string;
  siteTitle: string;
}

const DONE_MESSAGES: Record<string, string> = {
  followed: '已关注：更正公告和答疑将以邮件通知您。',
  unfollowed: '已取消关注。',
  asked: '问题已提交。答复将向所有人公开，不显示提问单位。',
  suspended: '招募项目已暂停，暂停公告已发布。',
  resumed: '招募项目已恢复。',
  countersigned: '已会签终止，并记录了当时的操作日志链头。',
};

const FIELD_LABELS: Record<string, string> = {
  submissionDeadline: '提交截止时间',
  questionsDeadline: '提问截止时间',
};


const recruitmentPages: FastifyPluginAsyncTypebox<RecruitmentPageOptions> = async (app, options) => {
  const { recruitments, clock } = options;

  app.get('/recruitments', { schema: { hide: true, querystring: ListQuery } }, async (request, reply) => {
    const now = clock.now().getTime();
    const list = await recruitments.listRecruitments(request.query, request.user);
    return reply.page('recruitments/list', {
      title: '招募公告',
      filter: request.query,
      statuses: RECRUITMENT_STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] })),
      recruitments: list.map((r) => ({
        ...r,
        remaining: r.status === 'published' ? formatRemaining(r.submissionDeadline.getTime() - now) : null,
      })),
    });
  });

  app.get('/recruitments/feed.atom', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/atom+xml; charset=utf-8')
      .send(
        buildAtomFeed(await recruitments.latestAnnouncements(50), {
          publicUrl: options.publicUrl,
          title: options.siteTitle,
          now: clock.now(),
        }),
      ),
  );

  async function showDetail(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    { done, failure }: { done?: string; failure?: FormFailure & { form: string; values?: Record<string, unknown> } } = {},
  ) {
    const viewer = request.user;
    const recruitment = await recruitments.getRecruitment(id, viewer);
    const now = clock.now();
    const questionsOpen = recruitment.status === 'published' && now < recruitment.questionsDeadline;
    const actions = viewer ? allowedActions(recruitment.status, viewer.role) : [];
    const namedInspector = viewer?.role === 'inspector' && viewer.id === recruitment.inspectorId;
    const results = await options.awards.publicResults(recruitment);
    if (failure) reply.code(failure.status);
    return reply.page('recruitments/detail', {
      title: recruitment.title,
      recruitment,
      done: done ? DONE_MESSAGES[done] : null,
      remaining: formatRemaining(recruitment.submissionDeadline.getTime() - now.getTime()),
      beforeDeadline: recruitment.status === 'published' && now < recruitment.submissionDeadline,
      // the opening page is for participants once the deadline has come
      openingLink: viewer !== null && viewer.role !== 'expert' && now >= recruitment.submissionDeadline,
      // the evaluation page decides itself whether this viewer belongs to it
      evaluationLink:
        viewer !== null &&
        ['agent', 'inspector', 'expert'].includes(viewer.role) &&
        ['evaluation', 'publicity', 'awarded'].includes(recruitment.suspendedFrom ?? recruitment.status),
      // the candidates while publicity runs, the selected organisations once awarded
      publicity: results.publicity,
      resultRows: results.awards.length > 0 ? results.awards : results.candidates,
      awarded: recruitment.status === 'awarded',
      // after a redo, the withdrawn round's challenges are there to see before the next publicity
      publicityLink: viewer !== null && ['agent', 'inspector', 'bidder'].includes(viewer.role) && (results.publicity !== null || results.round > 1),
      // the documents page filters per role; the opening record is the first document issued
      documentsLink: viewer !== null && ['agent', 'inspector', 'bidder', 'expert'].includes(viewer.role) && recruitment.status !== 'published',
      // the partnerships of the award: each organisation sees its own there
      partnershipsLink: viewer !== null && ['agent', 'inspector', 'bidder'].includes(viewer.role) && recruitment.status === 'awarded',
      announcements: recruitment.announcements.map((a) => ({
        ...a,
        changes: a.changes.map((c) => ({ ...c, label: FIELD_LABELS[c.field] ?? c.field })),
      })),
      isBidder: viewer?.role === 'bidder',
      following: await recruitments.isFollowing(id, viewer),
      canAsk: viewer?.role === 'bidder' && questionsOpen,
      questionsOpen,
      isOwnAgent: viewer?.role === 'agent' && viewer.id === recruitment.agentId,
      canSuspend: namedInspector && actions.includes('suspend'),
      canResume: namedInspector && actions.includes('resume'),
      canCountersign:
        viewer?.role === 'inspector' &&
        (recruitment.inspectorId ?? viewer.id) === viewer.id &&
        recruitment.status === 'cancelled' &&
        !recruitment.cancelCountersignedAt,
      form: failure?.form,
      errors: failure?.errors,
      values: failure?.values,
    });
  }

  app.get(
    '/recruitments/:id',
    {
      schema: {
        hide: true,
        params: IdParams,
        querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }),
      },
    },
    async (request, reply) => showDetail(request, reply, request.params.id, { done: request.query.done }),
  );

  app.post(
    '/recruitments/:id/follow',
    {
      schema: { hide: true, params: IdParams, body: Type.Object({ follow: Type.Enum(['1', '0']) }) },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => {
      const following = request.body.follow === '1';
      await recruitments.follow(request.params.id, currentUser(request), following);
      return reply.redirect(`/recruitments/${request.params.id}?done=${following ? 'followed' : 'unfollowed'}`, 303);
    },
  );

  app.post(
    '/recruitments/:id/questions',
    { schema: { hide: true, params: IdParams, body: TextBody }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) => {
      const id = request.params.id;
      const show = (failure: FormFailure) =>
        showDetail(request, reply, id, { failure: { ...failure, form: 'question', values: { text: request.body?.text } } });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      try {
        await recruitments.askQuestion(id, request.body.text, currentUser(request), requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect(`/recruitments/${id}?done=asked#questions`, 303);
    },
  );

  // The inspector's actions sit on the same detail page everyone reads.
  app.post(
    '/recruitments/:id/suspend',
    { schema: { hide: true, params: IdParams, body: ReasonBody }, attachValidation: true, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const id = request.params.id;
      const show = (failure: FormFailure) =>
        showDetail(request, reply, id, { failure: { ...failure, form: 'suspend', values: { reason: request.body?.reason } } });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      try {
        await recruitments.suspendRecruitment(id, request.body.reason, currentUser(request), requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect(`/recruitments/${id}?done=suspended`, 303);
    },
  );

  for (const [action, done] of [
    ['resume', 'resumed'],
    ['countersign', 'countersigned'],
  ] as const) {
    app.post(
      `/recruitments/:id/${action}`,
      { schema: { hide: true, params: IdParams }, onRequest: requireRole('inspector') },
      async (request, reply) => {
        const id = request.params.id;
        try {
          if (action === 'resume') await recruitments.resumeRecruitment(id, currentUser(request), requestOrigin(request));
          else await recruitments.countersignCancellation(id, currentUser(request), requestOrigin(request));
        } catch (error) {
          return showDetail(request, reply, id, { failure: { ...refusedForm(error), form: action } });
        }
        return reply.redirect(`/recruitments/${id}?done=${done}`, 303);
      },
    );
  }
};

export default recruitmentPages;
