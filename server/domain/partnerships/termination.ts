import { asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { organizations, partnershipReviews } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { Storage } from '../../lib/storage.ts';
import type { TerminationNoticeInput } from '../../lib/pdf/templates/termination-notice.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { DocumentDraft } from '../documents/inputs.ts';
import type { DocumentIssuer, DocumentRow } from '../documents/issuer.ts';
import { addOrganizationRecord } from '../records/records.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import type { Partnership, PartnershipAccess } from './access.ts';
import { failedRectification } from './rules.ts';
import { checkPartnershipTransition } from './state.ts';
import { applyPartnershipTransition } from './transition.ts';
import { PARTNERSHIP_STATUS_LABELS, REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS } from './types.ts';

// Termination (issue 17): a failed rectification ends the agreement (Shaanxi art. 16; the
// agreement's clauses on exit and on performance review). The recruitment's agent terminates; in
// one transaction the partnership becomes `terminated` with its audit entry, the signed
// termination notice is recorded and the centre's record of the organisation gets its entry.
// The notice is rendered and signed before (as the agreement is), and mailed to the partner after
// the commit.

export interface TerminationInput {
  reason: string;
  /** what the agent adds about this site's fixed assets beyond the agreement's clause */
  assetHandling?: string;
}

type Review = typeof partnershipReviews.$inferSelect;

export function createTermination({
  db,
  clock,
  audit,
  issuer,
  recruitments,
  storage,
  mailer,
  publicUrl,
  access,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  issuer: Pick<DocumentIssuer, 'produce' | 'record'>;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
  storage: Pick<Storage, 'readDocument'>;
  mailer: Pick<Mailer, 'send'>;
  publicUrl: string;
  access: PartnershipAccess;
}) {
  async function reviewsOf(executor: Db | Tx, partnershipId: string): Promise<Review[]> {
    return executor.select().from(partnershipReviews).where(eq(partnershipReviews.partnershipId, partnershipId)).orderBy(asc(partnershipReviews.dueAt));
  }

  /** Refuses unless the partnership may be terminated now; answers the failed rectification review it rests on. */
  async function ground(executor: Db | Tx, partnership: Partnership, agent: SignedInUser): Promise<Review> {
    const check = checkPartnershipTransition(partnership.status, 'terminate', agent.role);
    if (!check.ok) {
      throw new AppError('INVALID_TRANSITION', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”，只有整改中的合作才能终止`);
    }
    const failed = failedRectification(await reviewsOf(executor, partnership.id));
    if (!failed) throw new AppError('NO_FAILED_RECTIFICATION', '只有最近一次完成的考核为整改复核且结果不合格时，才能终止合作');
    return failed;
  }

  async function noticeDraft(partnership: Partnership, input: TerminationInput, effectiveAt: Date): Promise<DocumentDraft> {
    const [recruitment, entry, agreement, reviews] = await Promise.all([
      recruitments.getRecruitment(partnership.recruitmentId, null),
      access.outcomeEntry(partnership),
      access.documentOf(partnership, 'agreement', partnership.bidId),
      reviewsOf(db, partnership.id),
    ]);
    if (!partnership.signedAt || !partnership.endsAt) throw new Error(`partnership ${partnership.id} under rectification was never signed`);
    const notice: Omit<TerminationNoticeInput, 'verifyCode' | 'issuedAt'> = {
      recruitment: { title: recruitment.title, owner: recruitment.owner },
      centre: { name: recruitment.owner },
      partner: { name: entry.organization.name, uscc: entry.organization.uscc },
      lot: { key: entry.lot, name: entry.lotName },
      agreement: { signedAt: partnership.signedAt, endsAt: partnership.endsAt, termMonths: partnership.termMonths, verifyCode: agreement?.verifyCode ?? null },
      reviews: reviews.flatMap((review) =>
        review.result && review.completedAt
          ? [{ kind: REVIEW_KIND_LABELS[review.kind], dueAt: review.dueAt, completedAt: review.completedAt, result: REVIEW_RESULT_LABELS[review.result] }]
          : [],
      ),
      reason: input.reason.trim(),
      assetHandling: input.assetHandling?.trim() || null,
      effectiveAt,
    };
    return (stamp) => ({ kind: 'termination_notice', input: { ...notice, ...stamp } });
  }

  async function terminatePartnership(id: string, input: TerminationInput, agent: SignedInUser, origin: RequestOrigin) {
    const partnership = await access.load(id);
    const recruitment = await access.requireAgent(partnership, agent);
    await ground(db, partnership, agent);
    const terminatedAt = clock.now();
    const produced = await issuer.produce(await noticeDraft(partnership, input, terminatedAt), {
      recruitmentId: partnership.recruitmentId,
      kind: 'termination_notice',
      subject: partnership.bidId,
      bidId: partnership.bidId,
      organizationId: partnership.organizationId,
      owner: recruitment.owner,
    });
    const lotName = recruitment.lots.find((lot) => lot.key === partnership.lotKey)?.name ?? partnership.lotKey;
    const notice = await db.transaction(async (tx) => {
      const locked = await access.lock(tx, id);
      const failed = await ground(tx, locked, agent);
      const document = await issuer.record(tx, produced, { actor: agent, ip: origin.ip });
      if (!document) throw new AppError('INVALID_TRANSITION', '终止合作通知书已签发，请刷新后查看');
      const recordId = await addOrganizationRecord(tx, {
        organizationId: locked.organizationId,
        kind: 'terminated',
        partnershipId: id,
        recruitmentId: locked.recruitmentId,
        summary: `${recruitment.title}“${lotName}”类别的合作协议因整改复核不合格被终止`,
        recordedAt: terminatedAt,
        recordedBy: agent.id,
        documentId: document.id,
      });
      await applyPartnershipTransition(tx, audit, locked, 'terminate', agent, origin, {
        set: { terminatedAt },
        details: {
          reviewId: failed.id,
          reason: input.reason.trim(),
          ...(input.assetHandling?.trim() ? { assetHandling: input.assetHandling.trim() } : {}),
          documentId: document.id,
          recordId,
          sha256: document.sha256,
        },
      });
      return document;
    });
    await mailNotice(partnership, recruitment.title, notice);
    return {
      partnershipId: id,
      status: 'terminated' as const,
      terminatedAt,
      notice: { id: notice.id, sha256: notice.sha256, verifyCode: notice.verifyCode, url: `/api/v1/documents/${notice.id}` },
    };
  }

  /** After commit: the notice, as a PDF, to the partner. */
  async function mailNotice(partnership: Partnership, title: string, notice: DocumentRow) {
    const [organization] = await db.select({ name: organizations.name, email: organizations.email }).from(organizations).where(eq(organizations.id, partnership.organizationId));
    if (!organization) return;
    mailer.send({
      to: organization.email,
      subject: `【终止合作通知书】${title}`,
      text: [
        `${organization.name}：`,
        '',
        '贵单位的合作协议因整改复核不合格已终止，终止合作通知书（已电子签名）见附件。',
        '',
        `在平台查看：${publicUrl}/partnerships/${partnership.id}`,
        `核验验证码：${notice.verifyCode}`,
      ].join('\n'),
      attachments: [{ filename: `终止合作通知书-${organization.name}.pdf`, content: await storage.readDocument(notice.storageName), contentType: 'application/pdf' }],
    });
  }

  return { terminatePartnership };
}
