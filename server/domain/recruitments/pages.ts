import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../../lib/clock.ts';
import { IdParams } from '../../lib/schemas.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { formatRemaining, STATUS_LABELS } from '../../lib/labels.ts';
import { nextChange } from '../../plugins/anonymous-cache.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { AwardService } from '../awards/service.ts';
import { buildAtomFeed } from './feed.ts';
import { ListQuery, ReasonBody, TextBody } from './schemas.ts';
import type { PublicVersions } from './public-versions.ts';
import type { ListFilter, RecruitmentService } from './service.ts';
import { allowedActions } from './state.ts';
import { RECRUITMENT_STATUSES } from './types.ts';

export interface RecruitmentPageOptions {
  recruitments: RecruitmentService;
  awards: Pick<AwardService, 'publicResults'>;
  clock: Clock;
  versions: PublicVersions;
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
  const { recruitments, clock, versions } = options;
  /** the time left until a deadline, written now */
  const remainingNow = (deadline: Date) => formatRemaining(deadline.getTime() - clock.now().getTime());

  async function listPage(request: FastifyRequest, filter: ListFilter, remaining: (deadline: Date) => string) {
    const list = await recruitments.listRecruitments(filter, request.user);
    const data = {
      title: '招募公告',
      filter,
      statuses: RECRUITMENT_STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] })),
      recruitments: list.map((r) => ({ ...r, remaining: r.status === 'published' ? remaining(r.submissionDeadline) : null })),
    };
    return { data, validUntil: nextChange(clock.now(), list.map((r) => r.submissionDeadline)) };
  }

  app.get('/recruitments', { schema: { hide: true, querystring: ListQuery } }, async (request, reply) => {
    if (request.user) return reply.page('recruitments/list', (await listPage(request, request.query, remainingNow)).data);
    const version = await versions.ofList();
    return reply.anonymousPage(`list ${JSON.stringify(request.query)}`, version, async (remaining) => ({
      template: 'recruitments/list',
      ...(await listPage(request, request.query, remaining)),
    }));
  });

  // the same for everyone: its announcements change with the list's version
  app.get('/recruitments/feed.atom', { schema: { hide: true } }, async (_request, reply) => {
    const version = await versions.ofList();
    return reply.anonymousBody('feed', version, 'application/atom+xml; charset=utf-8', async () => ({
      body: buildAtomFeed(await recruitments.latestAnnouncements(50), { publicUrl: options.publicUrl, title: options.siteTitle, now: clock.now() }),
      validUntil: Infinity,
    }));
  });

  type Failure = FormFailure & { form: string; values?: Record<string, unknown> };

  async function detailPage(
    request: FastifyRequest,
    id: string,
    { done, failure }: { done?: string; failure?: Failure },
    remaining: (deadline: Date) => string,
  ) {
    const viewer = request.user;
    const recruitment = await recruitments.getRecruitment(id, viewer);
    const now = clock.now();
    const questionsOpen = recruitment.status === 'published' && now < recruitment.questionsDeadline;
    const actions = viewer ? allowedActions(recruitment.status, viewer.role) : [];
    const namedInspector = viewer?.role === 'inspector' && viewer.id === recruitment.inspectorId;
    const results = await options.awards.publicResults(recruitment);
    // what the deadlines decide changes when they pass
    const validUntil = nextChange(now, [recruitment.questionsDeadline, recruitment.submissionDeadline, results.publicity?.endsAt]);
    const data = {
      title: recruitment.title,
      recruitment,
      done: done ? DONE_MESSAGES[done] : null,
      remaining: remaining(recruitment.submissionDeadline),
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
    };
    return { data, validUntil };
  }

  async function showDetail(request: FastifyRequest, reply: FastifyReply, id: string, shown: { done?: string; failure?: Failure } = {}) {
    const { data } = await detailPage(request, id, shown, remainingNow);
    if (shown.failure) reply.code(shown.failure.status);
    return reply.page('recruitments/detail', data);
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
    async (request, reply) => {
      const { id } = request.params;
      if (request.user || request.query.done) return showDetail(request, reply, id, { done: request.query.done });
      const version = await versions.ofRecruitment(id);
      return reply.anonymousPage(`recruitment ${id}`, version, async (remaining) => ({
        template: 'recruitments/detail',
        ...(await detailPage(request, id, {}, remaining)),
      }));
    },
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
