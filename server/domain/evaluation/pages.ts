import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { scoreChart } from './chart.ts';
import { BidParams, FileParams, MemberReplacementBody, SupplementaryDrawBody, Verdict } from './schemas.ts';
import { attachmentHeader } from '../../lib/content-disposition.ts';
import type { EvaluationService } from './service.ts';

const Key = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });
const participants = requireRole('agent', 'inspector', 'expert');

const DONE: Record<string, string> = {
  draw: '评审委员会已抽取，随机种子和候选名单已记入操作日志。',
  supplementary: '已补充抽取，随机种子和候选名单已记入操作日志。',
  replace: '已更换评审专家，并记入操作日志。',
  declaration: '回避声明已记录。',
  qualify: '资格审查结果已保存。',
  score: '评分草稿已保存，提交前可继续修改。',
  submit: '评分已提交并锁定。全部专家提交后方可查看评审结果。',
  comment: '书面理由已保存。',
  confirm: '您已确认评审结果。',
  signoff: '评审已签字确认，并记录了操作日志链头。',
};

const TIE_LABELS: Record<string, string> = {
  publicBenefitRatio: '得分相同，公益名额比例较高者优先',
  receivedAt: '得分与公益名额比例均相同，提交时间较早者优先',
  bidId: '得分、比例与提交时间均相同，按编号排序',
};

type Failure = FormFailure & { form: string; values?: Record<string, unknown> };

/** A score field as typed: blank is left out (so the service reports it missing), the rest read as numbers. */
function typedScores(fields: Record<string, string>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, value]) => value.trim() !== '')
      .map(([key, value]) => [key, Number(value)]),
  );
}

