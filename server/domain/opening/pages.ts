import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { IdParams } from '../../lib/schemas.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { UnlockBody } from './schemas.ts';
import type { OpeningService } from './service.ts';

const TextForm = Type.Object({ text: Type.String({ minLength: 1, maxLength: 5000 }) });
const participants = requireRole('agent', 'inspector', 'bidder', 'admin');

const DONE: Record<string, string> = {
  start: '开标已开始。请纪检监督员和响应单位签到，密钥持有人输入开标口令。',
  attend: '已签到。',
  unlock: '开标口令已确认。',
  objection: '异议已提交，将由经办人当场答复并记入开标记录。',
  answer: '异议答复已记入开标记录。',
  signoff: '开标已签字确认，开标记录已锁定。',
};

/** What a refused form had typed, to show again: its free text only, never a passphrase. */
interface Typed {
  text?: string;
  comment?: string;
  reason?: string;
  /** the objection whose answer was refused */
  objectionId?: string;
}

function typedText(body: unknown, objectionId?: string): Typed {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const typed: Typed = objectionId ? { objectionId } : {};
  for (const name of ['text', 'comment', 'reason'] as const) {
    const value = fields[name];
    if (typeof value === 'string') typed[name] = value;
  }
  return typed;
}

// The opening session page: one page for every participant, showing what each may do now, and
// why an action is not yet possible rather than offering it to be refused.
const openingPages: FastifyPluginAsyncTypebox<{ opening: OpeningService; recruitments: RecruitmentService }> = async (
  app,
  { opening, recruitments },
) => {
  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    { done, failure }: { done?: string; failure?: FormFailure & { form: string; typed: Typed } } = {},
  ) {
    const user = currentUser(request);
    const recruitment = await recruitments.getRecruitment(id, user);
    const session = await opening.getOpening(id, user);
    const inProgress = session.status === 'opening';
    const isAgent = user.role === 'agent' && user.id === recruitment.agentId;
    const holder = session.keyHolders.find((h) => h.holderId === user.id);
    const unanswered = session.objections.filter((objection) => objection.answer === null);
    const isInspector = user.role === 'inspector' && user.id === recruitment.inspectorId;
    if (failure) reply.code(failure.status);
    return reply.page('opening/session', {
      title: `开标：${recruitment.title}`,
      recruitment,
      session,
      // the record names each lot as the public pages do, never by its internal key (15.14)
      lotNames: Object.fromEntries(session.lots.map((lot) => [lot.key, lot.name])),
      done: done ? DONE[done] : null,
      attended: session.attendees.some((a) => a.userId === user.id),
      canStart: isAgent && recruitment.status === 'published',
      canAttend: inProgress && (user.role === 'inspector' || user.role === 'bidder'),
      canUnlock: inProgress && session.phase === 'waiting_for_keys' && holder !== undefined,
      isEscrow: holder?.role === 'escrow',
      holderUnlocked: holder?.shareWaiting === true,
      canObject: inProgress && user.role === 'bidder' && session.phase !== 'signed_off',
      canAnswer: isAgent && session.phase !== 'signed_off',
      unanswered,
      canSignOff: isInspector && session.phase === 'opened' && unanswered.length === 0,
      signOffWaits: isInspector && session.phase === 'opened' && unanswered.length > 0,
      form: failure?.form,
      errors: failure?.errors,
      typed: failure?.typed ?? {},
    });
  }

  app.get(
    '/recruitments/:id/opening',
    {
      schema: { hide: true, params: IdParams, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) },
      onRequest: participants,
    },
    async (request, reply) => show(request, reply, request.params.id, { done: request.query.done }),
  );

  /** Runs a form's action, then 303 back to the page, or shows the page again with the error. */
  async function respond(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: string,
    work: () => Promise<unknown>,
    objectionId?: string,
  ) {
    const typed = typedText(request.body, objectionId);
    const validation = request.validationError?.validation;
    if (validation) return show(request, reply, id, { failure: { ...invalidForm(validation), form, typed } });
    try {
      await work();
    } catch (error) {
      return show(request, reply, id, { failure: { ...refusedForm(error), form, typed } });
    }
    return reply.redirect(`/recruitments/${id}/opening?done=${form}`, 303);
  }

  const post = { hide: true, params: IdParams } as const;

  app.post('/recruitments/:id/opening/start', { schema: post, onRequest: requireRole('agent') }, async (request, reply) =>
    respond(request, reply, request.params.id, 'start', () =>
      opening.startOpening(request.params.id, currentUser(request), requestOrigin(request)),
    ),
  );

  app.post('/recruitments/:id/opening/attend', { schema: post, onRequest: requireRole('inspector', 'bidder') }, async (request, reply) =>
    respond(request, reply, request.params.id, 'attend', () => opening.attend(request.params.id, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/recruitments/:id/opening/unlock',
    {
      schema: { ...post, body: UnlockBody },
      attachValidation: true,
      onRequest: requireRole('agent', 'inspector', 'admin'),
    },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'unlock', () =>
        opening.unlock(request.params.id, request.body, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/recruitments/:id/opening/objection',
    { schema: { ...post, body: TextForm }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'objection', () =>
        opening.raiseObjection(request.params.id, request.body.text, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/recruitments/:id/opening/objections/:objectionId/answer',
    {
      schema: { hide: true, params: Type.Object({ id: Type.String({ format: 'uuid' }), objectionId: Type.String({ format: 'uuid' }) }), body: TextForm },
      attachValidation: true,
      onRequest: requireRole('agent'),
    },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'answer', () =>
        opening.answerObjection(request.params.objectionId, request.body.text, currentUser(request), requestOrigin(request)),
        request.params.objectionId,
      ),
  );

  app.post(
    '/recruitments/:id/opening/signoff',
    {
      schema: { ...post, body: Type.Object({ comment: Type.String({ maxLength: 2000 }) }) },
      attachValidation: true,
      onRequest: requireRole('inspector'),
    },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'signoff', () =>
        opening.signOff(request.params.id, request.body.comment, currentUser(request), requestOrigin(request)),
      ),
  );
};

export default openingPages;
