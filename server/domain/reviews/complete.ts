import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { organizations, partnershipReviews } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { Storage } from '../../lib/storage.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { DocumentIssuer, DocumentRow } from '../documents/issuer.ts';
import type { Partnership, PartnershipAccess } from '../partnerships/access.ts';
import { applyPartnershipTransition } from '../partnerships/transition.ts';
import { PARTNERSHIP_STATUS_LABELS, REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS, type ReviewResult } from '../partnerships/types.ts';
import { figuresOf, loadReview, type ReviewRow } from './access.ts';
import { reviewResultDraft, type CompletedForm } from './document.ts';
import { checkRectifyBy, reReviewOf, resultOf, scoreForm, STATUS_FOR_REVIEW, type FormInput } from './rules.ts';

// The agent completes a review (issue 17): the form is scored (rules.ts), its result is a
// 考核结果通知书 the centre signs, and the result moves the partnership — a stage review asking
// for rectification sets it `rectifying` and schedules the re-review; a passed re-review sets it
// `active` again, a failed one leaves it `rectifying` (termination is a step of its own); the
// final review ends it. The review, the document, the steps and their audit entries commit
// together; the partner is mailed the document after the commit.

export interface CompleteInput extends FormInput {
  /** required when the result is a rectification */
  rectifyBy: Date | null;
  remarks: string | null;
}

/** what completing a review needs; the review service hands over its own */
export interface ReviewCompletionDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  access: PartnershipAccess;
  issuer: Pick<DocumentIssuer, 'produce' | 'record'>;
  storage: Pick<Storage, 'readDocument'>;
  mailer: Pick<Mailer, 'send'>;
  publicUrl: string;
}

