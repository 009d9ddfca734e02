import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { refusedForm, type FormFailure } from '../../lib/forms.ts';
import { formatRemaining, STATUS_LABELS } from '../../lib/labels.ts';
import { currentUser, requireRole } from '../../plugins/auth.ts';
import type { SignedInUser } from '../accounts/service.ts';
import { IdParams } from '../../lib/schemas.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import type { Recruitment } from '../recruitments/types.ts';
import { bidOrigin, bidParts } from './routes.ts';
import type { BidPart, BidReceipt, BidService } from './service.ts';
import type { BidStanding, BidStandings } from './standing.ts';

// The organisation's bid pages: the submission form (plain multipart, enhanced by upload.js with
// a progress bar and a deadline warning), the printable receipt and withdrawal. Every rule is the
// bid service's; a refused submission comes back with the message beside the field it concerns.

export interface BidPageOptions {
  bids: BidService;
  recruitments: RecruitmentService;
  /** the server clock the service judges the deadline by, so the page says what the service will do */
  clock: Clock;
  standings: BidStandings;
}

const BidParams = Type.Object({ bidId: Type.String({ format: 'uuid' }) });

type OwnBid = Awaited<ReturnType<BidService['listOwnBids']>>[number];

/**
 * The organisation's bids as the pages list them (views/partials/own-bids.hbs), each with where it
 * stands, and how many are live: those the page says it has received.
 */
function ownBidsView(own: OwnBid[], standings: Map<string, BidStanding>, { canWithdraw }: { canWithdraw: boolean }) {
  return {
    received: own.filter((bid) => bid.status === 'submitted').length,
    bids: own.map((bid) => ({
      ...bid,
      standing: standings.get(bid.bidId),
      canWithdraw: canWithdraw && bid.status === 'submitted',
    })),
  };
}

const DONE_MESSAGES: Record<string, string> = {
  submitted: '响应文件已提交：服务器已完整接收并保存。请立即打印或保存本页：文件清单和盐值已密封，此后到开标前不再显示。',
  withdrawn: '响应文件已撤回。撤回的响应文件不参加开标；截止前可重新提交。',
};

/** What the organisation typed, to show a refused form again (files cannot be refilled). */
interface TypedBid {
  lot?: string;
  publicBenefitRatio?: string;
  summary?: string;
  declared: string[];
}

/**
 * The form's parts as the service reads them. Without JavaScript each eligibility condition is a
 * checkbox `declare=<key>`; the service takes one `declarations` JSON field, so the ticked boxes
 * become `{key: true}`, sent after the last part because the service reads fields only once
 * every part has arrived. The typed values are copied into `typed` on the way.
 */
async function* formParts(parts: AsyncIterable<BidPart>, typed: TypedBid): AsyncGenerator<BidPart> {
  for await (const part of parts) {
    if (part.kind === 'field') {
      if (part.name === 'declare') {
        typed.declared.push(part.value);
        continue;
      }
      if (part.name === 'lot' || part.name === 'publicBenefitRatio' || part.name === 'summary') typed[part.name] = part.value;
    }
    yield part;
  }
  yield { kind: 'field', name: 'declarations', value: JSON.stringify(Object.fromEntries(typed.declared.map((key) => [key, true]))) };
}

/** Why the recruitment takes no bids now, in the service's order of checks; null while it does. */
function closedReason(recruitment: Recruitment, now: Date): string | null {
  if (now >= recruitment.submissionDeadline) return '响应文件提交已截止（以服务器时间为准），不再接受提交或撤回。';
  if (recruitment.status !== 'published') {
    return `本招募项目当前状态为“${STATUS_LABELS[recruitment.status]}”，不接受响应文件。`;
  }
  return null;
}

