import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { agreementChangeRequests, agreementVersions, organizations, partnerships } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { agreementDraft, draftAgreementDraft, recruitmentTerms, type AgreementText } from '../documents/inputs.ts';
import type { DocumentIssuer } from '../documents/issuer.ts';
import type { AgentMails } from '../notifications/agent-mails.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { versionSubject, type Partnership, type PartnershipAccess } from './access.ts';
import type { Lapses } from './lapse.ts';
import { RULES } from '../recruitments/rules.ts';
import { termTooLong } from './rules.ts';
import { PARTNERSHIP_STATUS_LABELS } from './types.ts';

// The review of the draft agreement (issue 17): the selected organisation accepts the current
// version or asks for changes; the agent answers each request with a revised version or a
// refusal with reasons. Every version is a signed PDF of its own and stays. Accepting a version
// has the centre issue and sign the agreement itself, which the organisation then countersigns
// (signing.ts).
//
// Invariant: each step locks the partnership row (FOR UPDATE) and checks its state inside that
// transaction, so an acceptance and a request for changes never pass each other.

export interface AnswerInput {
  answer: 'revised' | 'refused';
  /** the revision (what the new version changes), or the reasons for refusing */
  text: string;
  /** a revised version's term; the current one's when absent */
  termMonths?: number;
}