export function createReviewCompletion({
  db,
  clock,
  audit,
  access,
  issuer,
  storage,
  mailer,
  publicUrl,
}: ReviewCompletionDeps) {
  function refuseUnlessOpen(review: ReviewRow, partnership: Partnership) {
    if (review.completedAt) throw new AppError('REVIEW_ALREADY_COMPLETED', '该考核已完成，结果不能更改');
    if (partnership.status !== STATUS_FOR_REVIEW[review.kind]) {
      throw new AppError('REVIEWS_NOT_OPEN', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”，不能完成${REVIEW_KIND_LABELS[review.kind]}`);
    }
  }

  async function completeReview(reviewId: string, input: CompleteInput, agent: SignedInUser, origin: RequestOrigin) {
    const review = await loadReview(db, reviewId);
    const partnership = await access.load(review.partnershipId);
    const recruitment = await access.requireAgent(partnership, agent);
    refuseUnlessOpen(review, partnership);
    const now = clock.now();
    if (now < review.periodTo) throw new AppError('REVIEW_PERIOD_NOT_OVER', '考核期间尚未结束，期间结束后方可完成考核');

    const figures = await figuresOf(db, partnership.id, { from: review.periodFrom, to: review.periodTo });
    const { criteria, total, negativeList } = scoreForm(input, figures.satisfaction);
    const result = resultOf(review.kind, total, negativeList);
    const rectifyBy = result === 'rectify' ? checkRectifyBy(input.rectifyBy, now, partnership.endsAt!) : null;
    const reReview = rectifyBy ? reReviewOf(now, rectifyBy) : null;
    const form: CompletedForm = {
      kind: review.kind,
      periodFrom: review.periodFrom,
      periodTo: review.periodTo,
      criteria,
      assessorName: input.assessor?.name.trim() ?? null,
      ...figures,
      negativeList,
      total,
      result,
      rectifyBy,
      reReviewDueAt: reReview?.dueAt ?? null,
      remarks: input.remarks?.trim() || null,
    };
    const produced = await issuer.produce(reviewResultDraft(recruitment, await access.outcomeEntry(partnership), form), {
      recruitmentId: partnership.recruitmentId,
      owner: recruitment.owner,
      kind: 'review_result',
      subject: review.id,
      bidId: partnership.bidId,
      organizationId: partnership.organizationId,
    });

    const completed = await db.transaction(async (tx) => {
      const locked = await access.lock(tx, partnership.id);
      refuseUnlessOpen(await loadReview(tx, reviewId), locked);
      const document = await issuer.record(tx, produced, { actor: agent, ip: origin.ip });
      if (!document) throw new AppError('REVIEW_ALREADY_COMPLETED', '该考核已完成，结果不能更改');
      const [row] = await tx
        .update(partnershipReviews)
        .set({
          result,
          completedAt: now,
          completedBy: agent.id,
          criteria,
          satisfaction: form.satisfaction,
          places: form.places,
          negativeList,
          assessorName: form.assessorName,
          totalScore: total,
          remarks: form.remarks,
          rectifyBy,
          documentId: document.id,
        })
        .where(and(eq(partnershipReviews.id, reviewId), isNull(partnershipReviews.completedAt)))
        .returning();
      if (!row) throw new AppError('REVIEW_ALREADY_COMPLETED', '该考核已完成，结果不能更改');
      await audit.record(tx, {
        actor: agent,
        action: 'review.complete',
        target: `partnership:${partnership.id}`,
        recruitmentId: partnership.recruitmentId,
        ip: origin.ip,
        details: {
          reviewId,
          kind: review.kind,
          result,
          total,
          ratings: form.satisfaction.ratings,
          satisfiedShare: form.satisfaction.satisfiedShare,
          breached: negativeList.filter((answer) => answer.breached).map((answer) => answer.item),
          ...(form.assessorName ? { assessor: form.assessorName } : {}),
          ...(rectifyBy ? { rectifyBy: rectifyBy.toISOString() } : {}),
          documentId: document.id,
          sha256: document.sha256,
        },
      });
      const status = await follow(tx, locked, row, agent, origin, reReview);
      return { review: row, document, status };
    });
    await mailResult(partnership, recruitment.title, completed.review, completed.document);
    return {
      reviewId,
      kind: review.kind,
      result: completed.review.result as ReviewResult,
      total,
      rectifyBy,
      status: completed.status,
      document: { id: completed.document.id, url: `/api/v1/documents/${completed.document.id}` },
    };
  }

  /** The partnership's step the result asks for; the re-review a rectification needs. */
  async function follow(tx: Tx, partnership: Partnership, review: ReviewRow, agent: SignedInUser, origin: RequestOrigin, reReview: ReturnType<typeof reReviewOf> | null) {
    const details = { reviewId: review.id, result: review.result };
    if (review.kind === 'final') return applyPartnershipTransition(tx, audit, partnership, 'end', agent, origin, { details });
    if (review.kind === 'rectification') {
      return review.result === 'pass' ? applyPartnershipTransition(tx, audit, partnership, 'passRectification', agent, origin, { details }) : partnership.status;
    }
    if (review.result !== 'rectify' || !reReview) return partnership.status;
    const status = await applyPartnershipTransition(tx, audit, partnership, 'requireRectification', agent, origin, {
      details: { ...details, rectifyBy: review.rectifyBy!.toISOString() },
    });
    const [scheduled] = await tx
      .insert(partnershipReviews)
      .values({ partnershipId: partnership.id, kind: 'rectification', followsReviewId: review.id, ...reReview, scheduledAt: review.completedAt!, scheduledBy: agent.id })
      .returning({ id: partnershipReviews.id });
    await audit.record(tx, {
      actor: agent,
      action: 'review.schedule',
      target: `partnership:${partnership.id}`,
      recruitmentId: partnership.recruitmentId,
      ip: origin.ip,
      details: {
        reviewId: scheduled!.id,
        kind: 'rectification',
        followsReviewId: review.id,
        periodFrom: reReview.periodFrom.toISOString(),
        periodTo: reReview.periodTo.toISOString(),
        dueAt: reReview.dueAt.toISOString(),
      },
    });
    return status;
  }

  /** After commit: the partner receives its signed result. */
  async function mailResult(partnership: Partnership, title: string, review: ReviewRow, document: DocumentRow) {
    const [organization] = await db.select({ name: organizations.name, email: organizations.email }).from(organizations).where(eq(organizations.id, partnership.organizationId));
    if (!organization) return;
    const result = review.result as ReviewResult;
    mailer.send({
      to: organization.email,
      subject: `【考核结果通知】${title}：${REVIEW_KIND_LABELS[review.kind]}${REVIEW_RESULT_LABELS[result]}`,
      text: [
        `${organization.name}：`,
        '',
        `贵单位的${REVIEW_KIND_LABELS[review.kind]}已完成，总分 ${review.totalScore} 分，结果为“${REVIEW_RESULT_LABELS[result]}”。`,
        ...(review.rectifyBy ? [`请于整改期限内完成整改，中心将进行整改复核。`] : []),
        '经中心电子签名的考核结果通知书见附件，也可登录平台查看和核验：',
        `${publicUrl}/partnerships/${partnership.id}/reviews`,
        `核验网址：${publicUrl}/verify/${document.verifyCode}`,
      ].join('\n'),
      attachments: [{ filename: `${document.title}.pdf`, content: await storage.readDocument(document.storageName), contentType: 'application/pdf' }],
    });
  }

  return { completeReview };
}
