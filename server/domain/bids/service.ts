import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { bidFiles, bids, bidVersions, eligibilityConditions, lots, openingFiles, organizations, recruitments } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { createGroupCommit, type Settled } from '../../lib/group-commit.ts';
import {
  bidDigest,
  createDataKey,
  createDigestSalt,
  createFileEncryptor,
  createSealer,
  encryptJson,
  sealDataKey,
  sealManifest,
  type Sealer,
} from '../../lib/sealing.ts';
import { isStorageFull, type Storage } from '../../lib/storage.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditEvent, AuditService } from '../audit/service.ts';
import { raiseAlertOnce } from '../inspection/alerts.ts';
import type { InspectionService } from '../inspection/service.ts';
import type { AnnouncedKeys } from '../opening/announced-key.ts';
import { NotPdfError, requirePdfHeader } from './pdf-check.ts';
import { Value } from 'typebox/value';
import { BidFieldsSchema, DECLARED_FIELDS_LABEL, type BidFields, type DeclaredFields } from './schemas.ts';

// Sealed bids (SPEC §4.1, 4.2, 4.3, 4.6). A submission streams each document through a PDF check,
// a SHA-256 of the plaintext and AES-256-GCM into storage, never holding a file in memory and
// never holding a transaction open while bytes arrive. Only once every file is durable does one
// short transaction record the bid; the receipt is answered after it commits. A failure at any
// point removes what was written, and the start-up clean-up removes what a crash left.

export type BidPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; filename: string; stream: Readable; truncated(): boolean };

export interface BidOrigin extends RequestOrigin {
  sessionId: string | null;
}

const MAX_FILES = 20;
// bids recorded in one transaction at most; a bigger batch would hold the audit lock longer
const MAX_BATCH = 100;
/**
 * How long a file must have been left unwritten before the clean-up takes it for a leftover: far
 * beyond the idle timeout that cuts a stalled upload (HTTP_IDLE_TIMEOUT_S) and any commit's wait.
 */
export const LEFTOVER_AFTER_MS = 15 * 60 * 1000;

type SealedFile = { id: string; name: string; size: number; sha256: string; iv: string; tag: string };

/** A submission whose files are durable, waiting to be recorded. */
interface Submission {
  recruitmentId: string;
  bidPublicKey: string;
  /** of bidPublicKey, checked against the signed announcement before the files were taken */
  bidKeyFingerprint: string;
  organizationId: string;
  bidder: SignedInUser;
  origin: BidOrigin;
  fields: BidFields;
  dataKey: Buffer;
  files: SealedFile[];
  /** the bid's one time (see `refusalAt`): on its receipt, its rows, its digest and its audit entry */
  receivedAt: Date;
}

export interface BidReceipt {
  bidId: string;
  version: number;
  receivedAt: Date;
  lot: string;
  files: { name: string; size: number; sha256: string }[];
  digest: string;
  /** the digest's salt, sealed in the bid: the bidder is told it here, once, to recompute the digest */
  salt: string;
  /** the bid key the bid was sealed to: the signed announcement states the same */
  bidKeyFingerprint: string;
  status: 'submitted';
}

export type BidService = ReturnType<typeof createBidService>;

