import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  auditLog,
  documents,
  evaluationSignOffs,
  lots,
  objections,
  openingAttendance,
  openingRecords,
  openings,
  organizations,
  publicities,
  recruitments as recruitmentsTable,
  users,
} from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { DocumentKind } from '../../lib/pdf/templates/template.ts';
import type { Storage } from '../../lib/storage.ts';
import { normalizeVerificationCode, verifyUrl } from '../../lib/verification-code.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { claimDocuments, type Claim } from './claims.ts';
import { createAwardMail } from './award-mail.ts';
import type { DocumentIssuer, DocumentRow, DocumentSubject } from './issuer.ts';
import type { AwardService, OutcomeEntry } from '../awards/service.ts';
import type { EvaluationService } from '../evaluation/service.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import {
  awardNoticeDraft,
  draftAgreementDraft,
  evaluationReportDraft,
  KIND_NAMES,
  openingRecordDraft,
  recruitmentTerms,
  rejectionNoticeDraft,
  type DocumentDraft,
  type RecruitmentTerms,
} from './inputs.ts';

// The signed documents of a recruitment (issue 6): render → sign → store, each step behind its
// own interface (lib/pdf, Signer, Storage), then one row and its audit entry in one transaction.
// Each document is identified by (recruitment, kind, subject), subject being the bid, the
// recruitment itself, or an evaluation round after the first, so issuing what is missing can be
// repeated safely.

export type DocumentService = ReturnType<typeof createDocumentService>;

const RECRUITMENT_SUBJECT = 'recruitment';

/** Round n's evaluation report: round 1's has the recruitment as subject, as before redos existed. */
export function evaluationReportSubject(round: number): string {
  return round === 1 ? RECRUITMENT_SUBJECT : `round-${round}`;
}
const ROLE_LABELS: Record<string, string> = { inspector: '纪检监督员', agent: '招标代理', bidder: '响应单位代表', admin: '托管密钥持有人' };

