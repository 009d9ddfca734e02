import { createServer } from 'node:http';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import qs from 'qs';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import { isDatabaseUnavailable, type Db } from './db/client.ts';
import { isDatabaseDiskFull } from './db/errors.ts';
import accountPages from './domain/accounts/pages.ts';
import agentPages from './domain/recruitments/agent-pages.ts';
import accountRoutes from './domain/accounts/routes.ts';
import { createAccountService, type AccountService } from './domain/accounts/service.ts';
import auditPages from './domain/audit/pages.ts';
import awardPages from './domain/awards/pages.ts';
import awardRoutes from './domain/awards/routes.ts';
import { createAwardService, type AwardService } from './domain/awards/service.ts';
import auditRoutes from './domain/audit/routes.ts';
import healthRoutes from './domain/health/routes.ts';
import { createHealthService } from './domain/health/service.ts';
import { createCheckpointService, type CheckpointService } from './domain/audit/checkpoints.ts';
import { createAuditRecord } from './domain/audit/record.ts';
import { createAuditService, type AuditService } from './domain/audit/service.ts';
import auditStream from './domain/audit/stream.ts';
import bidPages from './domain/bids/pages.ts';
import { createBidStandings } from './domain/bids/standing.ts';
import documentPages from './domain/documents/pages.ts';
import { createDocumentQueue } from './domain/documents/queue.ts';
import documentRoutes from './domain/documents/routes.ts';
import { createDocumentIssuer } from './domain/documents/issuer.ts';
import { createDocumentService, type DocumentService } from './domain/documents/service.ts';
import bidRoutes from './domain/bids/routes.ts';
import { createBidService, type BidService } from './domain/bids/service.ts';
import homePages from './domain/home/pages.ts';
import inspectionPages from './domain/inspection/pages.ts';
import inspectionRoutes from './domain/inspection/routes.ts';
import { createPartnershipOversight } from './domain/inspection/partnerships.ts';
import { createInspectionService, type InspectionService } from './domain/inspection/service.ts';
import notificationPages from './domain/notifications/pages.ts';
import notificationRoutes from './domain/notifications/routes.ts';
import { createNotificationService, type NotificationService } from './domain/notifications/service.ts';
import evaluationPages from './domain/evaluation/pages.ts';
import evaluationRoutes from './domain/evaluation/routes.ts';
import { createEvaluationService, type EvaluationService } from './domain/evaluation/service.ts';
import { createAnnouncedKeys } from './domain/opening/announced-key.ts';
import { createEscrowService } from './domain/opening/escrow.ts';
import escrowRoutes from './domain/opening/escrow-routes.ts';
import { createOpeningKeyService } from './domain/opening/keys.ts';
import openingPages from './domain/opening/pages.ts';
import openingRoutes from './domain/opening/routes.ts';
import { createEnteredShares, enteredShareSecret } from './domain/opening/entered-shares.ts';
import { createOpeningService, type OpeningService } from './domain/opening/service.ts';
import openingKeyPages from './domain/opening/key-pages.ts';
import openingKeyRoutes from './domain/opening/key-routes.ts';
import recruitmentPages from './domain/recruitments/pages.ts';
import recruitmentRoutes from './domain/recruitments/routes.ts';
import { createPublicVersions } from './domain/recruitments/public-versions.ts';
import { createRecruitmentService, type RecruitmentService } from './domain/recruitments/service.ts';
import offerPages from './domain/offers/pages.ts';
import offerRoutes from './domain/offers/routes.ts';
import { createOfferService } from './domain/offers/service.ts';
import { createSiteOffers } from './domain/offers/site.ts';
import { createPartnershipAccess } from './domain/partnerships/access.ts';
import { createLapses } from './domain/partnerships/lapse.ts';
import partnershipPages from './domain/partnerships/pages.ts';
import partnershipRoutes from './domain/partnerships/routes.ts';
import { createPartnershipService, type PartnershipService } from './domain/partnerships/service.ts';
import { ratingKeyOf } from './domain/satisfaction/codes.ts';
import satisfactionPages from './domain/satisfaction/pages.ts';
import satisfactionRoutes from './domain/satisfaction/routes.ts';
import { createSatisfactionService } from './domain/satisfaction/service.ts';
import reviewPages from './domain/reviews/pages.ts';
import reviewRoutes from './domain/reviews/routes.ts';
import { createReviewService, type ReviewService } from './domain/reviews/service.ts';
import organizationRecordPages from './domain/records/pages.ts';
import organizationRecordRoutes from './domain/records/routes.ts';
import { createOrganizationRecordService } from './domain/records/service.ts';
import { AppError, RateLimitedError, type FieldError } from './errors.ts';
import { isAdjustable, type Clock } from './lib/clock.ts';
import { documentAssets, type DocumentAssets } from './lib/document-assets.ts';
import { createMailer, type Mailer } from './lib/mailer.ts';
import { signatoryName, type Signer } from './lib/signing.ts';
import { RequestLogController } from './lib/request-log.ts';
import { isStorageUnavailable, type Storage } from './lib/storage.ts';
import { isOneLine, nulPath, refuseNul, validationMessage } from './lib/validation.ts';
import anonymousCache from './plugins/anonymous-cache.ts';
import auth, { isApiRequest } from './plugins/auth.ts';
import { readMultipartToken } from './plugins/multipart-form.ts';
import securityHeadersPlugin, { securityHeaders } from './plugins/security-headers.ts';
import staticFilesPlugin, { createStaticFiles } from './plugins/static-files.ts';
import testClock from './plugins/test-clock.ts';
import views, { VIEWS_DIR } from './plugins/views.ts';
import { startSweep } from './lib/sweep.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** the domain services, for start-up tasks and test set-up; routes get theirs as options */
    services: {
      audit: AuditService;
      checkpoints: CheckpointService;
      accounts: AccountService;
      recruitments: RecruitmentService;
      bids: BidService;
      opening: OpeningService;
      evaluation: EvaluationService;
      awards: AwardService;
      inspection: InspectionService;
      notifications: NotificationService;
      partnerships: PartnershipService;
      reviews: ReviewService;
      documents: DocumentService & {
        /** schedules every recruitment's missing documents (at start) */
        scheduleAllMissing(): Promise<number>;
        /**
         * schedules them every `everyMs` from now on: work another instance committed and did not
         * finish (it died) is not stranded; answers how to stop
         */
        startSweep(everyMs: number, report: (error: unknown) => void): () => void;
        /** resolves once no document is being produced or waiting */
        idle(): Promise<void>;
      };
      mailer: Mailer;
    };
  }
}

