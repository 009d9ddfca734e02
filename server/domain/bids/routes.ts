import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { bearerSecurity as security, ErrorReply, IdParams } from '../../lib/schemas.ts';
import { checkFileName, refuseNul } from '../../lib/validation.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { requestParts } from '../../plugins/multipart-form.ts';
import { BidCreatedReply, OwnBidsQuery, OwnBidsReply, ReceiptReply } from './schemas.ts';
import type { BidOrigin, BidPart, BidService } from './service.ts';
import type { BidStandings } from './standing.ts';

const tags = ['bids'];

/** The multipart parts of a request, in the shape the bid service reads: fields and streaming files. */
export async function* bidParts(request: FastifyRequest): AsyncGenerator<BidPart> {
  if (!request.isMultipart()) {
    throw new AppError('VALIDATION_FAILED', '请以 multipart/form-data 提交响应文件', 'documents');
  }
  for await (const part of requestParts(request)) {
    if (part.type === 'field') {
      const value = String(part.value);
      if (value.includes('\u0000')) refuseNul(part.fieldname);
      yield { kind: 'field', name: part.fieldname, value };
    } else {
      checkFileName(part.filename, part.fieldname);
      yield {
        kind: 'file',
        name: part.fieldname,
        filename: part.filename,
        stream: part.file,
        truncated: () => part.file.truncated,
      };
    }
  }
}

export function bidOrigin(request: FastifyRequest): BidOrigin {
  return { ...requestOrigin(request), sessionId: request.user?.sessionId ?? null };
}

const bidRoutes: FastifyPluginAsyncTypebox<{ bids: BidService; standings: BidStandings }> = async (app, { bids, standings }) => {
  app.post(
    '/api/v1/recruitments/:id/bids',
    {
      schema: {
        summary: '提交响应文件（multipart：lot, publicBenefitRatio, declarations JSON, summary, documents 为 PDF 文件）',
        description:
          '文件以流方式接收，核验 PDF 文件头，计算 SHA-256 并加密存储；文件落盘并提交事务后才返回回执。同一单位同一类别再次提交即为新版本，开标时只开启最新版本。',
        tags,
        security,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: BidCreatedReply, 409: ErrorReply, 413: ErrorReply, 422: ErrorReply },
      },
      onRequest: requireRole('bidder'),
    },
    async (request, reply) => {
      const receipt = await bids.submitBid(request.params.id, currentUser(request), bidOrigin(request), bidParts(request));
      return reply.code(201).send(receipt);
    },
  );

  app.get(
    '/api/v1/bids',
    {
      schema: {
        summary: '本单位的响应文件及回执编号（最新版本，按接收时间倒序）',
        description: '列出服务器已接收的每份响应文件，包括提交时连接中断、未收到回执的：以此为准，无需重复提交。',
        tags,
        security,
        querystring: OwnBidsQuery,
        response: { 200: OwnBidsReply },
      },
      onRequest: requireRole('bidder'),
    },
    async (request) => {
      const own = await bids.listOwnBids(currentUser(request), request.query.recruitmentId);
      const standing = await standings.standingsOf(own);
      return own.map((bid) => ({ ...bid, standing: standing.get(bid.bidId)! }));
    },
  );

  app.get(
    '/api/v1/bids/:id',
    {
      schema: { summary: '响应文件回执与状态（提交单位）', tags, security, params: IdParams, response: { 200: ReceiptReply } },
      onRequest: requireRole('bidder'),
    },
    async (request) => {
      const receipt = await bids.getReceipt(request.params.id, currentUser(request));
      return { ...receipt, standing: (await standings.standingsOf([receipt])).get(receipt.bidId)! };
    },
  );

  app.delete(
    '/api/v1/bids/:id',
    {
      schema: {
        summary: '撤回响应文件（提交截止前）',
        tags,
        security,
        params: IdParams,
        response: { 200: Type.Object({ bidId: Type.String(), status: Type.String() }) },
      },
      onRequest: requireRole('bidder'),
    },
    async (request) =>
      bids.withdrawBid(request.params.id, currentUser(request), requestOrigin(request)),
  );
};

export default bidRoutes;