export function createDocumentService({
  db,
  storage,
  clock,
  audit,
  issuer,
  mailer,
  recruitments,
  evaluation,
  awards,
  publicUrl,
}: {
  db: Db;
  storage: Pick<Storage, 'readDocument' | 'listDocuments' | 'removeDocument'>;
  clock: Clock;
  audit: AuditService;
  issuer: Pick<DocumentIssuer, 'issueDocument'>;
  mailer: Pick<Mailer, 'deliver'>;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
  evaluation: Pick<EvaluationService, 'evaluationReport' | 'roundsServed'>;
  awards: Pick<AwardService, 'awardOutcome'>;
  publicUrl: string;
}) {
  const { mailAwardDocuments } = createAwardMail({ db, storage, clock, audit, mailer, publicUrl });

  async function termsOf(recruitmentId: string): Promise<RecruitmentTerms> {
    return recruitmentTerms(await recruitments.getRecruitment(recruitmentId, null));
  }

  async function userName(id: string | null): Promise<string> {
    if (!id) return '';
    const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, id));
    return row?.name ?? '';
  }

  async function openingRecordOf(recruitmentId: string, terms: RecruitmentTerms): Promise<DocumentDraft | null> {
    const [session] = await db.select().from(openings).where(eq(openings.recruitmentId, recruitmentId));
    if (!session?.signedOffAt || !session.openedAt) return null;
    const [attendees, lotRows, records, objectionRows, host, inspector] = await Promise.all([
      db
        .select({ name: users.name, role: users.role, organization: organizations.name })
        .from(openingAttendance)
        .innerJoin(users, eq(users.id, openingAttendance.userId))
        .leftJoin(organizations, eq(organizations.userId, users.id))
        .where(eq(openingAttendance.recruitmentId, recruitmentId))
        .orderBy(asc(openingAttendance.attendedAt)),
      db.select().from(lots).where(eq(lots.recruitmentId, recruitmentId)).orderBy(asc(lots.position)),
      db.select().from(openingRecords).where(eq(openingRecords.recruitmentId, recruitmentId)).orderBy(asc(openingRecords.position)),
      db
        .select({ objection: objections, organization: organizations.name })
        .from(objections)
        .innerJoin(organizations, eq(organizations.id, objections.organizationId))
        .where(eq(objections.recruitmentId, recruitmentId))
        .orderBy(asc(objections.raisedAt)),
      userName(session.startedBy),
      userName(session.signedOffBy),
    ]);
    const lotName = (key: string) => lotRows.find((lot) => lot.key === key)?.name ?? key;
    return openingRecordDraft({
      recruitment: terms.info,
      startedAt: session.startedAt,
      unsealedAt: session.openedAt,
      place: '线上开标（职工服务中心合作伙伴招募平台）',
      host: `${host}（招标代理）`,
      attendees: attendees.map((a) => ({ name: a.organization ?? a.name, role: ROLE_LABELS[a.role] ?? a.role })),
      lots: lotRows.map((lot) => ({
        key: lot.key,
        name: lot.name,
        validBids: records.filter((r) => r.lotKey === lot.key && r.digestVerified).length,
        status: lot.status === 'failed' ? '流标' : '有效',
      })),
      bids: records.map((r) => ({
        organization: r.organizationName,
        lot: lotName(r.lotKey),
        submittedAt: r.submittedAt,
        digest: r.digest,
        digestVerified: r.digestVerified,
        publicBenefitRatio: r.publicBenefitRatio ?? 0,
      })),
      objections: objectionRows.map(({ objection, organization }) => ({
        raisedBy: organization,
        text: objection.text,
        answer: objection.answer,
      })),
      signOff: {
        inspector,
        at: session.signedOffAt,
        comment: session.signOffComment ?? '',
        chainHead: session.signOffChainHead ?? '',
      },
    });
  }

  async function evaluationReportOf(signOff: typeof evaluationSignOffs.$inferSelect, terms: RecruitmentTerms): Promise<DocumentDraft> {
    const report = await evaluation.evaluationReport(signOff.recruitmentId, signOff.round);
    return evaluationReportDraft(terms, report, {
      inspector: await userName(signOff.signedOffBy),
      at: signOff.signedOffAt,
      comment: signOff.comment,
      chainHead: signOff.chainHead,
    });
  }

  /** The end of the final round's publicity, the one the award followed. */
  async function publicityEnd(recruitmentId: string): Promise<Date> {
    const [row] = await db
      .select({ endsAt: publicities.endsAt })
      .from(publicities)
      .innerJoin(
        recruitmentsTable,
        and(eq(recruitmentsTable.id, publicities.recruitmentId), eq(recruitmentsTable.evaluationRound, publicities.round)),
      )
      .where(eq(publicities.recruitmentId, recruitmentId));
    if (!row) throw new Error(`recruitment ${recruitmentId} was awarded without publicity`);
    return row.endsAt;
  }

  /**
   * Issues whichever of the recruitment's documents are due and missing — the opening record
   * once the opening is signed off, each round's evaluation report once that round is, the
   * notices and agreements once it is awarded — then mails the award documents not yet mailed.
   * Safe to repeat: a document that exists is never issued again. Runs under the recruitment's
   * claim (claims.ts): while another process or run holds it, does nothing and leaves what is
   * missing to the next sweep.
   */
  async function issueMissingDocuments(recruitmentId: string): Promise<{ issued: DocumentRow[]; mailed: number }> {
    const claim = await claimDocuments(db, recruitmentId);
    // another process (or run) is on it: what it misses, the next sweep issues
    if (!claim) return { issued: [], mailed: 0 };
    try {
      return await issueClaimed(recruitmentId, claim);
    } finally {
      await claim.release();
    }
  }

  async function issueClaimed(recruitmentId: string, claim: Claim): Promise<{ issued: DocumentRow[]; mailed: number }> {
    const [recruitment] = await db
      .select({ status: recruitmentsTable.status, owner: recruitmentsTable.owner })
      .from(recruitmentsTable)
      .where(eq(recruitmentsTable.id, recruitmentId));
    if (!recruitment) throw new AppError('NOT_FOUND', '招募项目不存在');
    const existing = new Set(
      (await db.select({ kind: documents.kind, subject: documents.subject }).from(documents).where(eq(documents.recruitmentId, recruitmentId))).map(
        (row) => `${row.kind}:${row.subject}`,
      ),
    );
    const missing = (kind: DocumentKind, subject: string) => !existing.has(`${kind}:${subject}`);
    const issued: DocumentRow[] = [];
    const issue = async (draft: DocumentDraft | null, subject: Omit<DocumentSubject, 'recruitmentId' | 'owner'>) => {
      if (!draft) return;
      await claim.renew();
      const row = await issuer.issueDocument(draft, { ...subject, recruitmentId, owner: recruitment.owner });
      if (row) issued.push(row);
    };
    const terms = await termsOf(recruitmentId);

    if (missing('opening_record', RECRUITMENT_SUBJECT)) {
      const [session] = await db.select().from(openings).where(eq(openings.recruitmentId, recruitmentId));
      const chain = session?.signOffChainHead ? { seq: session.signOffChainSeq, head: session.signOffChainHead } : undefined;
      await issue(await openingRecordOf(recruitmentId, terms), { kind: 'opening_record', subject: RECRUITMENT_SUBJECT, chain });
    }
    const signOffs = await db
      .select()
      .from(evaluationSignOffs)
      .where(eq(evaluationSignOffs.recruitmentId, recruitmentId))
      .orderBy(asc(evaluationSignOffs.round));
    for (const signOff of signOffs) {
      const subject = evaluationReportSubject(signOff.round);
      if (missing('evaluation_report', subject)) {
        const chain = { seq: signOff.chainSeq, head: signOff.chainHead };
        await issue(await evaluationReportOf(signOff, terms), { kind: 'evaluation_report', subject, chain });
      }
    }
    if (recruitment.status === 'awarded') {
      const outcome = await awards.awardOutcome(recruitmentId);
      const dates = { publicityEndedAt: await publicityEnd(recruitmentId), awardedAt: outcome.awardedAt ?? clock.now() };
      const about = (entry: OutcomeEntry) => ({ subject: entry.bidId, bidId: entry.bidId, organizationId: entry.organization.id });
      for (const entry of outcome.selected) {
        if (missing('award_notice', entry.bidId)) await issue(awardNoticeDraft(terms, entry, dates), { kind: 'award_notice', ...about(entry) });
        if (missing('draft_agreement', entry.bidId)) await issue(draftAgreementDraft(terms, entry), { kind: 'draft_agreement', ...about(entry) });
      }
      for (const entry of outcome.notSelected) {
        if (missing('rejection_notice', entry.bidId)) await issue(rejectionNoticeDraft(terms, entry, dates), { kind: 'rejection_notice', ...about(entry) });
      }
    }
    await claim.renew();
    const mailed = await mailAwardDocuments(recruitmentId, terms);
    return { issued, mailed };
  }

  /**
   * Removes recruitments' signed files no document row (nor audit entry) refers to — written just before a crash,
   * or by a process that lost its claim — once not written to for `quietForMs` (LEFTOVER_AFTER_MS, the
   * bid files' rule: a more recent one may be about to be recorded). The files are listed before
   * the rows are read, so a document recorded in between is never taken for an orphan. Audit
   * checkpoint files stay: verification takes each for an anchor without asking the database,
   * and deleting a row must not be enough to have the clean-up destroy one.
   */
  async function cleanUpOrphans(quietForMs: number): Promise<number> {
    const before = new Date(clock.realNow().getTime() - quietForMs);
    const stored = (await storage.listDocuments()).filter((file) => file.modifiedAt < before);
    const known = new Set((await db.select({ name: documents.storageName }).from(documents)).map((row) => row.name));
    const unknown = stored.filter((file) => !known.has(file.name));
    if (unknown.length === 0) return 0;
    // a file whose issue the audit log records was recorded once: its row is gone, and the file
    // is kept as evidence (an orphan never got its entry, which commits with the row)
    const targetOf = (name: string) => `document:${path.basename(name, '.pdf')}`;
    const audited = new Set(
      (await db.select({ target: auditLog.target }).from(auditLog).where(inArray(auditLog.target, unknown.map((file) => targetOf(file.name))))).map(
        (row) => row.target,
      ),
    );
    const orphans = unknown.filter((file) => !audited.has(targetOf(file.name)));
    for (const file of orphans) await storage.removeDocument(file.name);
    return orphans.length;
  }

  /** Recruitments whose documents may be due: every one with a signed-off opening. */
  async function recruitmentsWithDocuments(): Promise<string[]> {
    const rows = await db.select({ id: openings.recruitmentId }).from(openings).where(isNotNull(openings.signedOffAt));
    return rows.map((row) => row.id);
  }

  // ── access ────────────────────────────────────────────────────────────────────────────────

  async function organizationIdOf(user: SignedInUser): Promise<string | null> {
    const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.userId, user.id));
    return row?.id ?? null;
  }

  /**
   * Which of a recruitment's documents `viewer` may see: the agent of the recruitment and any
   * inspector all; a bidder those of its own organisation; a panel expert who declared no
   * conflict the opening record and the evaluation report of each round it sat in. Other roles
   * are refused (403).
   */
  async function visibility(recruitmentId: string, viewer: SignedInUser): Promise<(row: DocumentRow) => boolean> {
    const readable = await readableBy(recruitmentId, viewer);
    // the announcement is public
    return (row) => row.kind === 'announcement' || readable(row);
  }

  async function readableBy(recruitmentId: string, viewer: SignedInUser): Promise<(row: DocumentRow) => boolean> {
    const recruitment = await recruitments.getRecruitment(recruitmentId, viewer);
    switch (viewer.role) {
      case 'inspector':
        return () => true;
      case 'agent':
        if (recruitment.agentId !== viewer.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以查看其文件');
        return () => true;
      case 'bidder': {
        const organizationId = await organizationIdOf(viewer);
        return (row) => organizationId !== null && row.organizationId === organizationId;
      }
      case 'expert': {
        const served = (await evaluation.roundsServed(recruitmentId, viewer.id)).map(evaluationReportSubject);
        if (served.length === 0) throw new AppError('FORBIDDEN', '只有本项目评审委员会的专家可以查看评审文件');
        return (row) => row.kind === 'opening_record' || (row.kind === 'evaluation_report' && served.includes(row.subject));
      }
      default:
        throw new AppError('FORBIDDEN', '您的角色无权查看招募文件');
    }
  }

  function summary(row: DocumentRow) {
    return {
      id: row.id,
      kind: row.kind,
      kindName: KIND_NAMES[row.kind],
      title: row.title,
      bidId: row.bidId,
      organizationId: row.organizationId,
      sha256: row.sha256,
      size: row.size,
      verifyCode: row.verifyCode,
      issuedAt: row.issuedAt,
      status: row.status,
      mailedAt: row.mailedAt,
      url: `/api/v1/documents/${row.id}`,
      verifyUrl: verifyUrl(publicUrl, row.verifyCode),
    };
  }

  async function listDocuments(recruitmentId: string, viewer: SignedInUser) {
    const visible = await visibility(recruitmentId, viewer);
    const rows = await db.select().from(documents).where(eq(documents.recruitmentId, recruitmentId)).orderBy(asc(documents.issuedAt));
    return rows.filter(visible).map(summary);
  }

  /** The signed file, for a viewer allowed to see it (404 otherwise, as if it did not exist); audited. */
  async function downloadDocument(documentId: string, viewer: SignedInUser, origin: RequestOrigin) {
    const [row] = await db.select().from(documents).where(eq(documents.id, documentId));
    if (!row) throw new AppError('NOT_FOUND', '文件不存在');
    // an audit checkpoint belongs to no recruitment: the inspectors' alone
    const visible = row.recruitmentId ? await visibility(row.recruitmentId, viewer) : () => viewer.role === 'inspector';
    if (!visible(row)) throw new AppError('NOT_FOUND', '文件不存在');
    const pdf = await storage.readDocument(row.storageName);
    await db.transaction((tx) =>
      audit.record(tx, {
        actor: viewer,
        action: 'document.download',
        target: `document:${row.id}`,
        recruitmentId: row.recruitmentId,
        ip: origin.ip,
      }),
    );
    return { pdf, fileName: `${row.title}.pdf`, sha256: row.sha256 };
  }

  /** The signed announcement of a published recruitment, for anyone (not audited: it is public). */
  async function announcementFile(recruitmentId: string) {
    const recruitment = await recruitments.getRecruitment(recruitmentId, null);
    const [row] = await db
      .select()
      .from(documents)
      .where(and(eq(documents.recruitmentId, recruitment.id), eq(documents.kind, 'announcement')));
    if (!row) throw new AppError('NOT_FOUND', '该招募项目没有签名的招募公告');
    return { pdf: await storage.readDocument(row.storageName), fileName: `${row.title}.pdf`, sha256: row.sha256, verifyCode: row.verifyCode };
  }

  // ── public verification ───────────────────────────────────────────────────────────────────

  async function findByCode(typed: string) {
    const code = normalizeVerificationCode(typed);
    const notFound = new AppError('NOT_FOUND', '未找到与该验证码对应的文件，请核对验证码');
    if (!code) throw notFound;
    const [found] = await db
      .select({ document: documents, recruitmentTitle: recruitmentsTable.title, owner: recruitmentsTable.owner, organization: organizations.name })
      .from(documents)
      .leftJoin(recruitmentsTable, eq(recruitmentsTable.id, documents.recruitmentId))
      .leftJoin(organizations, eq(organizations.id, documents.organizationId))
      .where(eq(documents.verifyCode, code));
    if (!found) throw notFound;
    return found;
  }

  /** What anyone holding a verification code may see: what the document is and its SHA-256. */
  async function verifyDocument(typed: string) {
    const { document, recruitmentTitle, owner, organization } = await findByCode(typed);
    return {
      verifyCode: document.verifyCode,
      kind: document.kind,
      kindName: KIND_NAMES[document.kind],
      title: document.title,
      recruitment: document.recruitmentId && recruitmentTitle && owner ? { id: document.recruitmentId, title: recruitmentTitle, owner } : null,
      organization,
      issuedAt: document.issuedAt,
      sha256: document.sha256,
      size: document.size,
      status: document.status,
      templateVersion: document.templateVersion,
      templateSha256: document.templateSha256,
    };
  }

  /** Hashes an uploaded file as it streams in and compares it with the issued document. */
  async function checkDocumentFile(typed: string, file: Readable) {
    const verified = await verifyDocument(typed);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of file) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const sha256 = hash.digest('hex');
    return { ...verified, uploaded: { sha256, size }, match: sha256 === verified.sha256 };
  }

  /** every document of a recruitment with where it is stored, for scripts (no access check) */
  async function storedDocuments(recruitmentId: string) {
    return db.select().from(documents).where(eq(documents.recruitmentId, recruitmentId)).orderBy(asc(documents.issuedAt));
  }

  return {
    storedDocuments,
    issueMissingDocuments,
    recruitmentsWithDocuments,
    cleanUpOrphans,
    listDocuments,
    downloadDocument,
    announcementFile,
    verifyDocument,
    checkDocumentFile,
  };
}
