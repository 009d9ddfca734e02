import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, RateLimitedError } from '../../errors.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { sendDocument } from '../documents/http.ts';
import type { DocumentService } from '../documents/service.ts';
import { OFFER_GROUP_LABELS, OFFER_GROUPS, type OfferGroup } from '../offers/types.ts';
import { RATING_WINDOW_DAYS } from './codes.ts';
import { deviceToken } from './device.ts';
import { MAX_COMMENT_LENGTH } from './rating.ts';
import { PeriodQuery } from './schemas.ts';
import type { SatisfactionService } from './service.ts';
import { PLACE_KIND_LABELS, PLACE_KINDS, SATISFACTION_LABELS, SATISFACTION_SCORES, type PlaceKind } from './types.ts';

// The satisfaction pages (issue 17): the public rating page (no sign-in) with its thanks, and one
// page per partnership — the partner issues codes there (each shown once) and downloads the
// poster; every party reads the figures it may see.

const RateForm = Type.Object({
  code: Type.String({ maxLength: 40 }),
  score: Type.Optional(Type.String({ maxLength: 2 })),
  group: Type.Optional(Type.String({ maxLength: 40 })),
  comment: Type.Optional(Type.String({ maxLength: 4000 })),
});
const UseForm = Type.Object({
  offerId: Type.String({ maxLength: 40 }),
  group: Type.String({ maxLength: 40 }),
  place: Type.String({ maxLength: 20 }),
});

const groups = OFFER_GROUPS.map((group) => ({ value: group, label: OFFER_GROUP_LABELS[group] }));
const scores = [...SATISFACTION_SCORES].reverse().map((score) => ({ value: String(score), label: SATISFACTION_LABELS[score] }));
const places = PLACE_KINDS.map((place) => ({ value: place, label: PLACE_KIND_LABELS[place] }));
const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);

function formValues(body: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = typeof body === 'object' && body !== null ? { ...body } : {};
  delete values._csrf;
  return values;
}

function failureOf(reply: FastifyReply, error: unknown): FormFailure {
  const failure = refusedForm(error);
  if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterS));
  return failure;
}

const satisfactionPages: FastifyPluginAsyncTypebox<{
  satisfaction: SatisfactionService;
  documents: Pick<DocumentService, 'downloadDocument'>;
  secureCookies: boolean;
}> = async (app, { satisfaction, documents, secureCookies }) => {
  async function showRate(reply: FastifyReply, id: string, failure?: FormFailure & { values: Record<string, unknown> }) {
    const page = await satisfaction.ratingPage(id);
    if (failure) reply.code(failure.status);
    return reply.page('satisfaction/rate', {
      title: `服务满意度评价：${page.organization}`,
      page,
      groups,
      scores,
      maxComment: MAX_COMMENT_LENGTH,
      windowDays: RATING_WINDOW_DAYS,
      values: failure?.values ?? {},
      errors: failure?.errors ?? null,
    });
  }

  app.get('/rate/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => showRate(reply, request.params.id));

  app.post('/rate/:id', { schema: { hide: true, params: IdParams, body: RateForm }, attachValidation: true }, async (request, reply) => {
    if (request.validationError?.validationContext === 'params') throw new AppError('NOT_FOUND', '评价页面不存在');
    const values = formValues(request.body);
    if (request.validationError) return showRate(reply, request.params.id, { ...invalidForm(request.validationError.validation), values });
    const { code, score, group, comment } = request.body;
    try {
      const rated = await satisfaction.rate(
        request.params.id,
        { code, score: score ? Number(score) : Number.NaN, group: group ?? '', comment: comment ?? null },
        { ip: request.ip, deviceToken: deviceToken(request, reply, secureCookies) },
      );
      const page = await satisfaction.ratingPage(request.params.id);
      return reply.page('satisfaction/thanks', { title: '感谢您的评价', page, label: SATISFACTION_LABELS[rated.score] });
    } catch (error) {
      return showRate(reply, request.params.id, { ...failureOf(reply, error), values });
    }
  });

  async function showPartnership(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    query: { from?: string | undefined; to?: string | undefined },
    outcome: { issued?: Awaited<ReturnType<SatisfactionService['issueServiceUse']>>; failure?: FormFailure & { values: Record<string, unknown> } } = {},
  ) {
    const user = currentUser(request);
    const view = await satisfaction.partnershipSatisfaction(id, user, query);
    const own = user.role === 'bidder';
    const options = own ? await satisfaction.issueOptions(id) : [];
    if (outcome.failure) reply.code(outcome.failure.status);
    const { figures } = view;
    return reply.page('satisfaction/partnership', {
      title: '职工满意度',
      view,
      own,
      canIssue: own && (view.status === 'active' || view.status === 'rectifying') && options.length > 0,
      options,
      groups,
      places,
      query,
      mean: figures.mean === null ? '—' : figures.mean.toFixed(2),
      satisfied: percent(figures.satisfiedShare),
      distribution: scores.map(({ value, label }) => ({ label, count: figures.distribution[Number(value) - 1] })),
      byGroup: groups.map(({ value, label }) => {
        const own = figures.byGroup[value as OfferGroup];
        return { label, ratings: own.ratings, mean: own.mean === null ? '—' : own.mean.toFixed(2) };
      }),
      placeLabels: PLACE_KINDS.map((kind) => PLACE_KIND_LABELS[kind]),
      months: view.months.map(({ month, delivered }) => ({ month, counts: PLACE_KINDS.map((kind: PlaceKind) => delivered[kind]) })),
      comments: view.comments?.map((comment) => ({ ...comment, label: SATISFACTION_LABELS[comment.score] })) ?? null,
      issued: outcome.issued ? { ...outcome.issued, groupLabel: OFFER_GROUP_LABELS[outcome.issued.group], placeLabel: PLACE_KIND_LABELS[outcome.issued.place] } : null,
      values: outcome.failure?.values ?? {},
      errors: outcome.failure?.errors ?? null,
    });
  }

  app.get(
    '/partnerships/:id/ratings',
    { schema: { hide: true, params: IdParams, querystring: PeriodQuery }, onRequest: requireRole('agent', 'inspector', 'bidder') },
    async (request, reply) => showPartnership(request, reply, request.params.id, request.query),
  );

  // the code is shown in the answer to the post, once, never in a URL
  app.post(
    '/partnerships/:id/service-uses',
    { schema: { hide: true, params: IdParams, body: UseForm }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) => {
      if (request.validationError?.validationContext === 'params') throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      const values = formValues(request.body);
      if (request.validationError) return showPartnership(request, reply, request.params.id, {}, { failure: { ...invalidForm(request.validationError.validation), values } });
      try {
        const issued = await satisfaction.issueServiceUse(request.params.id, request.body, currentUser(request), requestOrigin(request));
        return showPartnership(request, reply, request.params.id, {}, { issued });
      } catch (error) {
        return showPartnership(request, reply, request.params.id, {}, { failure: { ...refusedForm(error), values } });
      }
    },
  );

  app.get(
    '/partnerships/:id/poster.pdf',
    { schema: { hide: true, params: IdParams }, onRequest: requireRole('agent', 'inspector', 'bidder') },
    async (request, reply) => sendDocument(request, reply, documents, await satisfaction.posterOf(request.params.id, currentUser(request), requestOrigin(request))),
  );
};

export default satisfactionPages;