export function createBidService({
  db,
  clock,
  audit,
  storage,
  announcedKeys,
  inspection,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  announcedKeys: Pick<AnnouncedKeys, 'requireAnnouncedKey'>;
  inspection: Pick<InspectionService, 'mailAlert'>;
  storage: Pick<Storage, 'saveSealedBidFile' | 'removeSealedBidFile' | 'listSealedBidFiles' | 'clearTemporaryFiles'>;
}) {
  /**
   * The disk is full: the bidder is told so (507, nothing of the bid kept), and the inspectors
   * and the administrators are alerted once while it lasts.
   */
  async function storageFull(recruitmentId: string): Promise<AppError> {
    const alert = {
      indicator: 'storage_full',
      severity: 'high' as const,
      recruitmentId: null,
      subject: '存储空间已满：响应文件无法保存，投标人的提交被拒绝，请管理员立即扩容或清理',
      evidence: [{ kind: 'recruitment', id: recruitmentId, detail: '提交被拒绝的招募项目', url: `/recruitments/${recruitmentId}` }],
    };
    if (await raiseAlertOnce(db, alert, clock.now())) await inspection.mailAlert(alert);
    return new AppError('STORAGE_FULL', '平台暂时无法保存文件（存储空间已满），本次提交未被接收；已通知管理员，请稍后重试', 'documents');
  }

  async function organizationOf(user: SignedInUser) {
    const [organization] = await db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(eq(organizations.userId, user.id));
    if (!organization) throw new AppError('FORBIDDEN', '只有注册的社会组织可以提交响应文件');
    return organization;
  }

  /**
   * What a submission is checked against, in one prepared query (a rush of bidders makes every
   * query count): the bidder's organisation, and the recruitment with its lots and conditions,
   * which cannot change once it is published.
   */
  const termsQuery = db
    .select({
      id: recruitments.id,
      status: recruitments.status,
      publishedAt: recruitments.publishedAt,
      submissionDeadline: recruitments.submissionDeadline,
      bidPublicKey: recruitments.bidPublicKey,
      minPublicBenefitRatio: recruitments.minPublicBenefitRatio,
      organizationId: organizations.id,
      emailVerifiedAt: organizations.emailVerifiedAt,
      lotKeys: sql<string[]>`array(select ${lots.key} from ${lots} where ${lots.recruitmentId} = ${recruitments.id})`,
      conditionKeys: sql<string[]>`array(select ${eligibilityConditions.key} from ${eligibilityConditions} where ${eligibilityConditions.recruitmentId} = ${recruitments.id})`,
    })
    .from(recruitments)
    // a join also makes drizzle qualify every column, which the correlated subqueries need
    .leftJoin(organizations, eq(organizations.userId, sql.placeholder('bidderId')))
    .where(eq(recruitments.id, sql.placeholder('recruitmentId')))
    .prepare('submission_terms');

  /** The terms of a submission; refuses when the recruitment does not take bids now. */
  async function submissionTerms(recruitmentId: string, bidder: SignedInUser, origin: RequestOrigin) {
    const [row] = await termsQuery.execute({ recruitmentId, bidderId: bidder.id });
    if (!row || !row.publishedAt) throw new AppError('NOT_FOUND', '招募项目不存在');
    if (!row.organizationId) throw new AppError('FORBIDDEN', '只有注册的社会组织可以提交响应文件');
    if (!row.emailVerifiedAt) throw new AppError('EMAIL_NOT_VERIFIED', '请先打开注册时收到的邮件中的链接，验证电子邮箱后再提交响应文件');
    const refusal = refusalAt({ status: row.status, deadline: row.submissionDeadline }, clock.now());
    if (refusal) throw refusal;
    // publication issues the bid key in the same transaction that sets the status
    if (!row.bidPublicKey) throw new Error(`published recruitment ${row.id} has no bid key`);
    // before any file is taken: a bid is only ever sealed to the announced key
    const bidKeyFingerprint = await announcedKeys.requireAnnouncedKey(row.id, row.bidPublicKey, { during: 'submission', actor: bidder, ip: origin.ip });
    return { ...row, organizationId: row.organizationId, bidPublicKey: row.bidPublicKey, bidKeyFingerprint };
  }

  /** Checks the declared values against the recruitment's terms; the values are never stored in clear. */
  function checkFields(raw: Record<string, string>, terms: { lotKeys: string[]; conditionKeys: string[]; minPublicBenefitRatio: number }): BidFields {
    let declarations: unknown;
    try {
      declarations = JSON.parse(raw.declarations ?? '{}');
    } catch {
      throw new AppError('VALIDATION_FAILED', '资格声明（declarations）须为 JSON 对象', 'declarations');
    }
    const candidate = {
      lot: raw.lot,
      publicBenefitRatio: raw.publicBenefitRatio === undefined ? undefined : Number(raw.publicBenefitRatio),
      declarations,
      summary: raw.summary ?? '',
    };
    if (!Value.Check(BidFieldsSchema, candidate)) {
      const first = [...Value.Errors(BidFieldsSchema, candidate)][0];
      const field = first?.instancePath.split('/')[1] || 'lot';
      throw new AppError('VALIDATION_FAILED', `请求参数无效（${field}）`, field);
    }
    if (!terms.lotKeys.includes(candidate.lot)) throw new AppError('UNKNOWN_LOT', '招募项目没有该类别', 'lot');
    const missing = terms.conditionKeys.filter((key) => candidate.declarations[key] !== true);
    if (missing.length > 0) {
      throw new AppError('DECLARATIONS_INCOMPLETE', `须逐项声明满足全部资格条件（未声明：${missing.join('、')}）`, 'declarations');
    }
    if (candidate.publicBenefitRatio < terms.minPublicBenefitRatio) {
      throw new AppError(
        'PUBLIC_BENEFIT_TOO_LOW',
        `公益名额比例不得低于招募公告规定的 ${terms.minPublicBenefitRatio}%`,
        'publicBenefitRatio',
      );
    }
    return {
      lot: candidate.lot,
      publicBenefitRatio: candidate.publicBenefitRatio,
      declarations: Object.fromEntries(terms.conditionKeys.map((key) => [key, true])),
      summary: candidate.summary.trim(),
    };
  }

  async function submitBid(recruitmentId: string, bidder: SignedInUser, origin: BidOrigin, parts: AsyncIterable<BidPart>) {
    const terms = await submissionTerms(recruitmentId, bidder, origin);
    const dataKey = createDataKey();
    const written: SealedFile[] = [];
    const raw: Record<string, string> = {};
    let recording = false;
    try {
      for await (const part of parts) {
        if (part.kind === 'field') {
          raw[part.name] = part.value;
          continue;
        }
        if (part.name !== 'documents') {
          part.stream.resume();
          throw new AppError('VALIDATION_FAILED', `未知的文件字段 ${part.name}（请使用 documents）`, 'documents');
        }
        if (written.length >= MAX_FILES) throw new AppError('VALIDATION_FAILED', `最多 ${MAX_FILES} 个文件`, 'documents');
        const fileId = randomUUID();
        const encryptor = createFileEncryptor(dataKey, fileId);
        try {
          await storage.saveSealedBidFile(recruitmentId, fileId, part.stream, [requirePdfHeader(), encryptor.transform]);
        } catch (error) {
          part.stream.resume();
          if (error instanceof NotPdfError) throw new AppError('NOT_PDF', `文件“${part.filename}”不是 PDF 文件`, 'documents');
          if (isStorageFull(error)) throw await storageFull(recruitmentId);
          throw error;
        }
        if (part.truncated()) {
          await storage.removeSealedBidFile(recruitmentId, fileId);
          throw new AppError('FILE_TOO_LARGE', `文件“${part.filename}”超过大小限制`, 'documents');
        }
        written.push({ id: fileId, name: displayName(part.filename), ...encryptor.result() });
      }
      // the request has ended and every file is durable: the bid is received whole
      const receivedAt = clock.now();
      if (written.length === 0) throw new AppError('VALIDATION_FAILED', '请至少上传一个 PDF 响应文件', 'documents');
      const fields = checkFields(raw, terms);
      recording = true;
      return await recordBid({
        recruitmentId,
        bidPublicKey: terms.bidPublicKey,
        bidKeyFingerprint: terms.bidKeyFingerprint,
        organizationId: terms.organizationId,
        bidder,
        origin,
        fields,
        dataKey,
        files: written,
        receivedAt,
      });
    } catch (error) {
      // A refusal the recording answered (the deadline passed meanwhile) recorded nothing. Any
      // other failure of the recording may come after its commit (the connection lost at COMMIT):
      // the files are then left to the clean-up, which spares those a recorded bid names, so a
      // file a bid (or a backup's snapshot of it) names is never removed.
      if (!recording || error instanceof AppError) {
        await Promise.all(written.map((file) => storage.removeSealedBidFile(recruitmentId, file.id)));
      }
      throw error;
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * The one short transaction that makes bids exist; no receipt is answered before it commits.
   * Submissions that finish while another commits wait and are recorded together, each at the
   * time it was received whole, however long it waited.
   */
  function recordBids(submissions: readonly Submission[]) {
    return db.transaction(async (tx) => {
      const recruitmentIds = [...new Set(submissions.map((s) => s.recruitmentId))];
      // shared row locks until the commit: the opening cannot start (nor the deadline move) while
      // bids read as accepted are being recorded, and a bid recorded after it sees that it began
      const states = new Map(
        (
          await tx
            .select({ id: recruitments.id, status: recruitments.status, deadline: recruitments.submissionDeadline })
            .from(recruitments)
            .where(inArray(recruitments.id, recruitmentIds))
            .for('share')
        ).map((state) => [state.id, state]),
      );
      const outcomes: Settled<BidReceipt>[] = new Array(submissions.length);
      const accepted: { submission: Submission; index: number }[] = [];
      submissions.forEach((submission, index) => {
        const refusal = refusalAt(states.get(submission.recruitmentId), submission.receivedAt);
        if (refusal) outcomes[index] = { ok: false, error: refusal };
        else accepted.push({ submission, index });
      });
      const events: AuditEvent[] = [];
      // one ephemeral key per recruitment and batch: the key agreement is the costliest step of a bid
      const sealers = new Map<string, Sealer>();
      const sealerFor = (bidPublicKey: string) => {
        let sealer = sealers.get(bidPublicKey);
        if (!sealer) sealers.set(bidPublicKey, (sealer = createSealer(bidPublicKey)));
        return sealer;
      };
      try {
        // one statement cannot upsert a row twice: an organisation's two submissions for one lot in
        // the same batch go in consecutive rounds and become consecutive versions
        for (const round of distinctRounds(accepted, ({ submission: s }) => `${s.recruitmentId}/${s.organizationId}/${s.fields.lot}`)) {
          const upserted = await tx
            .insert(bids)
            .values(
              round.map(({ submission: s }) => ({
                recruitmentId: s.recruitmentId,
                organizationId: s.organizationId,
                lotKey: s.fields.lot,
                status: 'submitted' as const,
                currentVersion: 1,
                updatedAt: s.receivedAt,
              })),
            )
            .onConflictDoUpdate({
              target: [bids.recruitmentId, bids.organizationId, bids.lotKey],
              set: { status: 'submitted', currentVersion: sql`${bids.currentVersion} + 1`, updatedAt: sql`excluded.updated_at` },
            })
            .returning({ id: bids.id, version: bids.currentVersion, recruitmentId: bids.recruitmentId, organizationId: bids.organizationId, lot: bids.lotKey });
          const bidOf = new Map(upserted.map((bid) => [`${bid.recruitmentId}/${bid.organizationId}/${bid.lot}`, bid]));
          const versions = round.map(({ submission: s, index }) => {
            const bid = bidOf.get(`${s.recruitmentId}/${s.organizationId}/${s.fields.lot}`);
            if (!bid) throw new Error('upsert returned no row for a submission');
            const files = s.files.map(({ name, size, sha256 }) => ({ name, size, sha256 }));
            const declared: DeclaredFields = { publicBenefitRatio: s.fields.publicBenefitRatio, declarations: s.fields.declarations, summary: s.fields.summary };
            const salt = createDigestSalt();
            const digest = bidDigest({
              salt,
              files,
              fields: declared,
              recruitmentId: s.recruitmentId,
              organizationId: s.organizationId,
              lot: s.fields.lot,
              version: bid.version,
              receivedAt: s.receivedAt.toISOString(),
            });
            outcomes[index] = {
              ok: true,
              value: { bidId: bid.id, version: bid.version, receivedAt: s.receivedAt, lot: s.fields.lot, files, digest, salt, bidKeyFingerprint: s.bidKeyFingerprint, status: 'submitted' },
            };
            events.push({
              actor: s.bidder,
              action: 'bid.submit',
              target: `bid:${bid.id}`,
              recruitmentId: s.recruitmentId,
              ip: s.origin.ip,
              details: { version: bid.version, lot: s.fields.lot, digest, files: files.length, sessionId: s.origin.sessionId },
              at: s.receivedAt,
            });
            return {
              row: {
                id: randomUUID(),
                bidId: bid.id,
                version: bid.version,
                receivedAt: s.receivedAt,
                sealedDataKey: sealDataKey(s.dataKey, sealerFor(s.bidPublicKey), bid.id),
                sealedFields: encryptJson(declared, s.dataKey, DECLARED_FIELDS_LABEL),
                sealedManifest: sealManifest({ salt, files: s.files }, s.dataKey),
                digest,
                bidKeyFingerprint: s.bidKeyFingerprint,
                uploaderId: s.bidder.id,
                ip: s.origin.ip,
                sessionId: s.origin.sessionId,
                userAgent: s.origin.userAgent?.slice(0, 500) ?? null,
              },
              files: s.files,
            };
          });
          await tx.insert(bidVersions).values(versions.map((v) => v.row));
          await tx
            .insert(bidFiles)
            .values(versions.flatMap((v) => v.files.map(({ id, iv, tag }, position) => ({ id, iv, tag, versionId: v.row.id, position }))));
        }
      } finally {
        for (const sealer of sealers.values()) sealer.dispose();
      }
      await audit.recordAll(tx, events);
      return outcomes;
    });
  }

  const recordBid = createGroupCommit(recordBids, MAX_BATCH);

  /**
   * The receipt of the bid's latest version, for the organisation that submitted it: what is known
   * without unsealing. The files' names, sizes and hashes are sealed until the opening (`files` is
   * null until then) and the salt is never shown again: the bidder keeps the receipt it was given.
   */
  async function getReceipt(bidId: string, bidder: SignedInUser) {
    const organization = await organizationOf(bidder);
    const [row] = await db
      .select({ bid: bids, version: bidVersions, title: recruitments.title, deadline: recruitments.submissionDeadline })
      .from(bids)
      .innerJoin(bidVersions, and(eq(bidVersions.bidId, bids.id), eq(bidVersions.version, bids.currentVersion)))
      .innerJoin(recruitments, eq(recruitments.id, bids.recruitmentId))
      .where(eq(bids.id, bidId));
    // another organisation's bid answers as if it did not exist
    if (!row || row.bid.organizationId !== organization.id) throw new AppError('NOT_FOUND', '响应文件不存在');
    const [[counted], opened] = await Promise.all([
      db.select({ count: sql<number>`count(*)::int` }).from(bidFiles).where(eq(bidFiles.versionId, row.version.id)),
      db
        .select({ name: openingFiles.name, size: openingFiles.size, sha256: openingFiles.sha256 })
        .from(openingFiles)
        .where(eq(openingFiles.versionId, row.version.id))
        .orderBy(asc(openingFiles.position)),
    ]);
    const fileCount = counted?.count ?? 0;
    return {
      bidId: row.bid.id,
      recruitmentId: row.bid.recruitmentId,
      recruitmentTitle: row.title,
      organization: organization.name,
      organizationId: organization.id,
      lot: row.bid.lotKey,
      status: row.bid.status,
      version: row.version.version,
      receivedAt: row.version.receivedAt,
      submissionDeadline: row.deadline,
      fileCount,
      files: opened.length === fileCount ? opened : null,
      digest: row.version.digest,
      bidKeyFingerprint: row.version.bidKeyFingerprint,
    };
  }

  async function withdrawBid(bidId: string, bidder: SignedInUser, origin: RequestOrigin) {
    const receipt = await getReceipt(bidId, bidder);
    await db.transaction(async (tx) => {
      const now = clock.now();
      const [recruitment] = await tx
        .select({ deadline: recruitments.submissionDeadline, status: recruitments.status })
        .from(recruitments)
        .where(eq(recruitments.id, receipt.recruitmentId));
      if (!recruitment || now >= recruitment.deadline) throw new AppError('DEADLINE_PASSED', '提交截止后不能撤回响应文件');
      if (recruitment.status !== 'published') throw new AppError('NOT_ACCEPTING_BIDS', '招募项目当前不接受撤回');
      const [row] = await tx
        .update(bids)
        .set({ status: 'withdrawn', updatedAt: now })
        .where(and(eq(bids.id, bidId), eq(bids.status, 'submitted')))
        .returning({ id: bids.id });
      if (!row) throw new AppError('ALREADY_WITHDRAWN', '响应文件已撤回');
      await audit.record(tx, {
        actor: bidder,
        action: 'bid.withdraw',
        target: `bid:${bidId}`,
        recruitmentId: receipt.recruitmentId,
        ip: origin.ip,
        details: { version: receipt.version },
      });
    });
    return { bidId, status: 'withdrawn' as const };
  }

  /**
   * The organisation's bids, in one recruitment or in all, newest first: for each its latest
   * version as its receipt states it (receipt number = bid id, version, time received, digest),
   * not its contents. A bid whose submitter never read the receipt (the connection reset after
   * the commit) is found here, as received as any other.
   */
  async function listOwnBids(bidder: SignedInUser, recruitmentId?: string) {
    const organization = await organizationOf(bidder);
    return db
      .select({
        bidId: bids.id,
        recruitmentId: bids.recruitmentId,
        recruitmentTitle: recruitments.title,
        lot: bids.lotKey,
        lotName: lots.name,
        status: bids.status,
        version: bids.currentVersion,
        receivedAt: bidVersions.receivedAt,
        digest: bidVersions.digest,
      })
      .from(bids)
      .innerJoin(bidVersions, and(eq(bidVersions.bidId, bids.id), eq(bidVersions.version, bids.currentVersion)))
      .innerJoin(recruitments, eq(recruitments.id, bids.recruitmentId))
      .innerJoin(lots, and(eq(lots.recruitmentId, bids.recruitmentId), eq(lots.key, bids.lotKey)))
      .where(and(eq(bids.organizationId, organization.id), recruitmentId ? eq(bids.recruitmentId, recruitmentId) : undefined))
      .orderBy(desc(bidVersions.receivedAt));
  }

  /**
   * Removes temporary files of interrupted uploads, and stored files that no recorded bid refers
   * to (written just before a crash, before their transaction committed), when they have not been
   * written to for `quietForMs`. Server processes sharing the storage (on PostgreSQL) pass
   * LEFTOVER_AFTER_MS: a file written to more recently may belong to an upload or a commit still
   * under way in another one. Nor is a stored file of a recruitment that took bids within that
   * time removed, however old: it may be the first file of a bid whose later files are still
   * arriving over a slow line, to be recorded once they are whole (a file is a leftover only once
   * its bid can no longer be recorded). With 0 (the embedded database at its start) nothing else
   * is writing. The files are listed before the recorded ones are read, so a bid committed in
   * between is never taken for a leftover.
   */
  async function cleanUpLeftovers(quietForMs: number) {
    const before = new Date(clock.realNow().getTime() - quietForMs);
    const temporary = await storage.clearTemporaryFiles(before);
    const stored = (await storage.listSealedBidFiles()).filter((file) => file.modifiedAt < before);
    const known = new Set((await db.select({ id: bidFiles.id }).from(bidFiles)).map((row) => row.id));
    const takingBids =
      quietForMs === 0
        ? new Set<string>()
        : new Set(
            (
              await db
                .select({ id: recruitments.id })
                .from(recruitments)
                .where(gt(recruitments.submissionDeadline, new Date(clock.now().getTime() - quietForMs)))
            ).map((row) => row.id),
          );
    let orphans = 0;
    for (const file of stored) {
      if (known.has(file.fileId) || takingBids.has(file.recruitmentId)) continue;
      await storage.removeSealedBidFile(file.recruitmentId, file.fileId);
      orphans++;
    }
    return { temporary, orphans };
  }

  return { submitBid, getReceipt, withdrawBid, listOwnBids, cleanUpLeftovers };
}

/**
 * Why a bid received at `receivedAt` cannot be recorded, if it cannot. The rule of time (SPEC §4.3):
 * a bid counts when it is complete and durable before the deadline, that is when the server has
 * received the whole request and made every file durable before it (not just its first byte).
 * That instant is the bid's one time: its receipt, its rows, its digest and its audit entry show
 * it, even when its transaction waited and committed after the deadline. A bid that was on time
 * is still refused if the recruitment stopped taking bids (the opening began) before it was recorded.
 */
function refusalAt(recruitment: { status: string; deadline: Date } | undefined, receivedAt: Date): AppError | null {
  if (!recruitment || receivedAt >= recruitment.deadline) {
    return new AppError('DEADLINE_PASSED', '响应文件提交已截止（以服务器时间为准）');
  }
  if (recruitment.status !== 'published') return new AppError('NOT_ACCEPTING_BIDS', '招募项目当前不接受响应文件');
  return null;
}

/** Splits items into rounds in which no key appears twice, keeping their order. */
function distinctRounds<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const rounds: { keys: Set<string>; items: T[] }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    let round = rounds.find((r) => !r.keys.has(key));
    if (!round) rounds.push((round = { keys: new Set(), items: [] }));
    round.keys.add(key);
    round.items.push(item);
  }
  return rounds.map((r) => r.items);
}

/** The client's file name is kept for display only; it never becomes part of a path. */
function displayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // control characters would corrupt receipts and logs
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'document.pdf';
}
