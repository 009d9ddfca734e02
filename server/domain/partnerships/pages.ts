import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { ChangeRequestBody, MAX_P12_BYTES, signingUploadConfig, TerminateBody } from './schemas.ts';
import type { PartnershipService } from './service.ts';
import { readSigningUpload } from './upload.ts';

// The partnership pages (issue 17): one page per partnership for the organisation, the agent and
// the inspector, showing what each may do now; a list per recruitment and the organisation's own.
// Every form posts, then redirects back (303), or shows the page again with its messages.

const DONE = {
  accept: '已确认协议文本。中心已签发并电子签名正式协议，请下载核对后签署。',
  request: '修改申请已提交，待经办人答复。',
  answer: '答复已保存。',
  sign: '协议已签署，双方电子签名均已加盖，合作期限自签署之日起计算。',
  activate: '已确认合作伙伴进场运营。',
  terminate: '合作已终止，终止合作通知书已签发并送达乙方。',
} as const;
type Form = keyof typeof DONE;
const DoneQuery = Type.Object({ done: Type.Optional(Type.Enum(Object.keys(DONE) as Form[])) });
const AcceptForm = Type.Object({ version: Type.String({ pattern: '^[1-9][0-9]{0,3}$' }) });
const AnswerForm = Type.Object({
  answer: Type.Union([Type.Literal('revised'), Type.Literal('refused')]),
  text: ChangeRequestBody.properties.text,
  termMonths: Type.Optional(Type.String({ pattern: '^([0-9]{1,3})?$' })),
});
const RequestParams = Type.Object({ id: Type.String({ format: 'uuid' }), requestId: Type.String({ format: 'uuid' }) });

interface Failure extends FormFailure {
  form: Form;
  values: Record<string, unknown>;
}

const readers = requireRole('agent', 'inspector', 'bidder');

const partnershipPages: FastifyPluginAsyncTypebox<{
  partnerships: PartnershipService;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
}> = async (app, { partnerships, recruitments }) => {
  async function show(request: FastifyRequest, reply: FastifyReply, id: string, { done, failure }: { done?: Form; failure?: Failure } = {}) {
    const view = await partnerships.getPartnership(id, currentUser(request));
    const failed = (form: Form) => (failure?.form === form ? { values: failure.values, errors: failure.errors } : null);
    if (failure) reply.code(failure.status);
    const shown: Record<Form, boolean> = {
      accept: view.can.accept,
      request: view.can.requestChanges,
      answer: view.can.answer !== null,
      sign: view.can.sign,
      activate: view.can.activate,
      terminate: view.can.terminate,
    };
    return reply.page('partnerships/detail', {
      title: `合作协议：${view.organization?.name ?? ''}`,
      view,
      done: done ? DONE[done] : null,
      maxP12Kb: MAX_P12_BYTES / 1024,
      pageError: failure && !shown[failure.form] ? Object.values(failure.errors).join('；') : null,
      forms: { accept: failed('accept'), request: failed('request'), answer: failed('answer'), sign: failed('sign'), activate: failed('activate'), terminate: failed('terminate') },
    });
  }

  async function respond(request: FastifyRequest, reply: FastifyReply, id: string, form: Form, work: () => Promise<unknown>) {
    const values: Record<string, unknown> = typeof request.body === 'object' && request.body !== null ? { ...request.body } : {};
    delete values._csrf;
    const validation = request.validationError;
    if (validation) {
      if (validation.validationContext === 'params') throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      return show(request, reply, id, { failure: { ...invalidForm(validation.validation), form, values } });
    }
    try {
      await work();
    } catch (error) {
      return show(request, reply, id, { failure: { ...refusedForm(error), form, values } });
    }
    return reply.redirect(`/partnerships/${id}?done=${form}`, 303);
  }

  app.get('/partnerships/:id', { schema: { hide: true, params: IdParams, querystring: DoneQuery }, onRequest: readers }, async (request, reply) =>
    show(request, reply, request.params.id, { done: request.query.done }),
  );

  app.get('/recruitments/:id/partnerships', { schema: { hide: true, params: IdParams }, onRequest: readers }, async (request, reply) => {
    const user = currentUser(request);
    const recruitment = await recruitments.getRecruitment(request.params.id, user);
    const list = await partnerships.listPartnerships(request.params.id, user);
    return reply.page('partnerships/list', { title: `合作协议：${recruitment.title}`, recruitment, partnerships: list });
  });

  app.get('/partnerships', { schema: { hide: true }, onRequest: requireRole('bidder') }, async (request, reply) =>
    reply.page('partnerships/list', { title: '本单位的合作协议', recruitment: null, partnerships: await partnerships.ownPartnerships(currentUser(request)) }),
  );

  app.post(
    '/partnerships/:id/accept',
    { schema: { hide: true, params: IdParams, body: AcceptForm }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'accept', () =>
        partnerships.acceptAgreement(request.params.id, Number(request.body.version), currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/partnerships/:id/change-requests',
    { schema: { hide: true, params: IdParams, body: ChangeRequestBody }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'request', () =>
        partnerships.requestChanges(request.params.id, request.body.text, currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/partnerships/:id/change-requests/:requestId/answer',
    { schema: { hide: true, params: RequestParams, body: AnswerForm }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'answer', () => {
        const { answer, text, termMonths } = request.body;
        return partnerships.answerChangeRequest(
          request.params.requestId,
          { answer, text, ...(termMonths ? { termMonths: Number(termMonths) } : {}) },
          currentUser(request),
          requestOrigin(request),
        );
      }),
  );

  // the form's first field is its CSRF token, read before the file (plugins/multipart-form.ts)
  app.post(
    '/partnerships/:id/sign',
    { schema: { hide: true, params: IdParams }, config: signingUploadConfig, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'sign', async () =>
        partnerships.signAgreement(request.params.id, await readSigningUpload(request), currentUser(request), requestOrigin(request)),
      ),
  );

  app.post(
    '/partnerships/:id/activate',
    { schema: { hide: true, params: IdParams }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'activate', () => partnerships.activatePartnership(request.params.id, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/partnerships/:id/terminate',
    { schema: { hide: true, params: IdParams, body: TerminateBody }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'terminate', () =>
        partnerships.terminatePartnership(request.params.id, request.body, currentUser(request), requestOrigin(request)),
      ),
  );
};

export default partnershipPages;