export function createAgreementReview({
  db,
  clock,
  audit,
  issuer,
  recruitments,
  access,
  lapses,
  mailer,
  agentMails,
  publicUrl,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  mailer: Pick<Mailer, 'send'>;
  /** after commit: the agent is mailed a request for changes */
  agentMails: Pick<AgentMails, 'arrived'>;
  publicUrl: string;
  issuer: Pick<DocumentIssuer, 'produce' | 'record'>;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
  access: PartnershipAccess;
  lapses: Pick<Lapses, 'lapseOverdue'>;
}) {
  /** The partnership, lapsed first when its deadline has passed; refused unless its agreement is still under review. */
  async function underReview(id: string): Promise<Partnership> {
    await lapses.lapseOverdue({ partnershipId: id });
    const partnership = await access.load(id);
    refuseUnlessUnderReview(partnership);
    return partnership;
  }

  function refuseUnlessUnderReview(partnership: Partnership) {
    if (partnership.status === 'lapsed') throw new AppError('AWARD_LAPSED', '未在入选通知书规定的期限内签订合作协议，入选资格已失效');
    if (partnership.status !== 'awarded') {
      throw new AppError('NOT_UNDER_REVIEW', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”，协议文本不能再修改或确认`);
    }
    if (partnership.acceptedVersion !== null) throw new AppError('AGREEMENT_ALREADY_ACCEPTED', `乙方已确认第 ${partnership.acceptedVersion} 版协议文本，请签署`);
  }

  const issuedFor = (user: SignedInUser, origin: RequestOrigin) => ({ actor: user, ip: origin.ip });

  async function subjectOf(partnership: Partnership) {
    const recruitment = await recruitments.getRecruitment(partnership.recruitmentId, null);
    return {
      recruitment,
      about: { recruitmentId: partnership.recruitmentId, owner: recruitment.owner, bidId: partnership.bidId, organizationId: partnership.organizationId },
    };
  }

  async function textOf(partnershipId: string, version: { number: number; termMonths: number }): Promise<AgreementText> {
    const revisions = (await access.versionsOf(partnershipId)).flatMap((each) =>
      each.revision !== null && each.number <= version.number ? [{ version: each.number, text: each.revision }] : [],
    );
    return { version: version.number, termMonths: version.termMonths, revisions };
  }

  /** The organisation accepts the current version: the centre issues and signs the agreement of that text. */
  async function acceptAgreement(id: string, versionNumber: number, user: SignedInUser, origin: RequestOrigin) {
    const partnership = await underReview(id);
    await access.requireOrganization(partnership, user);
    const version = await access.currentVersion(id);
    if (version.number !== versionNumber) throw new AppError('VERSION_NOT_CURRENT', `只能确认最新的第 ${version.number} 版协议文本`);
    if (await access.openRequest(id)) throw new AppError('CHANGE_REQUEST_OPEN', '修改申请尚待经办人答复，答复后方可确认');
    if (!(await access.documentOf(partnership, 'draft_agreement', versionSubject(partnership.bidId, version.number)))) {
      throw new AppError('AGREEMENT_NOT_READY', '该版本协议文本尚在生成中，请稍后再试');
    }
    const acceptedAt = clock.now();
    const { recruitment, about } = await subjectOf(partnership);
    const draft = agreementDraft(recruitmentTerms(recruitment), await access.outcomeEntry(partnership), await textOf(id, version), acceptedAt);
    const produced = await issuer.produce(draft, { ...about, kind: 'agreement', subject: partnership.bidId });
    return db.transaction(async (tx) => {
      refuseUnlessUnderReview(await access.lock(tx, id));
      if (await access.openRequest(id, tx)) throw new AppError('CHANGE_REQUEST_OPEN', '修改申请尚待经办人答复，答复后方可确认');
      if ((await access.currentVersion(id, tx)).number !== versionNumber) throw new AppError('VERSION_NOT_CURRENT', '协议文本已有新版本，请刷新后重试');
      await tx.update(partnerships).set({ acceptedVersion: versionNumber, acceptedAt }).where(eq(partnerships.id, id));
      const document = await issuer.record(tx, produced, issuedFor(user, origin));
      if (!document) throw new AppError('AGREEMENT_ALREADY_ACCEPTED', '协议已签发');
      await audit.record(tx, {
        actor: user,
        action: 'agreement.accept',
        target: `partnership:${id}`,
        recruitmentId: partnership.recruitmentId,
        ip: origin.ip,
        details: { version: versionNumber, documentId: document.id, sha256: document.sha256 },
      });
      return { partnershipId: id, acceptedVersion: versionNumber, acceptedAt, agreement: { id: document.id, url: `/api/v1/documents/${document.id}` } };
    });
  }

  /** The organisation asks for changes to the current version (one open request at a time). */
  async function requestChanges(id: string, text: string, user: SignedInUser, origin: RequestOrigin) {
    const partnership = await underReview(id);
    await access.requireOrganization(partnership, user);
    const requested = await db.transaction(async (tx) => {
      refuseUnlessUnderReview(await access.lock(tx, id));
      if (await access.openRequest(id, tx)) throw new AppError('CHANGE_REQUEST_OPEN', '上一项修改申请尚待经办人答复');
      const version = await access.currentVersion(id, tx);
      const [request] = await tx
        .insert(agreementChangeRequests)
        .values({ partnershipId: id, versionNumber: version.number, text: text.trim(), requestedAt: clock.now(), requestedBy: user.id })
        .returning();
      await audit.record(tx, {
        actor: user,
        action: 'agreement.request_changes',
        target: `partnership:${id}`,
        recruitmentId: partnership.recruitmentId,
        ip: origin.ip,
        details: { requestId: request!.id, version: version.number, length: request!.text.length },
      });
      return { id: request!.id, versionNumber: version.number, requestedAt: request!.requestedAt, text: request!.text };
    });
    await agentMails.arrived({ kind: 'change_request', id: requested.id, recruitmentId: partnership.recruitmentId, text: requested.text });
    return { id: requested.id, versionNumber: requested.versionNumber, requestedAt: requested.requestedAt };
  }

  /** The agent's answer to a request: a revised version (a new signed PDF), or a refusal with reasons. */
  async function answerChangeRequest(requestId: string, input: AnswerInput, agent: SignedInUser, origin: RequestOrigin) {
    const [request] = await db.select().from(agreementChangeRequests).where(eq(agreementChangeRequests.id, requestId));
    if (!request) throw new AppError('NOT_FOUND', '修改申请不存在');
    const partnership = await access.load(request.partnershipId);
    const recruitment = await access.requireAgent(partnership, agent);
    await underReview(partnership.id);
    if (request.answeredAt) throw new AppError('ALREADY_ANSWERED', '该修改申请已答复');
    const text = input.text.trim();
    const current = await access.currentVersion(partnership.id);
    const revised = input.answer === 'revised' ? await revision(partnership, current, text, input.termMonths ?? current.termMonths, recruitment.agreementTermMonths) : null;
    const answeredAt = clock.now();
    const answered = await db.transaction(async (tx) => {
      refuseUnlessUnderReview(await access.lock(tx, partnership.id));
      const [answered] = await tx
        .update(agreementChangeRequests)
        .set({ answer: input.answer, answerText: text, answeredAt, answeredBy: agent.id })
        .where(and(eq(agreementChangeRequests.id, requestId), isNull(agreementChangeRequests.answeredAt)))
        .returning();
      if (!answered) throw new AppError('ALREADY_ANSWERED', '该修改申请已答复');
      let version: number | null = null;
      if (revised) {
        const document = await issuer.record(tx, revised.produced, issuedFor(agent, origin));
        if (!document) throw new AppError('ALREADY_ANSWERED', '该版本协议文本已签发');
        await tx.insert(agreementVersions).values({
          partnershipId: partnership.id,
          number: revised.number,
          revision: text,
          termMonths: revised.termMonths,
          documentId: document.id,
          issuedAt: document.issuedAt,
          issuedBy: agent.id,
        });
        await tx.update(partnerships).set({ termMonths: revised.termMonths }).where(eq(partnerships.id, partnership.id));
        version = revised.number;
      }
      await audit.record(tx, {
        actor: agent,
        action: revised ? 'agreement.revise' : 'agreement.refuse_changes',
        target: `partnership:${partnership.id}`,
        recruitmentId: partnership.recruitmentId,
        ip: origin.ip,
        details: { requestId, length: text.length, ...(revised && { version, termMonths: revised.termMonths }) },
      });
      return { requestId, answer: input.answer, answeredAt, version };
    });
    await mailAnswer(partnership, recruitment.title, text, answered.version);
    return answered;
  }

  /** After commit: the organisation is told the agent's answer. */
  async function mailAnswer(partnership: Partnership, title: string, text: string, version: number | null) {
    const [organization] = await db.select({ name: organizations.name, email: organizations.email }).from(organizations).where(eq(organizations.id, partnership.organizationId));
    if (!organization) return;
    mailer.send({
      to: organization.email,
      subject: `【协议修改申请答复】${title}`,
      text: [
        `${organization.name}：`,
        '',
        version === null ? '经办人对贵单位的协议修改申请不予修改，理由如下：' : `经办人已修订合作协议（草案），签发第 ${version} 版，修订内容如下：`,
        '',
        text,
        '',
        `请在签约期限内登录平台确认协议文本并签署：${publicUrl}/partnerships/${partnership.id}`,
      ].join('\n'),
    });
  }

  /** Renders, signs and stores the next version; refused when its term breaks SPEC §1 or the recruitment's terms. */
  async function revision(partnership: Partnership, current: { number: number; termMonths: number }, text: string, termMonths: number, recruitmentTerm: number) {
    if (termTooLong(termMonths)) {
      throw new AppError('AGREEMENT_TERM_TOO_LONG', `合作期限最长 ${RULES.maxAgreementTermMonths} 个月（5 年）`, 'termMonths');
    }
    if (termMonths > recruitmentTerm) {
      throw new AppError('AGREEMENT_TERM_BEYOND_TERMS', `合作期限不得超过招募文件规定的 ${recruitmentTerm} 个月`, 'termMonths');
    }
    const number = current.number + 1;
    const { recruitment, about } = await subjectOf(partnership);
    const previous = await textOf(partnership.id, current);
    const draft = draftAgreementDraft(recruitmentTerms(recruitment), await access.outcomeEntry(partnership), {
      version: number,
      termMonths,
      revisions: [...previous.revisions, { version: number, text }],
    });
    const produced = await issuer.produce(draft, { ...about, kind: 'draft_agreement', subject: versionSubject(partnership.bidId, number) });
    return { number, termMonths, produced };
  }

  return { acceptAgreement, requestChanges, answerChangeRequest };
}
