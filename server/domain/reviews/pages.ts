import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { beijingLocalToIso, toBeijingLocal } from '../../lib/datetime.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { CompleteInput } from './complete.ts';
import type { ReviewService } from './service.ts';
import {
  CRITERION_KEYS,
  CRITERION_LABELS,
  NEGATIVE_LIST_ITEMS,
  NEGATIVE_LIST_LABELS,
  SCORED_BY_LABELS,
  SCORED_CRITERIA,
  type CriterionKey,
  type NegativeListItem,
  type ScoredCriterion,
} from './types.ts';

// The reviews' pages (issue 17): the partnership's reviews (安排考核 for its agent; the results
// and signed PDFs for the partner and the inspector), and one review — the form for the agent
// while it is open, its result once completed. Forms post, then redirect (303) or show the page
// again with each message beside its field.

const DONE = { schedule: '考核已安排。', complete: '考核已完成，考核结果通知书已签发并发送给合作单位。' } as const;
const DoneQuery = Type.Object({ done: Type.Optional(Type.Enum(Object.keys(DONE) as (keyof typeof DONE)[])) });
const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ScheduleForm = Type.Object({ kind: Type.Union([Type.Literal('stage'), Type.Literal('final')]), periodFrom: text(40), periodTo: text(40), dueAt: text(40) });
const CompleteForm = Type.Record(Type.String({ maxLength: 60 }), Type.String({ maxLength: 2000 }));

type Failure = FormFailure & { values: Record<string, unknown> };
const readers = requireRole('agent', 'inspector', 'bidder');
const DAY_MS = 24 * 60 * 60 * 1000;

/** A datetime-local value (Beijing time) as an instant; a blank or impossible one is refused for its field. */
function instantOf(value: string | undefined, field: string, label: string): Date {
  const iso = value ? beijingLocalToIso(value.trim()) : null;
  if (!iso) throw new AppError('VALIDATION_FAILED', `请填写有效的${label}`, field);
  return new Date(iso);
}

/** A blank number is NaN, which the rules refuse with the field's own message. */
const amount = (value: string | undefined) => (value === undefined || value.trim() === '' ? Number.NaN : Number(value));
const numbersOf = <K extends string>(keys: readonly K[], body: Record<string, string>, prefix: string) =>
  Object.fromEntries(keys.map((key) => [key, amount(body[`${prefix}.${key}`])])) as Record<K, number>;

export function completeInputOfForm(body: Record<string, string>): CompleteInput {
  const assessorGiven = (body['assessor.name'] ?? '').trim() !== '' || SCORED_CRITERIA.some((key) => (body[`assessor.points.${key}`] ?? '').trim() !== '');
  const answer = (item: NegativeListItem) => (body[`negativeList.${item}`] === 'yes' ? true : body[`negativeList.${item}`] === 'no' ? false : undefined);
  return {
    weights: numbersOf<CriterionKey>(CRITERION_KEYS, body, 'weights'),
    points: numbersOf<ScoredCriterion>(SCORED_CRITERIA, body, 'points'),
    assessor: assessorGiven ? { name: body['assessor.name'] ?? '', points: numbersOf<ScoredCriterion>(SCORED_CRITERIA, body, 'assessor.points') } : null,
    negativeList: Object.fromEntries(NEGATIVE_LIST_ITEMS.flatMap((item) => (answer(item) === undefined ? [] : [[item, answer(item)]]))),
    rectifyBy: (body.rectifyBy ?? '').trim() === '' ? null : instantOf(body.rectifyBy, 'rectifyBy', '整改期限'),
    remarks: body.remarks ?? null,
  };
}

