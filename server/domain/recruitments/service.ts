import { and, asc, desc, eq, ilike, inArray, isNotNull, isNull, max, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  announcements,
  bids,
  criteria,
  eligibilityConditions,
  follows,
  lots,
  organizations,
  publications,
  questions,
  recruitments,
  users,
} from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { AuditService } from '../audit/service.ts';
import { bidKeyFingerprint } from '../../lib/bid-key-fingerprint.ts';
import { announcementDraft } from '../documents/inputs.ts';
import type { DocumentIssuer } from '../documents/issuer.ts';
import type { AgentMails } from '../notifications/agent-mails.ts';
import type { SignOffMails } from '../notifications/sign-offs.ts';
import type { EscrowService } from '../opening/escrow.ts';
import type { OpeningKeyService } from '../opening/keys.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import {
  checkAmendment,
  checkPublication,
  checkTerms,
  DEFAULT_ELIGIBILITY,
  derivedQuestionsDeadline,
  questionsDeadlineDerived,
  RULES,
  type RecruitmentTerms,
  type RuleViolation,
} from './rules.ts';
import type {
  AmendmentInput,
  CreateRecruitmentInput,
  PublicationInput,
  UpdateRecruitmentInput,
} from './schemas.ts';
import type { RecruitmentAction } from './state.ts';
import { applyTransition, type TransitionExtra } from './transition.ts';
import { ANNOUNCEMENT_LABELS } from '../../lib/labels.ts';
import type { Announcement, AnnouncementChange, AnnouncementKind, Recruitment, RecruitmentStatus } from './types.ts';

export interface RecruitmentDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  openingKeys: Pick<OpeningKeyService, 'issueBidKey'>;
  escrow: Pick<EscrowService, 'designatedHolder'>;
  mailer: Mailer;
  minTenderDays: number;
  publicUrl: string;
  /** issues the signed announcement inside the publication */
  documents: Pick<DocumentIssuer, 'produce' | 'record'>;
  /** after commit: the inspector is mailed a cancellation to countersign */
  signOffs: Pick<SignOffMails, 'signOffWaiting'>;
  /** after commit: the agent is mailed a question */
  agentMails: Pick<AgentMails, 'arrived'>;
}

export interface ListFilter {
  status?: RecruitmentStatus;
  q?: string;
}



function refuse(violations: RuleViolation[]): void {
  const [first, ...rest] = violations;
  if (first) throw AppError.fromViolations([first, ...rest]);
}

const notFound = () => new AppError('NOT_FOUND', '招募项目不存在');

