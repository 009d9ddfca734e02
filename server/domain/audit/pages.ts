import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError } from '../../errors.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { CheckpointService } from './checkpoints.ts';
import type { AuditRecord } from './record.ts';
import { entryCard, filterParams, recordPath, withParams } from './record-view.ts';
import { filterOf, RecordPageQuery } from './schemas.ts';
import type { AuditService } from './service.ts';

// The record pages: a recruitment's record for its inspector, and the whole log for any inspector,
// newest first, fifty entries a page, filtered by action, actor and time, each entry in words; the
// chain's verification on top. The newest page grows live (stream.ts, views/public/audit-live.js).

const GlobalPageQuery = Type.Object({
  ...RecordPageQuery.properties,
  /** the seq of the checkpoint just issued, to confirm it */
  checkpoint: Type.Optional(Type.Integer({ minimum: 0 })),
});

type Recruitment = Awaited<ReturnType<AuditRecord['recordOf']>>;

const auditPages: FastifyPluginAsyncTypebox<{ audit: AuditService; record: AuditRecord; checkpoints: CheckpointService }> = async (
  app,
  { audit, record, checkpoints },
) => {
  async function show(
    reply: FastifyReply,
    recruitment: Recruitment | null,
    query: Static<typeof RecordPageQuery>,
    notice: { checkpoint?: number; refused?: string } = {},
  ) {
    const filter = { ...filterOf(query), ...(recruitment ? { recruitmentId: recruitment.id } : {}) };
    // read before the page: an entry appended meanwhile is on the page or comes over the stream
    const head = await record.headSeq();
    const [page, check, choices, latest] = await Promise.all([
      query.seq !== undefined ? record.pageHolding(filter, query.seq) : record.page(filter, query.before),
      audit.verifyChain(),
      record.filterChoices(recruitment?.id),
      record.latestCheckpoint(),
    ]);
    const entries = await record.readable(page.entries);
    const path = recordPath(recruitment?.id ?? null);
    const params = filterParams(query);
    const newest = page.newer === null;
    return reply.page('inspector/audit', {
      title: recruitment ? `操作日志：${recruitment.title}` : '操作日志（全部）',
      recruitment,
      check,
      latest,
      filter: query,
      filtered: params.size > 0,
      path,
      choices,
      entries: entries.map((entry) => entryCard(entry, filter, entry.seq === query.seq)),
      olderUrl: page.older === null ? null : withParams(path, params, { before: page.older }),
      newerUrl: page.newer === null ? null : withParams(path, params, page.newer.before ? { before: page.newer.before } : {}),
      newestUrl: newest ? null : withParams(path, params),
      // only the newest page grows, and only a recruitment's record is watched live
      stream: newest && recruitment ? withParams(`${path}/stream`, params, { after: Math.max(head, page.entries[0]?.seq ?? 0) }) : null,
      ...notice,
    });
  }

  app.get(
    '/inspector/audit',
    { schema: { hide: true, querystring: GlobalPageQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const { checkpoint, ...query } = request.query;
      return show(reply, null, query, checkpoint === undefined ? {} : { checkpoint });
    },
  );

  app.get(
    '/inspector/recruitments/:id/audit',
    { schema: { hide: true, params: IdParams, querystring: RecordPageQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => show(reply, await record.recordOf(currentUser(request), request.params.id), request.query),
  );

  app.post(
    '/inspector/audit/checkpoints',
    { schema: { hide: true, body: Type.Object({}) }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      try {
        const issued = await checkpoints.requestCheckpoint(currentUser(request), requestOrigin(request));
        return reply.redirect(`/inspector/audit?checkpoint=${issued.seq}`, 303);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        reply.code(error.statusCode);
        return show(reply, null, {}, { refused: error.message });
      }
    },
  );
};

export default auditPages;