export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  storage: Storage;
  /** signs the documents: the centre's certificate (lib/signing-key.ts) */
  signer: Signer;
  /** the fonts and template hashes; defaults to reading them on the first document */
  documentAssets?: () => Promise<DocumentAssets>;
  /** defaults to the transport SMTP_URL describes, or the outbox folder */
  mailer?: Mailer;
  logger?: FastifyServerOptions['logger'];
}

const STATIC_PREFIX = '/static/';

export const PUBLISHER_NAME = '职工服务中心合作伙伴招募平台';

/** the largest unread rest of a body that an early answer reads and drops instead of closing the connection */
const DRAIN_UNREAD_BODY_BYTES = 1024 * 1024;

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: readonly FieldError[];
}

/** Maps anything thrown to the public error: codes and zh-CN messages, never 5xx details. */
function toErrorBody(error: FastifyError | AppError): ErrorBody {
  if (error instanceof AppError) {
    const body = { statusCode: error.statusCode, code: error.code, message: error.message };
    return error.errors ? { ...body, errors: error.errors } : body;
  }
  if (error.validation) {
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: validationMessage(error.validation) };
  }
  if (error.code?.startsWith('FST_CSRF')) {
    return { statusCode: 403, code: 'CSRF_INVALID', message: '表单已失效（CSRF 校验失败），请刷新页面后重试' };
  }
  if (isMalformedMultipart(error)) {
    return { statusCode: 400, code: 'MULTIPART_INVALID', message: '上传内容不完整或格式有误（传输中断或请求体损坏），本次提交未被接收，请重新提交' };
  }
  // before the database's: the S3 client's network failures carry the same socket codes
  if (isStorageUnavailable(error)) {
    return { statusCode: 503, code: 'STORAGE_UNAVAILABLE', message: '文件存储暂时不可用，本次操作未完成（提交的文件未被接收），请稍后重试' };
  }
  if (isDatabaseUnavailable(error)) {
    return { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: '数据库暂时不可用（可能正在重启），本次操作未完成，请稍后重试' };
  }
  // the embedded database shares the disk with the bid files: when it fills, the database's own
  // writes fail too, and the client is told the same as for a file
  if (isDatabaseDiskFull(error)) {
    return { statusCode: 507, code: 'STORAGE_FULL', message: '平台暂时无法保存数据（存储空间已满），本次操作未完成，请稍后重试' };
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return { statusCode: 413, code: 'FILE_TOO_LARGE', message: '上传内容超过大小限制' };
  if (status === 415) return { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的请求内容类型' };
  if (status >= 400 && status < 500) {
    return { statusCode: status, code: 'BAD_REQUEST', message: '请求无法处理，请检查请求格式' };
  }
  return { statusCode: 500, code: 'INTERNAL', message: '服务器内部错误，请稍后再试；如持续出现请联系管理员' };
}

/** busboy's plain errors for a body that is not whole multipart (no closing boundary, no boundary at all) */
function isMalformedMultipart(error: Error): boolean {
  return /^(Unexpected end of multipart data|Multipart: Boundary not found)$|terminated early due to unexpected end of multipart data/.test(error.message);
}

function formToken(fields: unknown): string | undefined {
  if (typeof fields !== 'object' || fields === null || !('_csrf' in fields)) return undefined;
  return typeof fields._csrf === 'string' ? fields._csrf : undefined;
}

function headerToken(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function buildApp(deps: AppDeps) {
  const { config, db, clock, storage } = deps;
  const https = config.publicUrl.startsWith('https://');
  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https,
  });
  const staticFiles = createStaticFiles(path.join(VIEWS_DIR, 'public'), STATIC_PREFIX, headers);
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 1024 * 1024,
    logController: new RequestLogController(),
    // Static files are answered before the framework (plugins/static-files.ts).
    // Slow clients must not hold connections open, yet a 50 MB bid on a slow line (say 30 min at
    // 30 KB/s) must finish: the headers have a deadline of their own (a slow-header client is cut
    // after it), a request is cut only once the client sends nothing for the idle timeout, and
    // there is no cap on a whole request, which would cut exactly the slow uploads that keep
    // sending. The idle timer also runs while the server itself stops reading (a busy disk or
    // thread pool pauses the socket; 43 s was seen under a sign-in flood) and after the last byte
    // (fsync, commit), hence 60 s by default. Node checks the header deadline every second.
    serverFactory: (handler) => {
      const server = createServer({ headersTimeout: config.headersTimeoutS * 1000, connectionsCheckingInterval: 1000 }, (request, response) => {
        if (!staticFiles.frontDoor(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = 5000;
      server.requestTimeout = 0;
      server.setTimeout(config.idleTimeoutS * 1000);
      return server;
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, formats: { 'one-line': isOneLine } } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const mailer =
    deps.mailer ??
    createMailer(config, storage, (error, message) => app.log.error({ err: error, to: message.to }, 'mail not sent'));
  const audit = createAuditService({ db, clock, storage, certificateFingerprint: deps.signer.certificate.fingerprint });
  const record = createAuditRecord({ db });
  const accounts = createAccountService({
    db,
    clock,
    audit,
    mailer,
    publicUrl: config.publicUrl,
    registrationsPerHour: config.registrationsPerHour,
  });
  const openingKeys = createOpeningKeyService({ db, clock, audit, limits: accounts.limits });
  const escrow = createEscrowService({ db, clock, audit });
  const inspection = createInspectionService({ db, clock, mailer, publicUrl: config.publicUrl });
  const notifications = createNotificationService({
    db,
    clock,
    audit,
    mailer,
    publicUrl: config.publicUrl,
    report: (error) => app.log.error({ err: error }, 'notification not sent'),
  });
  const { signOffs, agentMails } = notifications;
  const documentQueue = createDocumentQueue((error, recruitmentId) =>
    app.log.error({ err: error, recruitmentId }, 'documents not issued; they are retried at the next trigger or start'),
  );
  const documentIssuer = createDocumentIssuer({
    db,
    storage,
    clock,
    audit,
    signer: deps.signer,
    assets: deps.documentAssets ?? documentAssets,
    publicUrl: config.publicUrl,
  });
  const recruitments = createRecruitmentService({
    db,
    clock,
    audit,
    openingKeys,
    escrow,
    mailer,
    minTenderDays: config.minTenderDays,
    publicUrl: config.publicUrl,
    documents: documentIssuer,
    signOffs,
    agentMails,
  });
  const publicVersions = createPublicVersions({ db });
  const announcedKeys = createAnnouncedKeys({ db, clock, audit, inspection, storage, certificateFingerprint: deps.signer.certificate.fingerprint });
  const bids = createBidService({ db, clock, audit, storage, announcedKeys, inspection });
  const enteredShares = createEnteredShares({ db, secret: enteredShareSecret(config.enteredShareSecret, storage) });
  const opening = createOpeningService({
    db,
    clock,
    audit,
    storage,
    openingKeys,
    enteredShares,
    announcedKeys,
    documentQueue,
    inspection,
    signOffs,
    agentMails,
  });
  const evaluation = createEvaluationService({ db, clock, audit, storage, documentQueue, mailer, signOffs, publicUrl: config.publicUrl });
  const awards = createAwardService({
    db,
    clock,
    audit,
    mailer,
    recruitments,
    evaluation,
    publicUrl: config.publicUrl,
    documentQueue,
    signOffs,
    agentMails,
  });
  const documents = createDocumentService({
    db,
    storage,
    clock,
    audit,
    issuer: documentIssuer,
    mailer,
    recruitments,
    evaluation,
    awards,
    publicUrl: config.publicUrl,
  });
  const checkpoints = createCheckpointService({
    db,
    clock,
    audit,
    documents: documentIssuer,
    storage,
    mailer,
    centre: signatoryName(deps.signer.certificate.subject),
    publicUrl: config.publicUrl,
  });
  const partnerships = createPartnershipService({
    db,
    clock,
    audit,
    storage,
    issuer: documentIssuer,
    recruitments,
    awards,
    assets: deps.documentAssets ?? documentAssets,
    publicUrl: config.publicUrl,
    mailer,
    agentMails,
  });
  const reviews = createReviewService({
    db,
    clock,
    audit,
    access: createPartnershipAccess({ db, recruitments, awards }),
    issuer: documentIssuer,
    storage,
    mailer,
    publicUrl: config.publicUrl,
  });
  documentQueue.start((recruitmentId) => documents.issueMissingDocuments(recruitmentId));
  const scheduleAllMissing = async () => {
    const ids = await documents.recruitmentsWithDocuments();
    for (const id of ids) documentQueue.schedule(id);
    return ids.length;
  };
  const startDocumentSweep = (everyMs: number, report: (error: unknown) => void) => startSweep(everyMs, scheduleAllMissing, report);
  app.decorate('services', {
    audit,
    checkpoints,
    accounts,
    recruitments,
    bids,
    opening,
    evaluation,
    awards,
    inspection,
    notifications,
    partnerships,
    reviews,
    documents: { ...documents, scheduleAllMissing, startSweep: startDocumentSweep, idle: documentQueue.idle },
    mailer,
  });
  // the document being produced is finished (its mail queued), the rest waits for the next start
  app.addHook('onClose', async () => {
    await documentQueue.close();
    await mailer.drain();
  });

  await app.register(securityHeadersPlugin, { headers });
  const sessionSecret = config.sessionSecret ?? storage.secret('session');
  await app.register(fastifyCookie, { secret: sessionSecret });
  app.decorateRequest('formParts', null);
  const multipartTokens = new WeakMap<FastifyRequest, string | undefined>();
  await app.register(fastifyCsrf, {
    cookieOpts: { path: '/', signed: true, httpOnly: true, sameSite: 'strict', secure: https },
    // forms send the token in the body; a multipart form as its first field (multipart-form.ts)
    getToken: (request) =>
      formToken(request.body) ?? multipartTokens.get(request) ?? headerToken(request.headers['x-csrf-token']),
  });
  // Forms name rows like lots[0][quota]; qs turns them into the nested shape the schemas describe.
  // Bid documents stream through; a file over MAX_UPLOAD_MB ends the request with 413.
  await app.register(fastifyMultipart, {
    // fields: lot, share, summary and one declaration per eligibility condition (at most 30)
    limits: { fileSize: config.maxUploadMb * 1024 * 1024, files: 20, fields: 40, fieldSize: 64 * 1024, parts: 60 },
  });
  await app.register(fastifyFormbody, { parser: (body) => qs.parse(body, { arrayLimit: 100, depth: 3 }) });
  await app.register(staticFilesPlugin, { files: staticFiles, prefix: STATIC_PREFIX });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: '职工服务中心合作伙伴招募平台 API',
        description: '招募、响应、开标、评审与结果公示的 JSON 接口。API 使用 Bearer 令牌（POST /api/v1/auth/login）。',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
  await app.register(auth, { accounts });
  await app.register(views, { clock });
  await app.register(anonymousCache, { clock });

  // Every form post of a page carries the CSRF token; API calls authenticate by bearer token
  // only, so a browser's cookies can never make one.
  app.addHook('preValidation', async (request, reply) => {
    if (isApiRequest(request) || ['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    if (request.isMultipart()) multipartTokens.set(request, await readMultipartToken(request));
    await new Promise<void>((resolve, reject) =>
      app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve())),
    );
  });

  // What a signed-in user is shown (signed PDFs, bid receipts, audit entries…) may be
  // confidential: no browser or proxy cache keeps it. Static assets set their own policy.
  app.addHook('onSend', async (request, reply) => {
    if (request.user && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // An answer before the whole body was read (an upload refused at its first bytes, by the API
    // or a page) leaves the rest on the connection, where it would stall the next request. A
    // small rest is read and dropped, the connection kept: closing it with bytes unread makes the
    // kernel answer the client's next bytes with a reset, which can take the answer with it. A
    // large rest closes the connection rather than take it all in.
    if (!request.raw.complete) {
      if (Number(request.headers['content-length']) <= DRAIN_UNREAD_BODY_BYTES) {
        request.raw.unpipe();
        request.raw.resume();
      } else {
        reply.header('connection', 'close');
      }
    }
  });

  // PostgreSQL text cannot hold NUL: refused in every body, query and path before the schemas
  // (a multipart body's fields are checked as they stream, in the bid routes).
  app.addHook('preValidation', async (request) => {
    const field = nulPath(request.body) ?? nulPath(request.query, 'query') ?? nulPath(request.params, 'params');
    if (field !== null) refuseNul(field);
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterS));
    if (body.statusCode === 503) reply.header('retry-after', '5');
    else request.log.info({ code: body.code }, body.message);
    if (!isApiRequest(request) && body.code === 'UNAUTHENTICATED') {
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    return sendError(request, reply, body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, { statusCode: 404, code: 'NOT_FOUND', message: '您访问的页面或资源不存在' }),
  );

  await app.register(homePages, { recruitments, clock });
  await app.register(accountRoutes, { accounts });
  await app.register(accountPages, { accounts, escrow, secureCookies: https });
  await app.register(agentPages, { recruitments, accounts });
  await app.register(auditRoutes, { audit, record, checkpoints });
  await app.register(healthRoutes, { health: createHealthService({ db, storage }) });
  await app.register(openingKeyRoutes, { openingKeys });
  await app.register(escrowRoutes, { escrow });
  const standings = createBidStandings({ db, clock, evaluation });
  await app.register(bidRoutes, { bids, standings });
  await app.register(bidPages, { bids, recruitments, clock, standings });
  await app.register(openingRoutes, { opening });
  await app.register(openingPages, { opening, recruitments });
  await app.register(evaluationRoutes, { evaluation });
  await app.register(evaluationPages, { evaluation, recruitments });
  await app.register(awardRoutes, { awards });
  await app.register(awardPages, { awards, recruitments, evaluation });
  await app.register(documentRoutes, { documents });
  await app.register(partnershipRoutes, { partnerships });
  await app.register(partnershipPages, { partnerships, recruitments });
  const organizationRecords = createOrganizationRecordService({ db, publicUrl: config.publicUrl });
  await app.register(organizationRecordRoutes, { records: organizationRecords });
  await app.register(organizationRecordPages, { records: organizationRecords });
  // the catalogue reads partnerships through the same access rules and lapses as their pages
  const offerAccess = createPartnershipAccess({ db, recruitments, awards });
  const offerLapses = createLapses({ db, clock, audit });
  const offers = createOfferService({ db, clock, audit, access: offerAccess, lapses: offerLapses });
  const sites = createSiteOffers({ db, recruitments, lapses: offerLapses });
  await app.register(offerRoutes, { offers, sites });
  await app.register(offerPages, { offers, sites });
  const satisfaction = createSatisfactionService({
    db,
    clock,
    audit,
    access: offerAccess,
    limiter: accounts.limits,
    // the ratings' keyed hashes: a key of their own, derived from the cookies' secret
    ratingKey: ratingKeyOf(sessionSecret),
    issuer: documentIssuer,
    publicUrl: config.publicUrl,
  });
  await app.register(satisfactionRoutes, { satisfaction, documents, secureCookies: https });
  await app.register(satisfactionPages, { satisfaction, documents, secureCookies: https });
  await app.register(reviewRoutes, { reviews });
  await app.register(reviewPages, { reviews });
  await app.register(documentPages, { documents, recruitments });
  await app.register(recruitmentRoutes, {
    recruitments,
    awards,
    partnerships,
    versions: publicVersions,
    publicUrl: config.publicUrl,
    publisherName: PUBLISHER_NAME,
    now: () => clock.now(),
  });
  await app.register(auditPages, { audit, record, checkpoints });
  await app.register(auditStream, { record });
  const partnershipOversight = createPartnershipOversight({ db, lapses: offerLapses, publicUrl: config.publicUrl });
  await app.register(inspectionRoutes, { inspection, partnerships: partnershipOversight });
  await app.register(inspectionPages, { inspection, partnerships: partnershipOversight });
  await app.register(notificationRoutes, { notifications });
  await app.register(notificationPages, { notifications });
  await app.register(openingKeyPages, { openingKeys });
  await app.register(recruitmentPages, { recruitments, awards, clock, versions: publicVersions, publicUrl: config.publicUrl, siteTitle: PUBLISHER_NAME });
  if (config.testClock && isAdjustable(clock)) await app.register(testClock, { clock });

  return app;
}

function sendError(request: FastifyRequest, reply: FastifyReply, body: ErrorBody) {
  reply.code(body.statusCode);
  if (isApiRequest(request) || !request.headers.accept?.includes('text/html')) return reply.send(body);
  return reply.page('errors/error', { title: `出错了（${body.statusCode}）`, error: body });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
