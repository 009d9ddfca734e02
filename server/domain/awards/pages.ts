import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { EvaluationService } from '../evaluation/service.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { AwardSignOffBody, ChallengeBody, RedoBody } from './schemas.ts';
import type { AwardService } from './service.ts';

const participants = requireRole('agent', 'inspector', 'bidder');

const DONE = {
  announce: '中选候选人已公示，已通知关注该项目的单位。',
  challenge: '质疑已提交，经办人答复后将以邮件通知贵单位。',
  answer: '质疑答复已保存，并已通知质疑单位。',
  signoff: '定标已签字确认，并记录了操作日志链头。',
  award: '已定标，入选结果已公告。',
  redo: '已撤回本轮公示并发起重新评审，已通知评审委员会和关注该项目的单位。',
} as const;
type Form = keyof typeof DONE;
const DoneQuery = Type.Object({ done: Type.Optional(Type.Enum(Object.keys(DONE) as Form[])) });

const ChallengeParams = Type.Object({ id: Type.String({ format: 'uuid' }), challengeId: Type.String({ format: 'uuid' }) });
// an unticked checkbox sends nothing at all
const AnswerForm = Type.Object({ text: ChallengeBody.properties.text, upheld: Type.Optional(Type.Literal('1')) });

interface Failure extends FormFailure {
  form: Form;
  challengeId?: string;
  values: Record<string, unknown>;
}

// The publicity page (公示与定标): one page for the agent, the inspector and the bidders, showing
// what each may do now, like the evaluation page. Every form posts, then redirects back (303).
const awardPages: FastifyPluginAsyncTypebox<{
  awards: AwardService;
  recruitments: RecruitmentService;
  evaluation: Pick<EvaluationService, 'getPanel'>;
}> = async (app, { awards, recruitments, evaluation }) => {
  async function show(request: FastifyRequest, reply: FastifyReply, id: string, { done, failure }: { done?: Form; failure?: Failure } = {}) {
    const user = currentUser(request);
    const recruitment = await recruitments.getRecruitment(id, user);
    const view = await awards.getPublicity(id, user);
    const ownAgent = user.role === 'agent' && user.id === recruitment.agentId;
    const assignedInspector = user.role === 'inspector' && user.id === recruitment.inspectorId;
    const inPublicity = recruitment.status === 'publicity';
    const ended = inPublicity && !view.publicityOpen;
    const open = view.challenges.filter((c) => !c.answeredAt).length;
    const upheld = view.challenges.filter((c) => c.upheld).length;
    const failed = (form: Form, challengeId?: string) =>
      failure?.form === form && failure.challengeId === challengeId ? { values: failure.values, errors: failure.errors } : null;
    const can = {
      announce: ownAgent && recruitment.status === 'evaluation' && view.evaluationSignedOff,
      challenge: user.role === 'bidder' && view.isBidder && view.publicityOpen,
      answer: ownAgent && inPublicity,
      signOff: assignedInspector && ended && view.signOff === null && open === 0 && upheld === 0,
      award: ownAgent && ended && view.signOff !== null && open === 0 && upheld === 0,
      redo: ownAgent && inPublicity && open === 0 && upheld > 0,
    };
    const shown: Record<Form, boolean> = {
      announce: can.announce,
      challenge: can.challenge,
      answer: can.answer,
      signoff: can.signOff,
      award: can.award,
      redo: can.redo,
    };
    // the redo form offers the seated members for replacement, keeping a refused choice ticked
    const chosen = failure?.form === 'redo' ? [failure.values.replace].flat() : [];
    const seated = can.redo
      ? (await evaluation.getPanel(id, user)).members
          .filter((member) => member.status !== 'recused')
          .sort((a, b) => a.order - b.order)
          .map(({ userId, name, order }) => ({ userId, name, order, checked: chosen.includes(userId) }))
      : [];
    if (failure) reply.code(failure.status);
    return reply.page('awards/publicity', {
      title: `结果公示与定标：${recruitment.title}`,
      recruitment,
      view,
      done: done ? DONE[done] : null,
      ownAgent,
      overseer: ownAgent || user.role === 'inspector',
      openChallenges: open,
      upheldChallenges: upheld,
      publicityEnded: ended,
      nextRound: view.round + 1,
      seated,
      can,
      // a refusal whose form is no longer offered (the state has moved on) is shown at the top
      pageError: failure && !shown[failure.form] ? Object.values(failure.errors).join('；') : null,
      challenges: view.challenges.map((challenge) => ({ ...challenge, form: failed('answer', challenge.id) })),
      forms: {
        announce: failed('announce'),
        challenge: failed('challenge'),
        signoff: failed('signoff'),
        award: failed('award'),
        redo: failed('redo'),
      },
    });
  }

  app.get(
    '/recruitments/:id/publicity',
    { schema: { hide: true, params: IdParams, querystring: DoneQuery }, onRequest: participants },
    async (request, reply) => show(request, reply, request.params.id, { done: request.query.done }),
  );

  /** Runs a form's action, then 303 back to the page, or shows the page again with the messages. */
  async function respond(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: Form,
    work: () => Promise<unknown>,
    challengeId?: string,
  ) {
    const values: Record<string, unknown> = typeof request.body === 'object' && request.body !== null ? { ...request.body } : {};
    delete values._csrf;
    const validation = request.validationError;
    if (validation) {
      if (validation.validationContext === 'params') throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      return show(request, reply, id, { failure: { ...invalidForm(validation.validation), form, challengeId, values } });
    }
    try {
      await work();
    } catch (error) {
      return show(request, reply, id, { failure: { ...refusedForm(error), form, challengeId, values } });
    }
    return reply.redirect(`/recruitments/${id}/publicity?done=${form}`, 303);
  }

  app.post(
    '/recruitments/:id/publicity',
    { schema: { hide: true, params: IdParams }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'announce', () =>
        awards.announceCandidates(request.params.id, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/recruitments/:id/challenges',
    { schema: { hide: true, params: IdParams, body: ChallengeBody }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'challenge', () =>
        awards.raiseChallenge(request.params.id, request.body.text, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/recruitments/:id/challenges/:challengeId/answer',
    { schema: { hide: true, params: ChallengeParams, body: AnswerForm }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(
        request,
        reply,
        request.params.id,
        'answer',
        () =>
          awards.answerChallenge(
            request.params.challengeId,
            { text: request.body.text, upheld: request.body.upheld === '1' },
            currentUser(request),
            requestOrigin(request),
          ),
        request.params.challengeId,
      ),
  );

  app.post(
    '/recruitments/:id/award/signoff',
    { schema: { hide: true, params: IdParams, body: AwardSignOffBody }, attachValidation: true, onRequest: requireRole('inspector') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'signoff', () =>
        awards.signOffAward(request.params.id, request.body.comment, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/recruitments/:id/evaluation/redo',
    { schema: { hide: true, params: IdParams, body: RedoBody }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'redo', () =>
        awards.redoEvaluation(request.params.id, request.body, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/recruitments/:id/award',
    { schema: { hide: true, params: IdParams }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'award', () =>
        awards.awardRecruitment(request.params.id, currentUser(request), requestOrigin(request)),
      ),
  );
};

export default awardPages;