// The evaluation page: one page for the agent, the inspector and the panel, showing what each may
// do now, like the opening page. Every form posts, then redirects back here (303).
const evaluationPages: FastifyPluginAsyncTypebox<{ evaluation: EvaluationService; recruitments: RecruitmentService }> = async (
  app,
  { evaluation, recruitments },
) => {
  async function resultOrNull(id: string, request: FastifyRequest) {
    try {
      return await evaluation.getEvaluation(id, currentUser(request));
    } catch (error) {
      if (error instanceof AppError && (error.code === 'SCORES_PENDING' || error.code === 'PANEL_NOT_DRAWN')) return null;
      throw error;
    }
  }

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    { done, doneBid, failure }: { done?: string; doneBid?: string; failure?: Failure } = {},
  ) {
    const user = currentUser(request);
    const recruitment = await recruitments.getRecruitment(id, user);
    const panel = await evaluation.getPanel(id, user);
    const result = await resultOrNull(id, request);
    const mine = panel.me ? await evaluation.myScores(id, user) : [];
    const inEvaluation = recruitment.status === 'evaluation';
    const isAgent = user.role === 'agent' && user.id === recruitment.agentId;
    const me = panel.me;
    const serving = inEvaluation && me?.status === 'serving';
    const seated = panel.members.filter((m) => m.status !== 'recused');
    const anySubmitted = seated.some((m) => m.submittedAt);
    const formOf = (name: string) => (failure?.form === name ? failure : undefined);
    const memberName = (userId: string) => panel.members.find((m) => m.userId === userId)?.name ?? userId;

    const bids = panel.bids.map((bid) => {
      const qualifyForm = formOf(`qualify-${bid.bidId}`);
      const scoreForm = formOf(`score-${bid.bidId}`);
      const sheet = mine.find((s) => s.bidId === bid.bidId);
      const typed = scoreForm?.values as { scores?: Record<string, string>; comment?: string } | undefined;
      const typedResults = (qualifyForm?.values as { results?: Record<string, string> } | undefined)?.results;
      return {
        ...bid,
        anchor: `bid-${bid.bidId}`,
        conditions: recruitment.eligibility.map((condition) => {
          const verdict = typedResults?.[condition.key] ?? bid.qualification?.results[condition.key];
          const records = condition.key === panel.recordConditionKey ? bid.centreRecords : [];
          return { ...condition, pass: verdict === 'pass', fail: verdict === 'fail', records };
        }),
        qualifyErrors: qualifyForm?.errors,
        reasonValue: (qualifyForm?.values as { reason?: string } | undefined)?.reason ?? bid.qualification?.reason ?? '',
        scorable: serving && !me?.submittedAt && bid.qualification?.qualified === true,
        criteria: recruitment.criteria.map((criterion) => ({
          ...criterion,
          value: typed?.scores?.[criterion.key] ?? sheet?.scores[criterion.key] ?? '',
          error: scoreForm?.errors[`scores.${criterion.key}`] ?? scoreForm?.errors.scores,
        })),
        scoreErrors: scoreForm?.errors,
        comment: typed?.comment ?? sheet?.comment ?? '',
        scored: sheet !== undefined,
        // the saved sheet's total; score-total.js keeps it running as the expert types
        total: sheet ? Object.values(sheet.scores).reduce((sum, score) => sum + score, 0) : 0,
        saved: done && bid.bidId === doneBid ? DONE[done] : null,
      };
    });

    const resultLots = result
      ? result.lots
          .filter((lot) => lot.status === 'open')
          .map((lot) => {
            const lotBids = result.bids
              .filter((bid) => bid.lot === lot.key)
              .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
            const ranked = lotBids.filter((bid) => bid.rank !== null);
            return {
              ...lot,
              chart: scoreChart(
                ranked.map((bid) => ({
                  label: `第${bid.rank}名`,
                  mean: bid.mean ?? 0,
                  totals: result.members.map((m) => ({
                    expert: m.name,
                    total: bid.totals[m.userId] ?? 0,
                    outlier: bid.flags.some((f) => f.userId === m.userId),
                  })),
                })),
              ),
              bids: lotBids.map((bid) => {
                const commentForm = formOf(`comment-${bid.bidId}`);
                const myFlag = bid.flags.find((f) => f.userId === user.id);
                return {
                  ...bid,
                  tieLabel: bid.tieBrokenBy ? TIE_LABELS[bid.tieBrokenBy] : null,
                  totalCells: result.members.map((m) => ({
                    total: bid.totals[m.userId],
                    outlier: bid.flags.some((f) => f.userId === m.userId),
                  })),
                  flagTexts: bid.flags.map(
                    (f) =>
                      `${memberName(f.userId)} 的总分 ${f.total} 偏离中位数 ${f.median} 达 ${Math.abs(f.deviation)} 分${f.justified ? '（已说明理由）' : '（尚未说明理由）'}`,
                  ),
                  criterionRows: result.criteria.map((criterion) => ({
                    name: criterion.name,
                    maxScore: criterion.maxScore,
                    cells: result.members.map((m) => bid.scores[m.userId]?.[criterion.key]),
                  })),
                  commentRows: result.members
                    .filter((m) => bid.comments[m.userId])
                    .map((m) => ({ name: m.name, comment: bid.comments[m.userId] })),
                  justify: myFlag && serving && !me?.confirmedAt
                    ? {
                        flag: myFlag,
                        value: (commentForm?.values as { comment?: string } | undefined)?.comment ?? bid.comments[user.id] ?? '',
                        errors: commentForm?.errors,
                      }
                    : null,
                };
              }),
            };
          })
      : [];

    if (failure) reply.code(failure.status);
    return reply.page('evaluation/session', {
      title: `评审：${recruitment.title}`,
      recruitment,
      panel,
      result,
      resultLots,
      identicalPairs: (result?.identicalVectors ?? []).map(([a, b]) => `${memberName(a)} 与 ${memberName(b)}`),
      bids,
      seated,
      done: done ? DONE[done] : null,
      canDraw: inEvaluation && isAgent && !panel.draw,
      canSupplement: inEvaluation && isAgent && panel.vacantSeats.length > 0,
      replaceable: inEvaluation && isAgent ? seated.filter((m) => !m.submittedAt) : [],
      canDeclare: inEvaluation && me?.status === 'pending',
      serving,
      readsDocuments: me === null || me.status === 'serving',
      canQualify: serving && me?.chair === true && !anySubmitted,
      canSubmit: serving && !me?.submittedAt,
      canConfirm: serving && result !== null && !me?.confirmedAt,
      canSignOff:
        inEvaluation &&
        user.role === 'inspector' &&
        user.id === recruitment.inspectorId &&
        result !== null &&
        !result.signOff &&
        result.members.every((m) => m.confirmedAt),
      form: failure?.form,
      errors: failure?.errors,
      values: failure?.values,
    });
  }

  app.get(
    '/recruitments/:id/evaluation',
    {
      schema: {
        hide: true,
        params: IdParams,
        querystring: Type.Object({
          done: Type.Optional(Type.String({ maxLength: 20 })),
          /** the bid whose form was saved, to confirm it there too */
          bid: Type.Optional(Type.String({ format: 'uuid' })),
        }),
      },
      onRequest: participants,
    },
    async (request, reply) => show(request, reply, request.params.id, { done: request.query.done, doneBid: request.query.bid }),
  );

  /** Runs a form's action, then 303 back to the page, or shows the page again with the error. */
  async function respond(request: FastifyRequest, reply: FastifyReply, id: string, form: string, work: () => Promise<unknown>, anchor = '') {
    const values = typeof request.body === 'object' && request.body !== null ? { ...request.body } : {};
    const validation = request.validationError?.validation;
    if (validation) return show(request, reply, id, { failure: { ...invalidForm(validation), form, values } });
    try {
      await work();
    } catch (error) {
      return show(request, reply, id, { failure: { ...refusedForm(error), form, values } });
    }
    const done = form.replace(/-.*$/, '');
    // a bid's own form is confirmed beside it too, where the page lands
    const bid = /^bid-(.+)$/.exec(anchor)?.[1];
    return reply.redirect(`/recruitments/${id}/evaluation?done=${done}${bid ? `&bid=${bid}` : ''}${anchor ? `#${anchor}` : ''}`, 303);
  }

  app.post(
    '/recruitments/:id/panel/draw',
    {
      schema: {
        hide: true,
        params: IdParams,
        body: Type.Object({ size: Type.Integer({ minimum: 1, maximum: 99 }), specialties: Type.Optional(Type.String({ maxLength: 500 })) }),
      },
      attachValidation: true,
      onRequest: requireRole('agent'),
    },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'draw', () =>
        evaluation.drawPanel(
          request.params.id,
          { size: request.body.size, specialties: request.body.specialties?.split(/[,，、\s]+/).filter(Boolean) },
          currentUser(request),
          requestOrigin(request),
        ),
      ),
  );

  app.post(
    '/recruitments/:id/panel/supplementary-draw',
    { schema: { hide: true, params: IdParams, body: SupplementaryDrawBody }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'supplementary', () =>
        evaluation.supplementaryDraw(request.params.id, request.body, currentUser(request), requestOrigin(request)),
        'panel',
      ),
  );

  app.post(
    '/recruitments/:id/panel/replace',
    { schema: { hide: true, params: IdParams, body: MemberReplacementBody }, attachValidation: true, onRequest: requireRole('agent') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'replace', () =>
        evaluation.replaceMember(request.params.id, request.body, currentUser(request), requestOrigin(request)),
        'panel',
      ),
  );

  app.post(
    '/recruitments/:id/panel/declaration',
    {
      schema: { hide: true, params: IdParams, body: Type.Object({ conflict: Type.Enum(['0', '1']), note: Type.String({ maxLength: 2000 }) }) },
      attachValidation: true,
      onRequest: requireRole('expert'),
    },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'declaration', () =>
        evaluation.declare(
          request.params.id,
          { conflict: request.body.conflict === '1', note: request.body.note },
          currentUser(request),
          requestOrigin(request),
        ),
      ),
  );

  app.post(
    '/recruitments/:id/qualification/:bidId',
    {
      schema: {
        hide: true,
        params: BidParams,
        body: Type.Object({ results: Type.Optional(Type.Record(Key, Verdict)), reason: Type.String({ maxLength: 2000 }) }),
      },
      attachValidation: true,
      onRequest: requireRole('expert'),
    },
    async (request, reply) =>
      respond(
        request,
        reply,
        request.params.id,
        `qualify-${request.params.bidId}`,
        () =>
          evaluation.reviewQualification(
            request.params.id,
            request.params.bidId,
            { results: request.body.results ?? {}, reason: request.body.reason },
            currentUser(request),
            requestOrigin(request),
          ),
        `bid-${request.params.bidId}`,
      ),
  );

  app.post(
    '/recruitments/:id/scores/:bidId',
    {
      schema: {
        hide: true,
        params: BidParams,
        body: Type.Object({
          scores: Type.Record(Key, Type.String({ pattern: '^\\s*(\\d{1,3}(\\.\\d{1,2})?)?\\s*$' })),
          comment: Type.String({ maxLength: 5000 }),
        }),
      },
      attachValidation: true,
      onRequest: requireRole('expert'),
    },
    async (request, reply) =>
      respond(
        request,
        reply,
        request.params.id,
        `score-${request.params.bidId}`,
        () =>
          evaluation.saveScores(
            request.params.id,
            request.params.bidId,
            { scores: typedScores(request.body.scores), comment: request.body.comment },
            currentUser(request),
            requestOrigin(request),
          ),
        `bid-${request.params.bidId}`,
      ),
  );

  app.post(
    '/recruitments/:id/scores/:bidId/comment',
    { schema: { hide: true, params: BidParams, body: Type.Object({ comment: Type.String({ maxLength: 5000 }) }) }, attachValidation: true, onRequest: requireRole('expert') },
    async (request, reply) =>
      respond(
        request,
        reply,
        request.params.id,
        `comment-${request.params.bidId}`,
        () => evaluation.saveComment(request.params.id, request.params.bidId, request.body.comment, currentUser(request), requestOrigin(request)),
        `result-${request.params.bidId}`,
      ),
  );

  app.post('/recruitments/:id/scores/submit', { schema: { hide: true, params: IdParams }, onRequest: requireRole('expert') }, async (request, reply) =>
    respond(request, reply, request.params.id, 'submit', () => evaluation.submitScores(request.params.id, currentUser(request), requestOrigin(request))),
  );

  app.post('/recruitments/:id/evaluation/confirm', { schema: { hide: true, params: IdParams }, onRequest: requireRole('expert') }, async (request, reply) =>
    respond(request, reply, request.params.id, 'confirm', () =>
      evaluation.confirmEvaluation(request.params.id, currentUser(request), requestOrigin(request)),
    ),
  );

  app.post(
    '/recruitments/:id/evaluation/signoff',
    { schema: { hide: true, params: IdParams, body: Type.Object({ comment: Type.String({ maxLength: 2000 }) }) }, attachValidation: true, onRequest: requireRole('inspector') },
    async (request, reply) =>
      respond(request, reply, request.params.id, 'signoff', () =>
        evaluation.signOff(request.params.id, request.body.comment, currentUser(request), requestOrigin(request)),
      ),
  );

  app.get(
    '/recruitments/:id/bids/:bidId/files/:fileId',
    { schema: { hide: true, params: FileParams }, onRequest: participants },
    async (request, reply) => {
      const { id, bidId, fileId } = request.params;
      const file = await evaluation.openBidFile(id, bidId, fileId, currentUser(request), requestOrigin(request));
      return reply
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .header('content-disposition', attachmentHeader(file.name))
        .send(file.stream);
    },
  );

  app.get('/expert', { schema: { hide: true }, onRequest: requireRole('expert') }, async (request, reply) =>
    reply.page('evaluation/expert', { title: '我的评审', panels: await evaluation.listMyPanels(currentUser(request)) }),
  );
};

export default evaluationPages;