const reviewPages: FastifyPluginAsyncTypebox<{ reviews: ReviewService }> = async (app, { reviews }) => {
  async function showList(request: FastifyRequest, reply: FastifyReply, id: string, { done, failure }: { done?: keyof typeof DONE; failure?: Failure } = {}) {
    const list = await reviews.listReviews(id, currentUser(request));
    if (failure) reply.code(failure.status);
    const last = list.reviews.filter((review) => review.kind !== 'rectification').at(-1);
    const from = last ? last.periodTo : list.signedAt;
    const to = from && list.endsAt ? new Date(Math.min(from.getTime() + 365 * DAY_MS, list.endsAt.getTime())) : null;
    const defaults = from && to ? { kind: 'stage', periodFrom: toBeijingLocal(from), periodTo: toBeijingLocal(to), dueAt: toBeijingLocal(new Date(to.getTime() + 30 * DAY_MS)) } : {};
    return reply.page('reviews/list', {
      title: `绩效考核：${list.organization}`,
      list,
      done: done ? DONE[done] : null,
      form: { values: failure?.values ?? defaults, errors: failure?.errors ?? null },
    });
  }

  async function showReview(request: FastifyRequest, reply: FastifyReply, id: string, { done, failure }: { done?: keyof typeof DONE; failure?: Failure } = {}) {
    const review = await reviews.getReview(id, currentUser(request));
    if (failure) reply.code(failure.status);
    const defaults: Record<string, unknown> = Object.fromEntries(CRITERION_KEYS.map((key) => [`weights.${key}`, String(review.defaultWeights[key])]));
    const values = failure?.values ?? defaults;
    const errors = failure?.errors ?? {};
    return reply.page('reviews/detail', {
      title: `${review.kindLabel}：${review.organization}`,
      review,
      done: done ? DONE[done] : null,
      criteria: (review.criteria ?? []).map((criterion) => ({
        ...criterion,
        label: CRITERION_LABELS[criterion.key],
        scoredByLabel: SCORED_BY_LABELS[criterion.scoredBy],
      })),
      negativeList: (review.negativeList ?? []).map((answer) => ({ ...answer, label: NEGATIVE_LIST_LABELS[answer.item] })),
      satisfiedPercent: review.satisfaction?.satisfiedShare != null ? Math.round(review.satisfaction.satisfiedShare * 10000) / 100 : null,
      form: {
        errors: failure?.errors ?? null,
        values,
        rows: CRITERION_KEYS.map((key) => ({
          key,
          label: CRITERION_LABELS[key],
          weight: { name: `weights.${key}`, value: values[`weights.${key}`], error: errors[`weights.${key}`] },
          scored: key !== 'satisfaction',
          points: { name: `points.${key}`, value: values[`points.${key}`], error: errors[`points.${key}`] },
          assessor: { name: `assessor.points.${key}`, value: values[`assessor.points.${key}`], error: errors[`assessor.points.${key}`] },
        })),
        negativeList: NEGATIVE_LIST_ITEMS.map((item) => ({ name: `negativeList.${item}`, label: NEGATIVE_LIST_LABELS[item], value: values[`negativeList.${item}`], error: errors[`negativeList.${item}`] })),
        figuresPercent: review.figures?.satisfaction.satisfiedShare != null ? Math.round(review.figures.satisfaction.satisfiedShare * 10000) / 100 : null,
      },
    });
  }

  async function respond(request: FastifyRequest, reply: FastifyReply, show: (failure: Failure) => Promise<unknown>, work: () => Promise<unknown>, done: string) {
    const values: Record<string, unknown> = typeof request.body === 'object' && request.body !== null ? { ...request.body } : {};
    delete values._csrf;
    const validation = request.validationError;
    if (validation) {
      if (validation.validationContext === 'params') throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      return show({ ...invalidForm(validation.validation), values });
    }
    try {
      await work();
    } catch (error) {
      return show({ ...refusedForm(error), values });
    }
    return reply.redirect(done, 303);
  }

  app.get('/partnerships/:id/reviews', { schema: { hide: true, params: IdParams, querystring: DoneQuery }, onRequest: readers }, async (request, reply) =>
    showList(request, reply, request.params.id, { ...(request.query.done ? { done: request.query.done } : {}) }),
  );

  app.get('/reviews/:id', { schema: { hide: true, params: IdParams, querystring: DoneQuery }, onRequest: readers }, async (request, reply) =>
    showReview(request, reply, request.params.id, { ...(request.query.done ? { done: request.query.done } : {}) }),
  );

  app.post(
    '/partnerships/:id/reviews',
    { schema: { hide: true, params: IdParams, body: ScheduleForm }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) => {
      const { id } = request.params;
      return respond(
        request,
        reply,
        (failure) => showList(request, reply, id, { failure }),
        () => {
          const { kind, periodFrom, periodTo, dueAt } = request.body;
          return reviews.scheduleReview(
            id,
            {
              kind,
              periodFrom: instantOf(periodFrom, 'periodFrom', '考核期间开始时间'),
              ...(kind === 'stage' || (periodTo ?? '').trim() !== '' ? { periodTo: instantOf(periodTo, 'periodTo', '考核期间结束时间') } : {}),
              dueAt: instantOf(dueAt, 'dueAt', '考核完成期限'),
            },
            currentUser(request),
            requestOrigin(request),
          );
        },
        `/partnerships/${id}/reviews?done=schedule`,
      );
    },
  );

  app.post(
    '/reviews/:id/complete',
    { schema: { hide: true, params: IdParams, body: CompleteForm }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) => {
      const { id } = request.params;
      return respond(
        request,
        reply,
        (failure) => showReview(request, reply, id, { failure }),
        () => reviews.completeReview(id, completeInputOfForm(request.body), currentUser(request), requestOrigin(request)),
        `/reviews/${id}?done=complete`,
      );
    },
  );
};

export default reviewPages;