/** `%` and `_` typed by a visitor are searched for literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type RecruitmentService = ReturnType<typeof createRecruitmentService>;

export function createRecruitmentService({
  db,
  clock,
  audit,
  openingKeys,
  escrow,
  mailer,
  minTenderDays,
  publicUrl,
  documents,
  signOffs,
  agentMails,
}: RecruitmentDeps) {
  async function load(executor: Db | Tx, id: string): Promise<Recruitment | null> {
    const [row] = await executor.select().from(recruitments).where(eq(recruitments.id, id)).limit(1);
    if (!row) return null;
    const [lotRows, conditionRows, criterionRows, publicationRows, announcementRows, answered] = await Promise.all([
      executor.select().from(lots).where(eq(lots.recruitmentId, id)).orderBy(asc(lots.position)),
      executor
        .select()
        .from(eligibilityConditions)
        .where(eq(eligibilityConditions.recruitmentId, id))
        .orderBy(asc(eligibilityConditions.position)),
      executor.select().from(criteria).where(eq(criteria.recruitmentId, id)).orderBy(asc(criteria.position)),
      executor
        .select()
        .from(publications)
        .where(eq(publications.recruitmentId, id))
        .orderBy(asc(publications.publishedOn), asc(publications.createdAt)),
      executor.select().from(announcements).where(eq(announcements.recruitmentId, id)).orderBy(asc(announcements.number)),
      executor
        .select()
        .from(questions)
        .where(and(eq(questions.recruitmentId, id), isNotNull(questions.answer)))
        .orderBy(asc(questions.answeredAt)),
    ]);
    const { bidPublicKey, ...columns } = row;
    return {
      ...columns,
      bidKeyFingerprint: bidPublicKey ? bidKeyFingerprint(bidPublicKey) : null,
      lots: lotRows.map(({ key, name, quota, description }) => ({ key, name, quota, description })),
      eligibility: conditionRows.map(({ key, text }) => ({ key, text })),
      criteria: criterionRows.map(({ key, name, maxScore, description }) => ({ key, name, maxScore, description })),
      publications: publicationRows.map(({ id: pid, channel, name, publishedOn, url }) => ({
        id: pid,
        channel,
        name,
        publishedOn,
        url,
      })),
      announcements: announcementRows.map(({ id: aid, number, kind, title, body, changes, publishedAt }) => ({
        id: aid,
        number,
        kind,
        title,
        body,
        changes,
        publishedAt,
      })),
      answeredQuestions: answered.map((q) => ({
        id: q.id,
        text: q.text,
        answer: q.answer ?? '',
        askedAt: q.askedAt,
        answeredAt: q.answeredAt ?? q.askedAt,
      })),
    };
  }

  /**
   * A recruitment never published (a draft, or a draft cancelled) is seen only by its agent and by
   * inspectors; to anyone else it answers 404, as if absent.
   */
  function canSee(recruitment: Recruitment, viewer: SignedInUser | null): boolean {
    if (recruitment.publishedAt) return true;
    return viewer?.role === 'inspector' || (viewer?.role === 'agent' && viewer.id === recruitment.agentId);
  }

  async function getRecruitment(id: string, viewer: SignedInUser | null): Promise<Recruitment> {
    const recruitment = await load(db, id);
    if (!recruitment || !canSee(recruitment, viewer)) throw notFound();
    return recruitment;
  }

  /** The recruitment as its own agent may change it. */
  async function ownRecruitment(id: string, agent: SignedInUser): Promise<Recruitment> {
    const recruitment = await getRecruitment(id, agent);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以执行此操作');
    return recruitment;
  }

  function terms(input: CreateRecruitmentInput): RecruitmentTerms {
    const submissionDeadline = new Date(input.submissionDeadline);
    return {
      lots: input.lots.map((lot) => ({ ...lot, description: lot.description ?? '' })),
      eligibility: input.eligibility ?? DEFAULT_ELIGIBILITY,
      criteria: input.criteria.map((criterion) => ({ ...criterion, description: criterion.description ?? '' })),
      minPublicBenefitRatio: input.minPublicBenefitRatio ?? RULES.defaultMinPublicBenefitRatio,
      agreementTermMonths: input.agreementTermMonths,
      submissionDeadline,
      questionsDeadline: input.questionsDeadline ? new Date(input.questionsDeadline) : derivedQuestionsDeadline(submissionDeadline),
      publicityDays: input.publicityDays ?? RULES.minPublicityDays,
    };
  }

  async function writeTermLists(tx: Tx, recruitmentId: string, t: Pick<RecruitmentTerms, 'lots' | 'eligibility' | 'criteria'>) {
    await tx.delete(lots).where(eq(lots.recruitmentId, recruitmentId));
    await tx.delete(eligibilityConditions).where(eq(eligibilityConditions.recruitmentId, recruitmentId));
    await tx.delete(criteria).where(eq(criteria.recruitmentId, recruitmentId));
    await tx.insert(lots).values(t.lots.map((lot, position) => ({ ...lot, recruitmentId, position })));
    await tx
      .insert(eligibilityConditions)
      .values(t.eligibility.map((condition, position) => ({ ...condition, recruitmentId, position })));
    await tx.insert(criteria).values(t.criteria.map((criterion, position) => ({ ...criterion, recruitmentId, position })));
  }

  async function createDraft(input: CreateRecruitmentInput, agent: SignedInUser, origin: RequestOrigin) {
    const draftTerms = terms(input);
    refuse(checkTerms(draftTerms));
    const id = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(recruitments)
        .values({
          agentId: agent.id,
          title: input.title.trim(),
          summary: input.summary?.trim() ?? '',
          body: input.body ?? '',
          owner: input.owner.trim(),
          minPublicBenefitRatio: draftTerms.minPublicBenefitRatio,
          agreementTermMonths: draftTerms.agreementTermMonths,
          questionsDeadline: draftTerms.questionsDeadline,
          submissionDeadline: draftTerms.submissionDeadline,
          publicityDays: draftTerms.publicityDays,
          decisionRef: input.decisionRef?.trim() || null,
        })
        .returning({ id: recruitments.id });
      if (!row) throw new Error('insert returned no row');
      await writeTermLists(tx, row.id, draftTerms);
      await audit.record(tx, {
        actor: agent,
        action: 'recruitment.create',
        target: `recruitment:${row.id}`,
        recruitmentId: row.id,
        ip: origin.ip,
        details: { title: input.title.trim() },
      });
      return row.id;
    });
    return getRecruitment(id, agent);
  }

  async function updateDraft(id: string, patch: UpdateRecruitmentInput, agent: SignedInUser, origin: RequestOrigin) {
    const current = await ownRecruitment(id, agent);
    if (current.status !== 'draft') throw new AppError('NOT_DRAFT', '只有草稿可以修改；已发布的招募请发布更正公告');
    const merged = terms({
      ...current,
      decisionRef: current.decisionRef ?? undefined,
      // A derived questions deadline is left out, so that it follows a new submission deadline.
      questionsDeadline: questionsDeadlineDerived(current) ? undefined : current.questionsDeadline.toISOString(),
      submissionDeadline: current.submissionDeadline.toISOString(),
      ...patch,
    });
    refuse(checkTerms(merged));
    await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(recruitments)
        .set({
          ...(patch.title !== undefined && { title: patch.title.trim() }),
          ...(patch.summary !== undefined && { summary: patch.summary.trim() }),
          ...(patch.body !== undefined && { body: patch.body }),
          ...(patch.owner !== undefined && { owner: patch.owner.trim() }),
          ...(patch.decisionRef !== undefined && { decisionRef: patch.decisionRef.trim() || null }),
          minPublicBenefitRatio: merged.minPublicBenefitRatio,
          agreementTermMonths: merged.agreementTermMonths,
          questionsDeadline: merged.questionsDeadline,
          submissionDeadline: merged.submissionDeadline,
          publicityDays: merged.publicityDays,
        })
        .where(and(eq(recruitments.id, id), eq(recruitments.status, 'draft')))
        .returning({ id: recruitments.id });
      if (!updated) throw new AppError('NOT_DRAFT', '只有草稿可以修改；已发布的招募请发布更正公告');
      if (patch.lots || patch.eligibility || patch.criteria) await writeTermLists(tx, id, merged);
      await audit.record(tx, {
        actor: agent,
        action: 'recruitment.update',
        target: `recruitment:${id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: { fields: Object.keys(patch).sort() },
      });
    });
    return getRecruitment(id, agent);
  }

  const transition = (
    tx: Tx,
    recruitment: Recruitment,
    action: RecruitmentAction,
    actor: SignedInUser,
    origin: RequestOrigin,
    extra?: TransitionExtra,
  ) => applyTransition(tx, audit, recruitment, action, actor, origin, extra);

  async function addAnnouncement(
    tx: Tx,
    recruitmentId: string,
    author: SignedInUser,
    announcement: { kind: AnnouncementKind; title: string; body: string; changes?: AnnouncementChange[] },
  ): Promise<Announcement> {
    const [last] = await tx
      .select({ number: max(announcements.number) })
      .from(announcements)
      .where(eq(announcements.recruitmentId, recruitmentId));
    const number = last?.number === null || last?.number === undefined ? 0 : last.number + 1;
    const [row] = await tx
      .insert(announcements)
      .values({
        recruitmentId,
        number,
        kind: announcement.kind,
        title: announcement.title,
        body: announcement.body,
        changes: announcement.changes ?? [],
        publishedAt: clock.now(),
        authorId: author.id,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return { ...row };
  }

  /**
   * Whoever a recruitment's notices concern: its followers and every organisation with a bid in it,
   * one address each. A withdrawn bid counts too: until the deadline its organisation may submit
   * again, and an amendment may be what brings it back, so it must read every one.
   */
  async function followerAndBidderEmails(recruitmentId: string): Promise<string[]> {
    const rows = await db
      .select({ email: sql<string>`coalesce(${organizations.email}, ${users.email})` })
      .from(users)
      .leftJoin(organizations, eq(organizations.userId, users.id))
      .where(
        and(
          eq(users.active, true),
          or(
            inArray(users.id, db.select({ id: follows.userId }).from(follows).where(eq(follows.recruitmentId, recruitmentId))),
            inArray(organizations.id, db.select({ id: bids.organizationId }).from(bids).where(eq(bids.recruitmentId, recruitmentId))),
          ),
        ),
      );
    return [...new Set(rows.map((row) => row.email))];
  }

  /** Sent after commit to every follower and bidder: one message each, so that no one sees the others. */
  async function notifyFollowersAndBidders(recruitment: Pick<Recruitment, 'id' | 'title'>, subject: string, text: string, anchor: string) {
    const link = `${publicUrl}/recruitments/${recruitment.id}#${anchor}`;
    for (const to of await followerAndBidderEmails(recruitment.id)) {
      mailer.send({
        to,
        subject: `【${subject}】${recruitment.title}`,
        text: `${text}\n\n详情：${link}\n\n您关注了该招募项目或参加了响应，因此收到本通知。`,
      });
    }
  }

  /**
   * The agent names the inspector; the escrow holder is the one an administrator has designated
   * at this moment (none when none is), never one of the agent's choosing.
   */
  async function publish(id: string, { inspectorId }: { inspectorId: string }, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await ownRecruitment(id, agent);
    const [inspector] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, inspectorId), eq(users.role, 'inspector'), eq(users.active, true)));
    if (!inspector) throw new AppError('INVALID_INSPECTOR', '请指定一名有效的纪检监督员', 'inspectorId');
    const now = clock.now();
    refuse(checkPublication(recruitment, now, minTenderDays));
    const status = await db.transaction(async (tx) => {
      const escrowHolderId = (await escrow.designatedHolder(tx))?.id ?? null;
      const to = await transition(tx, recruitment, 'publish', agent, origin, {
        set: { inspectorId, escrowHolderId, publishedAt: now },
        details: { inspectorId, escrowHolderId, decisionRef: recruitment.decisionRef },
      });
      // after the guarded transition, so a second publication is refused before any key is made
      const bidPublicKey = await openingKeys.issueBidKey(tx, id, [
        { id: recruitment.agentId, role: 'agent' },
        { id: inspectorId, role: 'inspector' },
        ...(escrowHolderId ? [{ id: escrowHolderId, role: 'escrow' as const }] : []),
      ]);
      await tx.update(recruitments).set({ bidPublicKey }).where(eq(recruitments.id, id));
      await addAnnouncement(tx, id, agent, { kind: 'announcement', title: recruitment.title, body: recruitment.summary });
      const keyHolderRoles = ['招标代理', '纪检监督员', ...(escrowHolderId ? ['密钥托管人'] : [])];
      await issueSignedAnnouncement(tx, { ...recruitment, publishedAt: now }, bidPublicKey, keyHolderRoles);
      return to;
    });
    return { status };
  }

  /**
   * The signed announcement is issued inside the publication: it is the reference the stored bid
   * key is checked against (opening/announced-key.ts), so it must exist from the first moment bids
   * are taken, and is never issued again afterwards with whatever key the database then holds.
   */
  async function issueSignedAnnouncement(tx: Tx, recruitment: Recruitment & { publishedAt: Date }, bidPublicKey: string, keyHolders: string[]) {
    const fingerprint = bidKeyFingerprint(bidPublicKey);
    const draft = announcementDraft({
      recruitment: { title: recruitment.title, owner: recruitment.owner },
      recruitmentId: recruitment.id,
      summary: recruitment.summary,
      decisionRef: recruitment.decisionRef ?? '',
      publishedAt: recruitment.publishedAt,
      questionsDeadline: recruitment.questionsDeadline,
      submissionDeadline: recruitment.submissionDeadline,
      publicityDays: recruitment.publicityDays,
      agreementTermMonths: recruitment.agreementTermMonths,
      minPublicBenefitRatio: recruitment.minPublicBenefitRatio,
      lots: recruitment.lots.map(({ name, quota }) => ({ name, quota })),
      eligibility: recruitment.eligibility.map(({ text }) => text),
      criteria: recruitment.criteria.map(({ name, maxScore }) => ({ name, maxScore })),
      keyHolders,
      bidKeyFingerprint: fingerprint,
      publicPageUrl: `${publicUrl}/recruitments/${recruitment.id}`,
    });
    const document = await documents
      .produce(draft, { recruitmentId: recruitment.id, kind: 'announcement', subject: 'recruitment', owner: recruitment.owner })
      .catch((error: unknown) => {
        // the publication rolls back: bids are never taken without the signed key to check against
        throw Object.assign(new AppError('SIGNING_UNAVAILABLE', '电子签名暂不可用：招募公告须经中心签名后才能发布，本次未发布，请稍后重试'), { cause: error });
      });
    if (!(await documents.record(tx, document))) throw new Error(`recruitment ${recruitment.id} already has an announcement`);
    await audit.record(tx, {
      actor: null,
      action: 'bid_key.issue',
      target: `recruitment:${recruitment.id}`,
      recruitmentId: recruitment.id,
      details: { bidKeyFingerprint: fingerprint, announcement: document.id, announcementSha256: document.sha256 },
    });
  }

  async function addPublication(id: string, input: PublicationInput, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await ownRecruitment(id, agent);
    if (!recruitment.publishedAt) throw new AppError('NOT_PUBLISHED', '招募公告发布后才能登记其他发布渠道');
    return db.transaction(async (tx) => {
      const [row] = await tx
        .insert(publications)
        .values({ recruitmentId: id, channel: input.channel, name: input.name.trim(), publishedOn: input.publishedOn, url: input.url ?? null })
        .returning({ id: publications.id });
      if (!row) throw new Error('insert returned no row');
      await audit.record(tx, {
        actor: agent,
        action: 'recruitment.publication_add',
        target: `publication:${row.id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: { ...input },
      });
      return row;
    });
  }

  async function amend(id: string, input: AmendmentInput, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await ownRecruitment(id, agent);
    const now = clock.now();
    const { publishedAt } = recruitment;
    if (recruitment.status !== 'published' || !publishedAt || now.getTime() >= recruitment.submissionDeadline.getTime()) {
      throw new AppError('NOT_OPEN_FOR_AMENDMENT', '只有在提交截止前、处于公告中的招募项目可以发布更正公告');
    }
    const submissionDeadline = input.submissionDeadline ? new Date(input.submissionDeadline) : null;
    const questionsDeadline = input.questionsDeadline ? new Date(input.questionsDeadline) : null;
    refuse(
      checkAmendment(
        { affectsPreparation: input.affectsPreparation, submissionDeadline, questionsDeadline },
        { ...recruitment, publishedAt },
        now,
        minTenderDays,
      ),
    );
    const changes: AnnouncementChange[] = [];
    for (const [field, next] of [
      ['submissionDeadline', submissionDeadline],
      ['questionsDeadline', questionsDeadline],
    ] as const) {
      const before = recruitment[field];
      if (next && next.getTime() !== before.getTime()) {
        changes.push({ field, from: before.toISOString(), to: next.toISOString() });
      }
    }
    const announcement = await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(recruitments)
        .set({
          submissionDeadline: submissionDeadline ?? sql`${recruitments.submissionDeadline}`,
          questionsDeadline: questionsDeadline ?? sql`${recruitments.questionsDeadline}`,
        })
        .where(and(eq(recruitments.id, id), eq(recruitments.status, 'published')))
        .returning({ id: recruitments.id });
      if (!updated) throw new AppError('NOT_OPEN_FOR_AMENDMENT', '招募项目状态已变化，不能发布更正公告');
      const added = await addAnnouncement(tx, id, agent, { kind: 'amendment', title: input.title.trim(), body: input.body, changes });
      await audit.record(tx, {
        actor: agent,
        action: 'recruitment.amend',
        target: `announcement:${added.id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: { number: added.number, title: added.title, changes, affectsPreparation: input.affectsPreparation },
      });
      return added;
    });
    await notifyFollowersAndBidders(recruitment, `第 ${announcement.number} 号更正/澄清公告`, `${announcement.title}\n\n${announcement.body}`, `announcement-${announcement.number}`);
    return announcement;
  }

  /** Cancel, suspend and resume: a transition with a public notice to followers. */
  async function transitionWithNotice(
    id: string,
    action: 'cancel' | 'suspend' | 'resume',
    actor: SignedInUser,
    origin: RequestOrigin,
    reason: string | null,
  ) {
    const recruitment = actor.role === 'agent' ? await ownRecruitment(id, actor) : await getRecruitment(id, actor);
    const kind = ({ cancel: 'cancellation', suspend: 'suspension', resume: 'resumption' } as const)[action];
    const title = `${ANNOUNCEMENT_LABELS[kind]}：${recruitment.title}`;
    const body = reason ?? '本招募项目恢复进行，时间安排以本公告及此前公告为准。';
    const now = clock.now();
    const { status, announcement } = await db.transaction(async (tx) => {
      const to = await transition(tx, recruitment, action, actor, origin, {
        set: action === 'cancel' ? { cancelledAt: now, cancelReason: reason } : {},
        details: reason ? { reason } : {},
      });
      // a draft was never public, so its cancellation needs no public notice
      const notice = recruitment.publishedAt ? await addAnnouncement(tx, id, actor, { kind, title, body }) : null;
      return { status: to, announcement: notice };
    });
    if (announcement) {
      await notifyFollowersAndBidders(recruitment, ANNOUNCEMENT_LABELS[kind], body, `announcement-${announcement.number}`);
    }
    if (action === 'cancel') await signOffs.signOffWaiting({ kind: 'cancellation', recruitmentId: id });
    return { status };
  }

  async function countersignCancellation(id: string, inspector: SignedInUser, origin: RequestOrigin) {
    const recruitment = await getRecruitment(id, inspector);
    // a draft cancelled before publication has no named inspector yet: any inspector countersigns it
    if (recruitment.inspectorId !== null && recruitment.inspectorId !== inspector.id) {
      throw new AppError('FORBIDDEN', '只有本项目指定的纪检监督员可以会签终止');
    }
    if (recruitment.status !== 'cancelled') throw new AppError('INVALID_TRANSITION', '招募项目未终止，无需会签');
    const chain = await audit.verifyChain();
    await db.transaction(async (tx) => {
      const [row] = await tx
        .update(recruitments)
        .set({ cancelCountersignedBy: inspector.id, cancelCountersignedAt: clock.now(), cancelCountersignChainHead: chain.head, cancelCountersignChainSeq: chain.entries })
        .where(and(eq(recruitments.id, id), eq(recruitments.status, 'cancelled'), isNull(recruitments.cancelCountersignedBy)))
        .returning({ id: recruitments.id });
      if (!row) throw new AppError('ALREADY_COUNTERSIGNED', '终止已会签');
      await audit.record(tx, {
        actor: inspector,
        action: 'recruitment.cancel_countersign',
        target: `recruitment:${id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: { chainHead: chain.head, chainOk: chain.ok, chainEntries: chain.entries },
      });
    });
    return { status: 'cancelled' as const, countersigned: true, chainHead: chain.head };
  }

  async function askQuestion(id: string, text: string, bidder: SignedInUser, origin: RequestOrigin) {
    const recruitment = await getRecruitment(id, bidder);
    const now = clock.now();
    if (recruitment.status !== 'published' || now.getTime() >= recruitment.questionsDeadline.getTime()) {
      throw new AppError('QUESTIONS_CLOSED', '提问已截止或招募项目不在公告期内');
    }
    const asked = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(questions)
        .values({ recruitmentId: id, askerId: bidder.id, text: text.trim(), askedAt: now })
        .returning({ id: questions.id, askedAt: questions.askedAt });
      if (!row) throw new Error('insert returned no row');
      // the asker follows the recruitment, so the answer reaches them
      await tx.insert(follows).values({ recruitmentId: id, userId: bidder.id }).onConflictDoNothing();
      await audit.record(tx, {
        actor: bidder,
        action: 'question.ask',
        target: `question:${row.id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: { length: text.trim().length },
      });
      return row;
    });
    await agentMails.arrived({ kind: 'question', id: asked.id, recruitmentId: id, text: text.trim() });
    return asked;
  }

  async function answerQuestion(questionId: string, text: string, agent: SignedInUser, origin: RequestOrigin) {
    const [question] = await db.select().from(questions).where(eq(questions.id, questionId)).limit(1);
    if (!question) throw new AppError('NOT_FOUND', '问题不存在');
    const recruitment = await ownRecruitment(question.recruitmentId, agent);
    const now = clock.now();
    await db.transaction(async (tx) => {
      const [row] = await tx
        .update(questions)
        .set({ answer: text.trim(), answeredAt: now, answeredBy: agent.id })
        .where(and(eq(questions.id, questionId), isNull(questions.answer)))
        .returning({ id: questions.id });
      if (!row) throw new AppError('ALREADY_ANSWERED', '该问题已答复；如需补充请发布澄清公告');
      await audit.record(tx, {
        actor: agent,
        action: 'question.answer',
        target: `question:${questionId}`,
        recruitmentId: recruitment.id,
        ip: origin.ip,
        details: { length: text.trim().length },
      });
    });
    await notifyFollowersAndBidders(recruitment, '答疑', `问：${question.text}\n\n答：${text.trim()}`, `question-${questionId}`);
    return { id: questionId, answeredAt: now };
  }

  /** Every question of a recruitment, for its agent and the inspector; never who asked. */
  async function listQuestions(id: string, viewer: SignedInUser) {
    const recruitment = await getRecruitment(id, viewer);
    if (viewer.role === 'agent' && recruitment.agentId !== viewer.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以查看全部问题');
    return db
      .select({ id: questions.id, text: questions.text, askedAt: questions.askedAt, answer: questions.answer, answeredAt: questions.answeredAt })
      .from(questions)
      .where(eq(questions.recruitmentId, id))
      .orderBy(asc(questions.askedAt));
  }

  async function follow(id: string, user: SignedInUser, following: boolean) {
    const recruitment = await getRecruitment(id, user);
    if (!recruitment.publishedAt) throw new AppError('NOT_PUBLISHED', '招募公告尚未发布');
    if (following) {
      await db.insert(follows).values({ recruitmentId: id, userId: user.id }).onConflictDoNothing();
    } else {
      await db.delete(follows).where(and(eq(follows.recruitmentId, id), eq(follows.userId, user.id)));
    }
    return { following };
  }

  async function isFollowing(id: string, user: SignedInUser | null): Promise<boolean> {
    if (!user) return false;
    const [row] = await db
      .select({ userId: follows.userId })
      .from(follows)
      .where(and(eq(follows.recruitmentId, id), eq(follows.userId, user.id)))
      .limit(1);
    return row !== undefined;
  }

  /** Published recruitments for everyone; the agent also sees own drafts, the inspector every draft. */
  async function listRecruitments(filter: ListFilter, viewer: SignedInUser | null) {
    const visible: SQL | undefined =
      viewer?.role === 'inspector'
        ? undefined
        : viewer?.role === 'agent'
          ? or(isNotNull(recruitments.publishedAt), eq(recruitments.agentId, viewer.id))
          : isNotNull(recruitments.publishedAt);
    return db
      .select({
        id: recruitments.id,
        title: recruitments.title,
        owner: recruitments.owner,
        status: recruitments.status,
        agentId: recruitments.agentId,
        submissionDeadline: recruitments.submissionDeadline,
        publishedAt: recruitments.publishedAt,
        createdAt: recruitments.createdAt,
      })
      .from(recruitments)
      .where(
        and(
          visible,
          filter.status ? eq(recruitments.status, filter.status) : undefined,
          filter.q?.trim() ? ilike(recruitments.title, likePattern(filter.q.trim())) : undefined,
        ),
      )
      .orderBy(desc(sql`coalesce(${recruitments.publishedAt}, ${recruitments.createdAt})`));
  }

  /**
   * The recruitments an organisation follows or has a bid in (withdrawn or not), for its desk,
   * each saying whether it is followed: a bidder keeps sight of every recruitment it bid in.
   */
  function listFollowedOrBid(user: SignedInUser) {
    const followed = db.select({ id: follows.recruitmentId }).from(follows).where(eq(follows.userId, user.id));
    const bidIn = db
      .select({ id: bids.recruitmentId })
      .from(bids)
      .innerJoin(organizations, eq(organizations.id, bids.organizationId))
      .where(eq(organizations.userId, user.id));
    return db
      .select({
        id: recruitments.id,
        title: recruitments.title,
        owner: recruitments.owner,
        status: recruitments.status,
        submissionDeadline: recruitments.submissionDeadline,
        questionsDeadline: recruitments.questionsDeadline,
        followed: sql<boolean>`${recruitments.id} in (${followed})`,
      })
      .from(recruitments)
      .where(or(inArray(recruitments.id, followed), inArray(recruitments.id, bidIn)))
      .orderBy(asc(recruitments.submissionDeadline));
  }

  /** The newest announcements of every public recruitment, for the Atom feed. */
  function latestAnnouncements(limit: number) {
    return db
      .select({
        id: announcements.id,
        number: announcements.number,
        kind: announcements.kind,
        title: announcements.title,
        body: announcements.body,
        publishedAt: announcements.publishedAt,
        recruitmentId: announcements.recruitmentId,
        recruitmentTitle: recruitments.title,
        owner: recruitments.owner,
      })
      .from(announcements)
      .innerJoin(recruitments, eq(recruitments.id, announcements.recruitmentId))
      .orderBy(desc(announcements.publishedAt), desc(announcements.number))
      .limit(limit);
  }

  const cancelRecruitment = (id: string, reason: string, agent: SignedInUser, origin: RequestOrigin) =>
    transitionWithNotice(id, 'cancel', agent, origin, reason.trim());
  const suspendRecruitment = (id: string, reason: string, inspector: SignedInUser, origin: RequestOrigin) =>
    transitionWithNotice(id, 'suspend', inspector, origin, reason.trim());
  const resumeRecruitment = (id: string, inspector: SignedInUser, origin: RequestOrigin) =>
    transitionWithNotice(id, 'resume', inspector, origin, null);

  return {
    getRecruitment,
    // for the awards area, whose publicity and result notices join the recruitment's announcements
    addAnnouncement,
    notifyFollowersAndBidders,
    listRecruitments,
    listFollowedOrBid,
    latestAnnouncements,
    createDraft,
    updateDraft,
    publish,
    addPublication,
    amend,
    cancelRecruitment,
    suspendRecruitment,
    resumeRecruitment,
    countersignCancellation,
    askQuestion,
    answerQuestion,
    listQuestions,
    follow,
    isFollowing,
  };
}