const bidPages: FastifyPluginAsyncTypebox<BidPageOptions> = async (app, { bids, recruitments, clock, standings }) => {
  /**
   * A refused submission as a form failure. Too many files or fields end the request with
   * @fastify/multipart's own 413 errors rather than an AppError; they concern the documents.
   * (A file over the size limit is the service's FILE_TOO_LARGE, which names the file.)
   */
  function submissionFailure(error: unknown): FormFailure {
    const { FilesLimitError, FieldsLimitError, PartsLimitError } = app.multipartErrors;
    if (error instanceof FilesLimitError || error instanceof FieldsLimitError || error instanceof PartsLimitError) {
      return { status: 413, errors: { documents: '一次上传的文件或填报项过多，请合并文件后重新提交' } };
    }
    return refusedForm(error);
  }

  async function showSubmission(
    request: FastifyRequest,
    reply: FastifyReply,
    recruitmentId: string,
    { done, failure }: { done?: string; failure?: FormFailure & { form: 'bid' | 'withdraw'; typed?: TypedBid } } = {},
  ) {
    const bidder = currentUser(request);
    const recruitment = await recruitments.getRecruitment(recruitmentId, bidder);
    const own = await bids.listOwnBids(bidder, recruitmentId);
    const now = clock.now();
    const closed = closedReason(recruitment, now);
    const typed = failure?.typed;
    if (failure) reply.code(failure.status);
    const { bids: ownBids, received } = ownBidsView(own, await standings.standingsOf(own), { canWithdraw: !closed });
    return reply.page('bids/submit', {
      title: `提交响应文件 · ${recruitment.title}`,
      recruitment,
      closed,
      remaining: formatRemaining(recruitment.submissionDeadline.getTime() - now.getTime()),
      done: done ? DONE_MESSAGES[done] : null,
      ownBids,
      received,
      lots: recruitment.lots.map((lot) => ({ ...lot, selected: lot.key === typed?.lot })),
      conditions: recruitment.eligibility.map((condition) => ({
        ...condition,
        checked: typed?.declared.includes(condition.key) ?? false,
      })),
      values: typed,
      form: failure?.form,
      errors: failure?.errors,
    });
  }

  /**
   * The receipt with the names a person reads beside the keys the digest covers. Right after the
   * submission (`submitted`) it lists the files and the salt, which the server holds only then;
   * later the files are sealed until the opening and the salt is the bidder's to keep.
   */
  async function receiptView(bidId: string, bidder: SignedInUser, submitted?: BidReceipt) {
    const stored = await bids.getReceipt(bidId, bidder);
    const receipt = submitted ? { ...stored, files: submitted.files } : stored;
    const salt = submitted?.salt ?? null;
    const recruitment = await recruitments.getRecruitment(receipt.recruitmentId, bidder);
    const standing = (await standings.standingsOf([receipt])).get(receipt.bidId);
    return {
      receipt,
      salt,
      lotName: recruitment.lots.find((lot) => lot.key === receipt.lot)?.name ?? receipt.lot,
      standing,
      // What the digest covers (bidDigest in lib/sealing.ts), filled in as far as the portal may
      // show it: the declared share and summary are sealed, so the organisation fills in its own,
      // and so are the files and the salt once this first receipt is gone. Declarations are always
      // every condition of the recruitment, as the service records them.
      digestInput: {
        recruitmentId: receipt.recruitmentId,
        organizationId: receipt.organizationId,
        lot: receipt.lot,
        version: receipt.version,
        receivedAt: receipt.receivedAt.toISOString(),
        fields: {
          publicBenefitRatio: '〈提交时填写的公益名额比例，数字〉',
          declarations: Object.fromEntries(recruitment.eligibility.map((condition) => [condition.key, true])),
          summary: '〈提交时填写的方案摘要，去掉首尾空白〉',
        },
        files: receipt.files ?? '〈提交时回执上的文件清单：[{"name": 文件名, "size": 字节数, "sha256": 摘要}, …]〉',
        salt: salt ?? '〈提交时回执上的盐值〉',
      },
    };
  }

  // the organisation's desk: every recruitment it follows or bid in, each with its bids (received
  // or withdrawn) and where they stand
  app.get('/bidder', { schema: { hide: true }, onRequest: requireRole('bidder') }, async (request, reply) => {
    const bidder = currentUser(request);
    const [own, projects] = await Promise.all([bids.listOwnBids(bidder), recruitments.listFollowedOrBid(bidder)]);
    const { bids: ownBids, received } = ownBidsView(own, await standings.standingsOf(own), { canWithdraw: false });
    return reply.page('bids/desk', {
      title: '我的项目',
      received,
      projects: projects.map((project) => ({ ...project, bids: ownBids.filter((bid) => bid.recruitmentId === project.id) })),
    });
  });

  app.get(
    '/bidder/recruitments/:id/bid',
    {
      schema: { hide: true, params: IdParams, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => showSubmission(request, reply, request.params.id, { done: request.query.done }),
  );

  app.post(
    '/bidder/recruitments/:id/bid',
    {
      // the CSRF token is the form's first field, read before the files (plugins/multipart-form.ts)
      schema: { hide: true, params: IdParams },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => {
      const id = request.params.id;
      const typed: TypedBid = { declared: [] };
      let receipt;
      try {
        receipt = await bids.submitBid(id, currentUser(request), bidOrigin(request), formParts(bidParts(request), typed));
      } catch (error) {
        return showSubmission(request, reply, id, { failure: { ...submissionFailure(error), form: 'bid', typed } });
      }
      // the receipt is answered here rather than after a redirect: the files and the salt exist in
      // clear only in this response (a reload would ask to resubmit, and the browser says so)
      const view = await receiptView(receipt.bidId, currentUser(request), receipt);
      return reply.header('cache-control', 'no-store').page('bids/receipt', { title: '响应文件接收回执', ...view, done: DONE_MESSAGES.submitted });
    },
  );

  app.get(
    '/bidder/bids/:bidId',
    {
      schema: { hide: true, params: BidParams },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => {
      const view = await receiptView(request.params.bidId, currentUser(request));
      return reply.page('bids/receipt', { title: '响应文件接收回执', ...view, done: null });
    },
  );

  /**
   * Withdrawal is two steps: the list's "撤回" leads here, to what withdrawing means and a form
   * whose `confirm=1` the post requires, so that one stray tap never withdraws a bid.
   */
  async function showWithdrawal(request: FastifyRequest, reply: FastifyReply, bidId: string, failure?: FormFailure) {
    const bidder = currentUser(request);
    // another organisation's bid is not found here, before anything is shown
    const receipt = await bids.getReceipt(bidId, bidder);
    const recruitment = await recruitments.getRecruitment(receipt.recruitmentId, bidder);
    if (failure) reply.code(failure.status);
    return reply.page('bids/withdraw', {
      title: `撤回响应文件 · ${recruitment.title}`,
      receipt,
      lotName: recruitment.lots.find((lot) => lot.key === receipt.lot)?.name ?? receipt.lot,
      closed: closedReason(recruitment, clock.now()),
      errors: failure?.errors,
    });
  }

  app.get(
    '/bidder/bids/:bidId/withdraw',
    { schema: { hide: true, params: BidParams }, onRequest: requireRole('bidder') },
    async (request, reply) => showWithdrawal(request, reply, request.params.bidId),
  );

  app.post(
    '/bidder/bids/:bidId/withdraw',
    {
      schema: { hide: true, params: BidParams, body: Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 10 })) }) },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => {
      const bidder = currentUser(request);
      const bidId = request.params.bidId;
      // another organisation's bid is not found here, before anything is tried
      const { recruitmentId } = await bids.getReceipt(bidId, bidder);
      if (request.body.confirm !== '1') {
        const refusal = new AppError('WITHDRAWAL_NOT_CONFIRMED', '请在本页确认撤回：响应文件尚未撤回');
        return showWithdrawal(request, reply, bidId, refusedForm(refusal));
      }
      try {
        await bids.withdrawBid(bidId, bidder, bidOrigin(request));
      } catch (error) {
        return showSubmission(request, reply, recruitmentId, { failure: { ...refusedForm(error), form: 'withdraw' } });
      }
      return reply.redirect(`/bidder/recruitments/${recruitmentId}/bid?done=withdrawn`, 303);
    },
  );
};

export default bidPages;
