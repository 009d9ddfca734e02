import { createHash, randomBytes } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { and, asc, eq, getTableColumns, gte, inArray, isNull, lte, ne, or } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  bidFiles,
  bids,
  criteria,
  eligibilityConditions,
  evaluationRedos,
  evaluationSignOffs,
  lots,
  openingFiles,
  openingRecords,
  organizations,
  panelDraws,
  panelMembers,
  panelSubmissions,
  panelSupplementaryDraws,
  qualificationResults,
  recruitments,
  scores,
  scoreSheets,
  users,
} from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import { createFileDecryptor } from '../../lib/sealing.ts';
import type { Storage } from '../../lib/storage.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { SignOffMails } from '../notifications/sign-offs.ts';
import type { DocumentQueue } from '../documents/queue.ts';
import type { AuditService } from '../audit/service.ts';
import {
  drawOfPosition,
  drawPanel as drawSeats,
  eligibleCandidates,
  isValidPanelSize,
  MIN_PANEL_SIZE,
  panelChangesIn,
  panelSequence,
  replacementFor,
  type Seat as DrawnSeat,
  supplementaryCandidates,
  vacantSeats,
} from './draw.ts';
import { recordConditionKey, recordsOf } from '../records/records.ts';
import { checkScoreSheet, computeEvaluation, OUTLIER_POINTS, type ScoreSheet } from './scoring.ts';

// The online evaluation (评审, SPEC §5, issue 5). The agent draws the panel; each expert declares
// conflicts before seeing any document; the chair reviews qualification; every expert scores the
// qualified bids alone and submits; only then is anyone shown the aggregated result; every expert
// confirms it and the inspector signs off.
//
// Invariant: every change to a panel's evaluation first locks the panel's draw row (FOR UPDATE),
// so a submission, a qualification change and a score edit never interleave.
//
// After an upheld challenge the agent may redo the evaluation (awards service): the recruitment's
// evaluation round goes up by one and the same panel reviews, scores, confirms and is signed off
// again. Everything here reads and writes the recruitment's current round only, and never
// touches the rows of an earlier round. The redo may replace named members (a conflict found by
// the challenge): they sit no more from the new round, and the sequence's next expert takes each
// seat, exactly as after a declared conflict (replaceSeat).
//
// Within a round the agent may replace a member who cannot serve, before it submits
// (replaceMember, through the same replaceMembers). Once the draw's sequence is exhausted a seat
// given up stays vacant and the evaluation cannot finish; the agent then makes a supplementary
// draw (补充抽取, draw.ts step 6), whose sequence continues the panel's: it fills the vacant
// seats at once, and later recusals after them.

export type Verdict = 'pass' | 'fail';

export interface DrawInput {
  size: number;
  specialties?: string[];
}

export interface SupplementaryDrawInput {
  reason: string;
}

export interface MemberReplacementInput {
  userId: string;
  reason: string;
}

export interface DeclarationInput {
  conflict: boolean;
  note: string;
}

export interface QualificationInput {
  results: Record<string, Verdict>;
  reason: string;
}

/** Who replaces panel members at a redo, in which (new) round, and why. */
export interface PanelReplacement {
  userIds: readonly string[];
  round: number;
  reason: string;
  actor: SignedInUser;
  origin: RequestOrigin;
}

export interface ScoresInput {
  scores: Record<string, number>;
  comment: string;
}

const notFound = () => new AppError('NOT_FOUND', '招募项目不存在');
const notMember = () => new AppError('NOT_PANEL_MEMBER', '您不是本项目评审委员会的成员');

type RecruitmentRow = typeof recruitments.$inferSelect;
/** A panel member with its submission of one round (both null before it submits in that round). */
type Seat = typeof panelMembers.$inferSelect & { submittedAt: Date | null; confirmedAt: Date | null };

/** SHA-256 over an expert's sheets, recorded at submission so a later change would show. */
function sheetsDigest(sheets: { bidId: string; scores: Record<string, number>; comment: string }[]): string {
  const canonical = [...sheets]
    .sort((a, b) => (a.bidId < b.bidId ? -1 : 1))
    .map((s) => [s.bidId, Object.entries(s.scores).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;

export function createEvaluationService({
  db,
  clock,
  audit,
  storage,
  documentQueue,
  mailer,
  signOffs,
  publicUrl,
  newSeed = () => randomBytes(32).toString('hex'),
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  storage: Pick<Storage, 'readSealedBidFile'>;
  /** each expert seated by a draw is told so, after the commit */
  mailer: Pick<Mailer, 'send'>;
  /** after commit: the inspector is mailed the evaluation to sign off once every expert has confirmed it */
  signOffs: Pick<SignOffMails, 'signOffWaiting'>;
  publicUrl: string;
  /** the evaluation report is issued once the sign-off has committed */
  documentQueue: DocumentQueue;
  /** 32 random bytes in hex; injected only so a test can recompute a known draw */
  newSeed?: () => string;
}) {
  async function recruitmentOf(id: string): Promise<RecruitmentRow> {
    const [row] = await db.select().from(recruitments).where(eq(recruitments.id, id));
    if (!row || !row.publishedAt) throw notFound();
    return row;
  }

  /**
   * Tells each expert just seated (by the draw, a replacement or a supplementary draw) its seat,
   * and that it declares conflicts before reading anything; the other members are not named.
   */
  async function notifySeated(recruitment: RecruitmentRow, seats: readonly { userId: string; order: number }[], how: string) {
    if (seats.length === 0) return;
    const experts = await db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, seats.map((seat) => seat.userId)));
    const link = `${publicUrl}/recruitments/${recruitment.id}/evaluation`;
    for (const { userId, order } of seats) {
      const expert = experts.find((e) => e.id === userId);
      if (!expert) continue;
      mailer.send({
        to: expert.email,
        subject: `【评审专家抽取】${recruitment.title}`,
        text: [
          `${expert.name}：`,
          '',
          `您已${how}为本项目评审委员会第 ${order} 位评审专家${order === 1 ? '（组长）' : ''}。`,
          '',
          `请登录平台核对响应单位名单并作出回避声明；声明无利害关系后方可阅读响应文件、进行评审：${link}`,
          '',
          '抽取结果和评审内容请予保密。',
        ].join('\n'),
      });
    }
  }

  function requireEvaluation(recruitment: RecruitmentRow) {
    if (recruitment.status !== 'evaluation') throw new AppError('NOT_IN_EVALUATION', '招募项目不在评审阶段，不能执行此操作');
  }

  async function drawOf(executor: Db | Tx, recruitmentId: string) {
    const [draw] = await executor.select().from(panelDraws).where(eq(panelDraws.recruitmentId, recruitmentId));
    return draw ?? null;
  }

  async function lockDraw(tx: Tx, recruitmentId: string) {
    const [draw] = await tx.select().from(panelDraws).where(eq(panelDraws.recruitmentId, recruitmentId)).for('update');
    if (!draw) throw new AppError('PANEL_NOT_DRAWN', '尚未抽取评审委员会');
    return draw;
  }

  /** The members who sit in `round` (schema: panel_members). */
  const sitsIn = (round: number) =>
    and(
      lte(panelMembers.fromRound, round),
      or(ne(panelMembers.status, 'recused'), gte(panelMembers.untilRound, round)),
    );

  /** The panel's members with their names and their submissions of `round`. */
  function membersInRound(executor: Db | Tx, round: number) {
    return executor
      .select({ ...getTableColumns(panelMembers), submittedAt: panelSubmissions.submittedAt, confirmedAt: panelSubmissions.confirmedAt, name: users.name })
      .from(panelMembers)
      .innerJoin(users, eq(users.id, panelMembers.userId))
      .leftJoin(panelSubmissions, and(eq(panelSubmissions.memberId, panelMembers.id), eq(panelSubmissions.round, round)))
      .$dynamic();
  }

  /** The expert's seat in the current round (a recused expert has none). */
  async function seatOf(executor: Db | Tx, recruitment: RecruitmentRow, userId: string): Promise<Seat | null> {
    const [member] = await membersInRound(executor, recruitment.evaluationRound).where(
      and(eq(panelMembers.recruitmentId, recruitment.id), eq(panelMembers.userId, userId), sitsIn(recruitment.evaluationRound)),
    );
    return member ?? null;
  }

  async function requireSeat(recruitment: RecruitmentRow, expert: SignedInUser): Promise<Seat> {
    if (expert.role !== 'expert') throw notMember();
    const member = await seatOf(db, recruitment, expert.id);
    if (!member) throw notMember();
    return member;
  }

  function requireServing(member: Seat) {
    if (member.status !== 'serving') throw new AppError('DECLARATION_REQUIRED', '请先作出回避声明');
  }

  /** Who may look: the recruitment's agent, any inspector, and the panel's seated experts. */
  async function viewerAccess(recruitment: RecruitmentRow, viewer: SignedInUser): Promise<Seat | null> {
    if (viewer.role === 'inspector') return null;
    if (viewer.role === 'agent' && viewer.id === recruitment.agentId) return null;
    if (viewer.role === 'expert') return requireSeat(recruitment, viewer);
    throw new AppError('FORBIDDEN', '只有本项目的经办人、纪检监督员和评审专家可以查看评审');
  }

  async function seatedMembers(executor: Db | Tx, recruitmentId: string, round: number) {
    return membersInRound(executor, round)
      .where(and(eq(panelMembers.recruitmentId, recruitmentId), sitsIn(round)))
      .orderBy(asc(panelMembers.seat));
  }

  /** The supplementary draws made for the panel, in order. */
  function supplementaryDrawsOf(executor: Db | Tx, recruitmentId: string) {
    return executor
      .select()
      .from(panelSupplementaryDraws)
      .where(eq(panelSupplementaryDraws.recruitmentId, recruitmentId))
      .orderBy(asc(panelSupplementaryDraws.number));
  }

  /**
   * The one rule for filling a seat: the first expert of the panel's sequence (the draw's, then
   * each supplementary draw's) not yet drawn takes seat `order` from `round`; null when the
   * sequence is exhausted. The caller holds the draw's lock.
   */
  async function fillSeat(tx: Tx, draw: typeof panelDraws.$inferSelect, order: number, round: number) {
    const recruitmentId = draw.recruitmentId;
    const [drawn, supplementary] = await Promise.all([
      tx.select({ position: panelMembers.position }).from(panelMembers).where(eq(panelMembers.recruitmentId, recruitmentId)),
      supplementaryDrawsOf(tx, recruitmentId),
    ]);
    const replacement = replacementFor(panelSequence([draw, ...supplementary]), drawn.length, order);
    if (replacement) {
      await tx
        .insert(panelMembers)
        .values({ recruitmentId, userId: replacement.userId, position: replacement.position, seat: replacement.order, fromRound: round });
    }
    return replacement;
  }

  /**
   * The seat of `member` (already recused) goes to the sequence's next expert from `round`; with
   * the sequence exhausted it stays vacant until a supplementary draw. Either way audited.
   */
  async function replaceSeat(
    tx: Tx,
    draw: typeof panelDraws.$inferSelect,
    member: { userId: string; seat: number },
    { round, reason, actor, origin }: { round: number; reason?: string; actor: SignedInUser; origin: RequestOrigin },
  ) {
    const recruitmentId = draw.recruitmentId;
    const replacement = await fillSeat(tx, draw, member.seat, round);
    await audit.record(tx, {
      actor,
      action: replacement ? 'panel.replace' : 'panel.seat_vacant',
      target: `recruitment:${recruitmentId}`,
      recruitmentId,
      ip: origin.ip,
      details: { recused: member.userId, order: member.seat, replacement, round, ...(reason === undefined ? {} : { reason }) },
    });
    return replacement && { userId: replacement.userId, order: replacement.order };
  }

  /** The seated members named, in the order given; NOT_ON_PANEL for anyone else, DUPLICATE_MEMBER for a repeat. */
  async function membersToReplace(executor: Db | Tx, recruitmentId: string, round: number, userIds: readonly string[]) {
    if (new Set(userIds).size !== userIds.length) throw new AppError('DUPLICATE_MEMBER', '同一名评审专家不能重复选择', 'replace');
    if (userIds.length === 0) return [];
    const seated = await membersInRound(executor, round).where(
      and(eq(panelMembers.recruitmentId, recruitmentId), sitsIn(round), inArray(panelMembers.userId, [...userIds])),
    );
    return userIds.map((userId) => {
      const member = seated.find((m) => m.userId === userId);
      if (!member) throw new AppError('NOT_ON_PANEL', '所选专家不是本项目评审委员会的在任成员', 'replace');
      return member;
    });
  }

  /** The seats a redo would replace, refused before anything changes (see replaceMembers). */
  async function checkReplacement(recruitmentId: string, userIds: readonly string[]) {
    const recruitment = await recruitmentOf(recruitmentId);
    return (await membersToReplace(db, recruitmentId, recruitment.evaluationRound, userIds)).map((member) => member.seat);
  }

  /**
   * Inside the caller's transaction (a redo's, where `round` is the new round, or
   * replaceMember's): each named member seated in `round` sits no more from it, its seat going to
   * the sequence's next expert, who declares like any drawn expert (or, the sequence exhausted,
   * staying vacant). The members' rows of earlier rounds stay as they were.
   */
  async function replaceMembers(tx: Tx, recruitmentId: string, { userIds, round, reason, actor, origin }: PanelReplacement) {
    if (userIds.length === 0) return [];
    const draw = await lockDraw(tx, recruitmentId);
    const members = await membersToReplace(tx, recruitmentId, round, userIds);
    const replaced = [];
    for (const member of members) {
      const untilRound = member.fromRound < round ? round - 1 : null;
      await tx.update(panelMembers).set({ status: 'recused', untilRound, replacedReason: reason }).where(eq(panelMembers.id, member.id));
      const replacement = await replaceSeat(tx, draw, member, { round, reason, actor, origin });
      replaced.push({ userId: member.userId, order: member.seat, replacement });
    }
    return replaced;
  }

  /** What the agent's changes to a drawn panel first check: a stated reason, the recruitment's own agent, the evaluation stage. */
  async function agentChange(recruitmentId: string, reasonText: string, agent: SignedInUser, what: string) {
    const reason = reasonText.trim();
    if (!reason) throw new AppError('REASON_REQUIRED', `${what}须说明原因`, 'reason');
    const recruitment = await recruitmentOf(recruitmentId);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', `只有该招募项目的经办人可以${what}`);
    requireEvaluation(recruitment);
    return { reason, recruitment };
  }

  /**
   * The agent replaces a member who cannot serve (illness, a conflict found later, an account
   * closed) before it has submitted in the current round; its drafts of the round no longer
   * count. The seat goes to the sequence's next expert, or waits for a supplementary draw.
   */
  async function replaceMember(recruitmentId: string, input: MemberReplacementInput, agent: SignedInUser, origin: RequestOrigin) {
    const { reason, recruitment } = await agentChange(recruitmentId, input.reason, agent, '更换评审专家');
    const round = recruitment.evaluationRound;
    const [replaced] = await db.transaction(async (tx) => {
      await lockDraw(tx, recruitmentId);
      const [member] = await membersToReplace(tx, recruitmentId, round, [input.userId]);
      if (member?.submittedAt) throw new AppError('SCORES_SUBMITTED', '该专家已提交本轮评分，不能更换', 'userId');
      return replaceMembers(tx, recruitmentId, { userIds: [input.userId], round, reason, actor: agent, origin });
    });
    const { order, replacement } = replaced!;
    const [expert] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, input.userId));
    mailer.send({
      to: expert!.email,
      subject: `【评审专家更换】${recruitment.title}`,
      text: `${expert!.name}：\n\n自即日起您不再担任本项目评审委员会第 ${order} 位评审专家，本轮尚未提交的评分不再计入。\n\n更换原因：${reason}`,
    });
    if (replacement) await notifySeated(recruitment, [replacement], '按抽取序列递补');
    return { userId: input.userId, order, replacement, vacant: replacement === null };
  }

  /** The bids under evaluation (opened with a verified digest, in a lot that did not fail), with their review in `round`. */
  async function evaluatedBids(executor: Db | Tx, recruitmentId: string, round: number) {
    return executor
      .select({
        record: openingRecords,
        lotName: lots.name,
        qualification: qualificationResults,
      })
      .from(openingRecords)
      .innerJoin(lots, and(eq(lots.recruitmentId, openingRecords.recruitmentId), eq(lots.key, openingRecords.lotKey)))
      .leftJoin(qualificationResults, and(eq(qualificationResults.bidId, openingRecords.bidId), eq(qualificationResults.round, round)))
      .where(and(eq(openingRecords.recruitmentId, recruitmentId), eq(openingRecords.digestVerified, true), eq(lots.status, 'open')))
      .orderBy(asc(lots.position), asc(openingRecords.position));
  }

  async function evaluatedBid(executor: Db | Tx, recruitment: RecruitmentRow, bidId: string) {
    const found = (await evaluatedBids(executor, recruitment.id, recruitment.evaluationRound)).find((row) => row.record.bidId === bidId);
    if (!found) throw new AppError('NOT_FOUND', '该响应文件不在本项目的评审范围内');
    return found;
  }

  /** Step 1 of the draw as the pool stands now: the candidates, and the bidders' USCCs excluded. */
  async function candidatesNow(recruitmentId: string, specialties: readonly string[]) {
    const pool = await db
      .select({ id: users.id, specialties: users.specialties, affiliationUscc: users.affiliationUscc, active: users.active })
      .from(users)
      .where(eq(users.role, 'expert'));
    // every organisation that bid, withdrawn bids included: a past bidder is still an interest
    const bidderUscc = [
      ...new Set(
        (
          await db
            .select({ uscc: organizations.uscc })
            .from(bids)
            .innerJoin(organizations, eq(organizations.id, bids.organizationId))
            .where(eq(bids.recruitmentId, recruitmentId))
        ).map((row) => row.uscc),
      ),
    ].sort();
    return { candidates: eligibleCandidates(pool, { specialties, bidderUscc }), bidderUscc };
  }

  async function drawPanel(recruitmentId: string, input: DrawInput, agent: SignedInUser, origin: RequestOrigin) {
    if (!isValidPanelSize(input.size)) {
      throw new AppError('PANEL_SIZE_INVALID', `评审委员会人数须为不少于 ${MIN_PANEL_SIZE} 的单数`, 'size');
    }
    const specialties = [...new Set((input.specialties ?? []).map((s) => s.trim()).filter(Boolean))];
    const recruitment = await recruitmentOf(recruitmentId);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以抽取评审专家');
    requireEvaluation(recruitment);
    if (await drawOf(db, recruitmentId)) throw new AppError('PANEL_ALREADY_DRAWN', '本项目已抽取评审委员会');
    const { candidates, bidderUscc } = await candidatesNow(recruitmentId, specialties);
    if (candidates.length < input.size) {
      throw new AppError('NOT_ENOUGH_EXPERTS', `符合条件的专家只有 ${candidates.length} 名，不足 ${input.size} 名`, 'size');
    }
    const seed = newSeed();
    const seats = drawSeats(seed, candidates, input.size);
    await db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(panelDraws)
        .values({ recruitmentId, seed, candidates, specialties, size: input.size, drawnAt: clock.now(), drawnBy: agent.id })
        .onConflictDoNothing()
        .returning({ recruitmentId: panelDraws.recruitmentId });
      if (!inserted) throw new AppError('PANEL_ALREADY_DRAWN', '本项目已抽取评审委员会');
      await tx.insert(panelMembers).values(seats.map((s) => ({ recruitmentId, userId: s.userId, position: s.position, seat: s.order })));
      await audit.record(tx, {
        actor: agent,
        action: 'panel.draw',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: { seed, candidates, size: input.size, specialties, excludedUscc: bidderUscc, members: seats },
      });
    });
    await notifySeated(recruitment, seats, '被随机抽取');
    const seated = await seatedMembers(db, recruitmentId, recruitment.evaluationRound);
    return {
      seed,
      members: seated.map((member) => ({ userId: member.userId, name: member.name, order: member.seat })),
    };
  }

  /**
   * The supplementary draw (补充抽取, draw.ts step 6): only while a seat is vacant, which happens
   * only once the sequence is exhausted. The new sequence fills the vacant seats in seat order;
   * seats it cannot fill stay vacant.
   */
  async function supplementaryDraw(recruitmentId: string, input: SupplementaryDrawInput, agent: SignedInUser, origin: RequestOrigin) {
    const { reason, recruitment } = await agentChange(recruitmentId, input.reason, agent, '补充抽取评审专家');
    const draw = await drawOf(db, recruitmentId);
    if (!draw) throw new AppError('PANEL_NOT_DRAWN', '尚未抽取评审委员会');
    const { candidates: eligible, bidderUscc } = await candidatesNow(recruitmentId, draw.specialties);
    const seed = newSeed();
    const round = recruitment.evaluationRound;
    const result = await db.transaction(async (tx) => {
      const locked = await lockDraw(tx, recruitmentId);
      const members = await tx.select({ userId: panelMembers.userId, seat: panelMembers.seat, status: panelMembers.status }).from(panelMembers).where(eq(panelMembers.recruitmentId, recruitmentId));
      const vacant = vacantSeats(locked.size, members);
      if (vacant.length === 0) throw new AppError('NO_VACANT_SEAT', '评审委员会没有空缺席位，无需补充抽取');
      const candidates = supplementaryCandidates(eligible, members.map((member) => member.userId));
      if (candidates.length === 0) {
        throw new AppError('NOT_ENOUGH_EXPERTS', '专家库中没有未曾抽取且符合条件的专家，请先补充专家库');
      }
      const earlier = await supplementaryDrawsOf(tx, recruitmentId);
      const number = earlier.length + 1;
      await tx
        .insert(panelSupplementaryDraws)
        .values({ recruitmentId, number, seed, candidates, reason, drawnAt: clock.now(), drawnBy: agent.id });
      const filled: DrawnSeat[] = [];
      for (const order of vacant) {
        const seat = await fillSeat(tx, locked, order, round);
        if (seat) filled.push(seat);
      }
      const stillVacant = vacant.filter((order) => !filled.some((seat) => seat.order === order));
      await audit.record(tx, {
        actor: agent,
        action: 'panel.supplementary_draw',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: { number, seed, candidates, reason, round, excludedUscc: bidderUscc, members: filled, vacantSeats: stillVacant },
      });
      return { number, filled, stillVacant };
    });
    await notifySeated(recruitment, result.filled, `经第 ${result.number} 次补充抽取递补`);
    const seated = await seatedMembers(db, recruitmentId, round);
    return {
      number: result.number,
      seed,
      members: result.filled.map((seat) => ({
        userId: seat.userId,
        name: seated.find((member) => member.userId === seat.userId)?.name ?? '',
        order: seat.order,
      })),
      vacantSeats: result.stillVacant,
    };
  }

  async function declare(recruitmentId: string, input: DeclarationInput, expert: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    await requireSeat(recruitment, expert);
    const note = input.note.trim();
    if (input.conflict && !note) throw new AppError('NOTE_REQUIRED', '申请回避须说明利害关系', 'note');
    requireEvaluation(recruitment);
    const declared = await db.transaction(async (tx) => {
      const draw = await lockDraw(tx, recruitmentId);
      const member = await seatOf(tx, recruitment, expert.id);
      if (!member) throw notMember();
      if (member.status !== 'pending') throw new AppError('ALREADY_DECLARED', '您已作出回避声明');
      const now = clock.now();
      await tx
        .update(panelMembers)
        .set({ status: input.conflict ? 'recused' : 'serving', declaredAt: now, declarationNote: note })
        .where(eq(panelMembers.id, member.id));
      await audit.record(tx, {
        actor: expert,
        action: 'panel.declare',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: { conflict: input.conflict, note, order: member.seat },
      });
      if (!input.conflict) return { status: 'serving' as const, replacement: null };
      const replacement = await replaceSeat(tx, draw, member, { round: recruitment.evaluationRound, actor: expert, origin });
      return { status: 'recused' as const, replacement };
    });
    if (declared.replacement) await notifySeated(recruitment, [declared.replacement], '按抽取序列递补');
    return declared;
  }

  async function reviewQualification(
    recruitmentId: string,
    bidId: string,
    input: QualificationInput,
    chair: SignedInUser,
    origin: RequestOrigin,
  ) {
    const recruitment = await recruitmentOf(recruitmentId);
    const member = await requireSeat(recruitment, chair);
    if (member.seat !== 1) throw new AppError('NOT_CHAIR', '资格审查由评审委员会组长（第 1 位）记录');
    const conditions = await db
      .select({ key: eligibilityConditions.key })
      .from(eligibilityConditions)
      .where(eq(eligibilityConditions.recruitmentId, recruitmentId));
    const keys = conditions.map((c) => c.key);
    const given = Object.keys(input.results);
    if (keys.some((key) => !given.includes(key)) || given.some((key) => !keys.includes(key))) {
      throw new AppError('QUALIFICATION_INCOMPLETE', '须对每一项资格条件给出“通过”或“不通过”', 'results');
    }
    const qualified = Object.values(input.results).every((verdict) => verdict === 'pass');
    const reason = input.reason.trim();
    if (!qualified && !reason) throw new AppError('REASON_REQUIRED', '判定不通过须说明理由', 'reason');
    requireEvaluation(recruitment);
    requireServing(member);
    const round = recruitment.evaluationRound;
    await db.transaction(async (tx) => {
      await lockDraw(tx, recruitmentId);
      await evaluatedBid(tx, recruitment, bidId);
      const members = await seatedMembers(tx, recruitmentId, round);
      if (members.some((m) => m.submittedAt)) {
        throw new AppError('QUALIFICATION_LOCKED', '已有专家提交评分，资格审查结果不能再修改');
      }
      const values = { results: input.results, qualified, reason, reviewedBy: chair.id, reviewedAt: clock.now() };
      await tx
        .insert(qualificationResults)
        .values({ bidId, round, recruitmentId, ...values })
        .onConflictDoUpdate({ target: [qualificationResults.bidId, qualificationResults.round], set: values });
      // a disqualified bid is not scored: this round's drafts for it go (nobody has submitted yet)
      if (!qualified) {
        await tx.delete(scores).where(and(eq(scores.bidId, bidId), eq(scores.round, round)));
        await tx.delete(scoreSheets).where(and(eq(scoreSheets.bidId, bidId), eq(scoreSheets.round, round)));
      }
      await audit.record(tx, {
        actor: chair,
        action: 'qualification.review',
        target: `bid:${bidId}`,
        recruitmentId,
        ip: origin.ip,
        details: { results: input.results, qualified, reason, round },
      });
    });
    return { bidId, qualified };
  }

  async function criteriaOf(recruitmentId: string) {
    return db
      .select({ key: criteria.key, name: criteria.name, maxScore: criteria.maxScore, description: criteria.description })
      .from(criteria)
      .where(eq(criteria.recruitmentId, recruitmentId))
      .orderBy(asc(criteria.position));
  }

  async function saveScores(recruitmentId: string, bidId: string, input: ScoresInput, expert: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    const member = await requireSeat(recruitment, expert);
    const rubric = await criteriaOf(recruitmentId);
    const [fault, ...more] = checkScoreSheet(rubric, input.scores);
    if (fault) throw AppError.fromViolations([fault, ...more]);
    requireEvaluation(recruitment);
    requireServing(member);
    const round = recruitment.evaluationRound;
    await db.transaction(async (tx) => {
      await lockDraw(tx, recruitmentId);
      const { qualification } = await evaluatedBid(tx, recruitment, bidId);
      if (!qualification) throw new AppError('QUALIFICATION_PENDING', '该响应文件尚未完成资格审查');
      if (!qualification.qualified) throw new AppError('BID_DISQUALIFIED', '该响应文件未通过资格审查，不参加评分');
      const current = await seatOf(tx, recruitment, expert.id);
      if (current?.submittedAt) throw new AppError('SCORES_SUBMITTED', '您的评分已提交，不能再修改');
      await tx.delete(scores).where(and(eq(scores.expertId, expert.id), eq(scores.bidId, bidId), eq(scores.round, round)));
      await tx
        .insert(scores)
        .values(
          rubric.map((c) => ({ recruitmentId, bidId, expertId: expert.id, round, criterionKey: c.key, score: input.scores[c.key] as number })),
        );
      const sheet = { comment: input.comment.trim(), updatedAt: clock.now() };
      await tx
        .insert(scoreSheets)
        .values({ recruitmentId, bidId, expertId: expert.id, round, ...sheet })
        .onConflictDoUpdate({ target: [scoreSheets.expertId, scoreSheets.bidId, scoreSheets.round], set: sheet });
      // the values stay out of the log until submission: the agent reads the log as it goes
      await audit.record(tx, { actor: expert, action: 'score.save', target: `bid:${bidId}`, recruitmentId, ip: origin.ip });
    });
    return { bidId, saved: true };
  }

  /** The comment alone, which stays open after submission: it is the outlier's justification. */
  async function saveComment(recruitmentId: string, bidId: string, comment: string, expert: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    const member = await requireSeat(recruitment, expert);
    requireEvaluation(recruitment);
    requireServing(member);
    await db.transaction(async (tx) => {
      await lockDraw(tx, recruitmentId);
      const current = await seatOf(tx, recruitment, expert.id);
      if (current?.confirmedAt) throw new AppError('ALREADY_CONFIRMED', '您已确认评审结果，不能再修改意见');
      const [row] = await tx
        .update(scoreSheets)
        .set({ comment: comment.trim(), updatedAt: clock.now() })
        .where(and(eq(scoreSheets.expertId, expert.id), eq(scoreSheets.bidId, bidId), eq(scoreSheets.round, recruitment.evaluationRound)))
        .returning({ bidId: scoreSheets.bidId });
      if (!row) throw new AppError('SCORES_MISSING', '请先为该响应文件评分');
      await audit.record(tx, { actor: expert, action: 'score.comment', target: `bid:${bidId}`, recruitmentId, ip: origin.ip });
    });
    return { bidId, saved: true };
  }

  /** The expert's sheets of the current round. */
  async function ownSheets(executor: Db | Tx, recruitment: RecruitmentRow, expertId: string) {
    const round = recruitment.evaluationRound;
    const [sheetRows, scoreRows] = await Promise.all([
      executor
        .select()
        .from(scoreSheets)
        .where(and(eq(scoreSheets.recruitmentId, recruitment.id), eq(scoreSheets.expertId, expertId), eq(scoreSheets.round, round))),
      executor.select().from(scores).where(and(eq(scores.recruitmentId, recruitment.id), eq(scores.expertId, expertId), eq(scores.round, round))),
    ]);
    return sheetRows.map((sheet) => ({
      bidId: sheet.bidId,
      comment: sheet.comment,
      updatedAt: sheet.updatedAt,
      scores: Object.fromEntries(scoreRows.filter((s) => s.bidId === sheet.bidId).map((s) => [s.criterionKey, s.score])),
    }));
  }

  async function myScores(recruitmentId: string, expert: SignedInUser) {
    const recruitment = await recruitmentOf(recruitmentId);
    await requireSeat(recruitment, expert);
    return ownSheets(db, recruitment, expert.id);
  }

  async function submitScores(recruitmentId: string, expert: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    const member = await requireSeat(recruitment, expert);
    requireEvaluation(recruitment);
    requireServing(member);
    const round = recruitment.evaluationRound;
    const rubric = await criteriaOf(recruitmentId);
    return db.transaction(async (tx) => {
      const draw = await lockDraw(tx, recruitmentId);
      const current = await seatOf(tx, recruitment, expert.id);
      if (current?.submittedAt) throw new AppError('SCORES_SUBMITTED', '您的评分已提交');
      const evaluated = await evaluatedBids(tx, recruitmentId, round);
      if (evaluated.some((row) => !row.qualification)) throw new AppError('QUALIFICATION_PENDING', '资格审查尚未完成，不能提交评分');
      const sheets = await ownSheets(tx, recruitment, expert.id);
      const qualified = evaluated.filter((row) => row.qualification?.qualified);
      const unscored = qualified.filter(
        (row) => Object.keys(sheets.find((s) => s.bidId === row.record.bidId)?.scores ?? {}).length !== rubric.length,
      );
      if (unscored.length > 0) {
        throw new AppError('SCORES_MISSING', `尚有 ${unscored.length} 份响应文件未评分：${unscored.map((r) => r.record.organizationName).join('、')}`);
      }
      await tx.insert(panelSubmissions).values({ memberId: member.id, round, recruitmentId, submittedAt: clock.now() });
      await audit.record(tx, {
        actor: expert,
        action: 'score.submit',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: { bids: qualified.length, digest: sheetsDigest(sheets), round },
      });
      const members = await seatedMembers(tx, recruitmentId, round);
      return { submitted: true, allSubmitted: members.length === draw.size && members.every((m) => m.submittedAt) };
    });
  }

  /** The inspector's sign-off of `round`, or null. */
  async function signOffOf(recruitmentId: string, round: number) {
    const [row] = await db
      .select()
      .from(evaluationSignOffs)
      .where(and(eq(evaluationSignOffs.recruitmentId, recruitmentId), eq(evaluationSignOffs.round, round)));
    return row ? { at: row.signedOffAt, comment: row.comment, chainHead: row.chainHead, chainOk: row.chainOk } : null;
  }

  /** The redo that began `round`, or null for round 1. */
  async function redoOf(recruitmentId: string, round: number) {
    const [redo] = await db
      .select({ round: evaluationRedos.round, reason: evaluationRedos.reason, at: evaluationRedos.redoneAt })
      .from(evaluationRedos)
      .where(and(eq(evaluationRedos.recruitmentId, recruitmentId), eq(evaluationRedos.round, round)));
    return redo ?? null;
  }

  /**
   * The whole result of `round`, once every seat has submitted in it; otherwise SCORES_PENDING
   * (409) for everyone.
   */
  async function buildEvaluation(recruitment: RecruitmentRow, round = recruitment.evaluationRound) {
    const draw = await drawOf(db, recruitment.id);
    if (!draw) throw new AppError('PANEL_NOT_DRAWN', '尚未抽取评审委员会');
    const members = await seatedMembers(db, recruitment.id, round);
    const submitted = members.filter((member) => member.submittedAt).length;
    if (members.length < draw.size || submitted < draw.size) {
      throw new AppError('SCORES_PENDING', `评审专家尚未全部提交评分（已提交 ${submitted}/${draw.size}），评审结果暂不公开`);
    }
    const [rubric, lotRows, evaluated, sheetRows, scoreRows, signOff, redo, everyMember, supplementary] = await Promise.all([
      criteriaOf(recruitment.id),
      db.select().from(lots).where(eq(lots.recruitmentId, recruitment.id)).orderBy(asc(lots.position)),
      evaluatedBids(db, recruitment.id, round),
      db.select().from(scoreSheets).where(and(eq(scoreSheets.recruitmentId, recruitment.id), eq(scoreSheets.round, round))),
      db.select().from(scores).where(and(eq(scores.recruitmentId, recruitment.id), eq(scores.round, round))),
      signOffOf(recruitment.id, round),
      redoOf(recruitment.id, round),
      membersInRound(db, round).where(eq(panelMembers.recruitmentId, recruitment.id)),
      supplementaryDrawsOf(db, recruitment.id),
    ]);
    const panel = members.map((member) => member.userId);
    const nameOf = (userId: string) => everyMember.find((member) => member.userId === userId)?.name ?? userId;
    const sheetsFor = (bidId: string): Record<string, ScoreSheet> =>
      Object.fromEntries(
        panel.flatMap((expertId) => {
          const sheet = sheetRows.find((s) => s.bidId === bidId && s.expertId === expertId);
          if (!sheet) return [];
          const own = scoreRows.filter((s) => s.bidId === bidId && s.expertId === expertId);
          return [[expertId, { comment: sheet.comment, scores: Object.fromEntries(own.map((s) => [s.criterionKey, s.score])) }]];
        }),
      );
    const qualified = evaluated.filter((row) => row.qualification?.qualified);
    const result = computeEvaluation({
      criteria: rubric,
      panel,
      quotas: Object.fromEntries(lotRows.map((lot) => [lot.key, lot.quota])),
      bids: qualified.map(({ record }) => ({
        bidId: record.bidId,
        lot: record.lotKey,
        publicBenefitRatio: record.publicBenefitRatio ?? 0,
        receivedAt: record.submittedAt,
        sheets: sheetsFor(record.bidId),
      })),
    });
    return {
      recruitmentId: recruitment.id,
      title: recruitment.title,
      owner: recruitment.owner,
      status: recruitment.status,
      round,
      redo,
      seed: draw.seed,
      outlierPoints: OUTLIER_POINTS,
      members: members.map((member) => ({
        userId: member.userId,
        name: member.name,
        order: member.seat,
        submittedAt: member.submittedAt,
        confirmedAt: member.confirmedAt,
      })),
      panelChanges: panelChangesIn(round, everyMember, [draw, ...supplementary], draw.size).map((change) => ({ ...change, name: nameOf(change.userId) })),
      criteria: rubric,
      lots: lotRows.map(({ key, name, quota, status }) => ({ key, name, quota, status })),
      bids: evaluated.map(({ record, lotName, qualification }) => {
        const computed = result.bids.find((b) => b.bidId === record.bidId);
        const sheets = computed ? sheetsFor(record.bidId) : {};
        return {
          bidId: record.bidId,
          lot: record.lotKey,
          lotName,
          organization: record.organizationName,
          publicBenefitRatio: record.publicBenefitRatio,
          submittedAt: record.submittedAt,
          qualified: qualification?.qualified ?? false,
          qualification: qualification && { results: qualification.results, reason: qualification.reason },
          totals: computed?.totals ?? {},
          median: computed?.median ?? null,
          mean: computed?.mean ?? null,
          rank: computed?.rank ?? null,
          recommended: computed?.recommended ?? false,
          tieBrokenBy: computed?.tieBrokenBy ?? null,
          flags: (computed?.flags ?? []).map(({ expertId, ...flag }) => ({ ...flag, userId: expertId })),
          scores: Object.fromEntries(Object.entries(sheets).map(([expertId, sheet]) => [expertId, sheet.scores])),
          comments: Object.fromEntries(Object.entries(sheets).map(([expertId, sheet]) => [expertId, sheet.comment])),
        };
      }),
      identicalVectors: result.identicalVectors,
      signOff,
    };
  }

  async function getEvaluation(recruitmentId: string, viewer: SignedInUser) {
    const recruitment = await recruitmentOf(recruitmentId);
    await viewerAccess(recruitment, viewer);
    return buildEvaluation(recruitment);
  }

  /**
   * Everything the evaluation report (评审报告) of `round` (by default the current one) shows, for
   * the documents and awards areas; no viewer check.
   */
  async function evaluationReport(recruitmentId: string, round?: number) {
    const recruitment = await recruitmentOf(recruitmentId);
    return buildEvaluation(recruitment, round ?? recruitment.evaluationRound);
  }

  async function confirmEvaluation(recruitmentId: string, expert: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    const member = await requireSeat(recruitment, expert);
    requireEvaluation(recruitment);
    requireServing(member);
    const evaluation = await buildEvaluation(recruitment);
    const pending = evaluation.bids.filter((bid) => bid.flags.some((flag) => flag.userId === expert.id && !flag.justified));
    if (pending.length > 0) {
      throw new AppError(
        'JUSTIFICATION_REQUIRED',
        `您对 ${pending.map((b) => b.organization).join('、')} 的总分偏离评审委员会中位数超过 ${OUTLIER_POINTS} 分，请先填写书面理由再确认`,
      );
    }
    const allConfirmed = await db.transaction(async (tx) => {
      const draw = await lockDraw(tx, recruitmentId);
      const [row] = await tx
        .update(panelSubmissions)
        .set({ confirmedAt: clock.now() })
        .where(
          and(eq(panelSubmissions.memberId, member.id), eq(panelSubmissions.round, evaluation.round), isNull(panelSubmissions.confirmedAt)),
        )
        .returning({ confirmedAt: panelSubmissions.confirmedAt });
      if (!row) throw new AppError('ALREADY_CONFIRMED', '您已确认评审结果');
      await audit.record(tx, {
        actor: expert,
        action: 'evaluation.confirm',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: { round: evaluation.round },
      });
      // under the draw's lock: of two last confirmations at once, the second sees the first
      const members = await seatedMembers(tx, recruitmentId, evaluation.round);
      return members.length === draw.size && members.every((m) => m.confirmedAt);
    });
    if (allConfirmed) await signOffs.signOffWaiting({ kind: 'evaluation', recruitmentId, round: evaluation.round });
    return { confirmed: true };
  }

  /**
   * The inspector signs the evaluation off, recording the audit chain head seen. The recruitment
   * stays in `evaluation`: the agent announces the candidates next (POST …/publicity), which
   * requires this sign-off.
   */
  async function signOff(recruitmentId: string, comment: string, inspector: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    if (recruitment.inspectorId !== inspector.id) throw new AppError('FORBIDDEN', '只有本项目指定的纪检监督员可以签字确认');
    requireEvaluation(recruitment);
    const evaluation = await buildEvaluation(recruitment);
    if (evaluation.signOff) throw new AppError('ALREADY_SIGNED_OFF', '评审已签字确认');
    const unconfirmed = evaluation.members.filter((m) => !m.confirmedAt);
    if (unconfirmed.length > 0) {
      throw new AppError('CONFIRMATIONS_PENDING', `尚有 ${unconfirmed.length} 名评审专家未确认评审结果`);
    }
    const chain = await audit.verifyChain();
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(evaluationSignOffs)
        .values({
          recruitmentId,
          round: evaluation.round,
          signedOffAt: clock.now(),
          signedOffBy: inspector.id,
          comment: comment.trim(),
          chainHead: chain.head,
          chainSeq: chain.entries,
          chainOk: chain.ok,
        })
        .onConflictDoNothing()
        .returning({ recruitmentId: evaluationSignOffs.recruitmentId });
      if (!row) throw new AppError('ALREADY_SIGNED_OFF', '评审已签字确认');
      await audit.record(tx, {
        actor: inspector,
        action: 'evaluation.sign_off',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: {
          chainHead: chain.head,
          chainOk: chain.ok,
          comment: comment.trim(),
          round: evaluation.round,
          ranking: evaluation.bids.map(({ bidId, lot, mean, rank, recommended }) => ({ bidId, lot, mean, rank, recommended })),
        },
      });
    });
    documentQueue.schedule(recruitmentId);
    return { status: recruitment.status, signedOff: true, chainHead: chain.head, chainOk: chain.ok };
  }

  /**
   * The panel as each participant may see it in the current round: members and progress, the
   * bidders, the documents, and why the evaluation is being redone when it is.
   */
  async function getPanel(recruitmentId: string, viewer: SignedInUser) {
    const recruitment = await recruitmentOf(recruitmentId);
    const seat = await viewerAccess(recruitment, viewer);
    const round = recruitment.evaluationRound;
    const draw = await drawOf(db, recruitmentId);
    const [allMembers, supplementary, evaluated, signOff, redo] = await Promise.all([
      membersInRound(db, round).where(eq(panelMembers.recruitmentId, recruitmentId)).orderBy(asc(panelMembers.position)),
      supplementaryDrawsOf(db, recruitmentId),
      evaluatedBids(db, recruitmentId, round),
      signOffOf(recruitmentId, round),
      redoOf(recruitmentId, round),
    ]);
    // the centre's own record of each bidder, read beside the condition on serious violations
    const [records, conditions] = await Promise.all([
      recordsOf(db, [...new Set(evaluated.map(({ record }) => record.organizationId))], publicUrl),
      db.select({ key: eligibilityConditions.key, text: eligibilityConditions.text }).from(eligibilityConditions).where(eq(eligibilityConditions.recruitmentId, recruitmentId)).orderBy(asc(eligibilityConditions.position)),
    ]);
    // documents only once the expert has declared no conflict
    const readsDocuments = seat === null || seat.status === 'serving';
    const files = readsDocuments && evaluated.length > 0
      ? await db
          .select({ id: openingFiles.fileId, versionId: openingFiles.versionId, name: openingFiles.name, size: openingFiles.size, sha256: openingFiles.sha256 })
          .from(openingFiles)
          .where(eq(openingFiles.recruitmentId, recruitmentId))
          .orderBy(asc(openingFiles.position))
      : [];
    return {
      recruitmentId,
      status: recruitment.status,
      round,
      redo,
      draw: draw && {
        seed: draw.seed,
        size: draw.size,
        specialties: draw.specialties,
        candidates: draw.candidates,
        drawnAt: draw.drawnAt,
      },
      supplementaryDraws: supplementary.map(({ number, seed, candidates, reason, drawnAt }) => ({ number, seed, candidates, reason, drawnAt })),
      members: allMembers.map((member) => ({
        userId: member.userId,
        name: member.name,
        order: member.seat,
        position: member.position,
        status: member.status,
        declaredAt: member.declaredAt,
        note: member.declarationNote,
        fromRound: member.fromRound,
        /** 0: the panel draw; k: the k-th supplementary draw */
        drawNumber: draw ? drawOfPosition([draw, ...supplementary], member.position) : 0,
        untilRound: member.untilRound,
        replacedReason: member.replacedReason,
        submittedAt: member.submittedAt,
        confirmedAt: member.confirmedAt,
      })),
      // a recusal with the sequence exhausted leaves its seat empty until a supplementary draw
      vacantSeats: draw ? vacantSeats(draw.size, allMembers) : [],
      me: seat && { order: seat.seat, status: seat.status, chair: seat.seat === 1, submittedAt: seat.submittedAt, confirmedAt: seat.confirmedAt },
      bids: evaluated.map(({ record, lotName, qualification }) => ({
        bidId: record.bidId,
        lot: record.lotKey,
        lotName,
        organization: record.organizationName,
        publicBenefitRatio: record.publicBenefitRatio,
        submittedAt: record.submittedAt,
        qualification: qualification && {
          results: qualification.results,
          qualified: qualification.qualified,
          reason: qualification.reason,
          reviewedAt: qualification.reviewedAt,
        },
        files: files.filter((f) => f.versionId === record.versionId).map(({ id, name, size, sha256 }) => ({ id, name, size, sha256 })),
        centreRecords: records
          .filter((entry) => entry.organizationId === record.organizationId)
          .map(({ id, kind, kindLabel, summary, recordedAt, document, line }) => ({ id, kind, kindLabel, summary, recordedAt, document, line })),
      })),
      /** the eligibility condition the centre's records are read beside */
      recordConditionKey: recordConditionKey(conditions),
      signOff,
    };
  }

  /**
   * The rounds, up to the current one, in which `userId` sat on the panel having declared no
   * conflict: whose evaluation reports that expert may read, a member replaced at a redo included.
   */
  async function roundsServed(recruitmentId: string, userId: string): Promise<number[]> {
    const recruitment = await recruitmentOf(recruitmentId);
    const rounds = Array.from({ length: recruitment.evaluationRound }, (_, i) => i + 1);
    const served = await Promise.all(
      rounds.map(async (round) => {
        const [seat] = await db
          .select({ id: panelMembers.id })
          .from(panelMembers)
          .where(
            and(eq(panelMembers.recruitmentId, recruitmentId), eq(panelMembers.userId, userId), sitsIn(round), ne(panelMembers.status, 'pending')),
          );
        return seat ? [round] : [];
      }),
    );
    return served.flat();
  }

  async function listMyPanels(expert: SignedInUser) {
    return db
      .select({
        recruitmentId: recruitments.id,
        title: recruitments.title,
        status: recruitments.status,
        order: panelMembers.seat,
        memberStatus: panelMembers.status,
        untilRound: panelMembers.untilRound,
        replacedReason: panelMembers.replacedReason,
        round: recruitments.evaluationRound,
        submittedAt: panelSubmissions.submittedAt,
        confirmedAt: panelSubmissions.confirmedAt,
      })
      .from(panelMembers)
      .innerJoin(recruitments, eq(recruitments.id, panelMembers.recruitmentId))
      .leftJoin(panelSubmissions, and(eq(panelSubmissions.memberId, panelMembers.id), eq(panelSubmissions.round, recruitments.evaluationRound)))
      .where(eq(panelMembers.userId, expert.id))
      .orderBy(asc(recruitments.submissionDeadline));
  }

  /**
   * A bid document, decrypted with the data key kept at the opening, for the panel, the agent and
   * the inspector; every download is written to the audit log before a byte is sent.
   */
  async function openBidFile(recruitmentId: string, bidId: string, fileId: string, viewer: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    const seat = await viewerAccess(recruitment, viewer);
    if (seat) requireServing(seat);
    const [found] = await db
      .select({ file: bidFiles, opened: openingFiles, dataKey: openingRecords.openedDataKey })
      .from(openingRecords)
      .innerJoin(bidFiles, eq(bidFiles.versionId, openingRecords.versionId))
      .innerJoin(openingFiles, eq(openingFiles.fileId, bidFiles.id))
      .where(
        and(
          eq(openingRecords.recruitmentId, recruitmentId),
          eq(openingRecords.bidId, bidId),
          eq(openingRecords.digestVerified, true),
          eq(bidFiles.id, fileId),
        ),
      );
    if (!found?.dataKey) throw new AppError('NOT_FOUND', '文件不存在或尚未开启');
    const { file, opened } = found;
    // the stored file is reached first, so a download the storage cannot give is not audited as given
    const source = await storage.readSealedBidFile(recruitmentId, file.id);
    try {
      await audit.recordAlone({
        actor: viewer,
        action: 'bid.download',
        target: `bid:${bidId}`,
        recruitmentId,
        ip: origin.ip,
        details: { fileId, name: opened.name, sha256: opened.sha256 },
      });
    } catch (error) {
      source.destroy();
      throw error;
    }
    const decryptor = createFileDecryptor(Buffer.from(found.dataKey, 'base64'), file.id, file.iv, file.tag, opened.size);
    // an error on either side ends the response rather than sending a truncated file as whole
    const stream: Readable = pipeline(source, decryptor.transform, () => {});
    return { name: opened.name, size: opened.size, stream };
  }

  return {
    drawPanel,
    supplementaryDraw,
    declare,
    checkReplacement,
    replaceMembers,
    replaceMember,
    reviewQualification,
    saveScores,
    saveComment,
    myScores,
    submitScores,
    getEvaluation,
    evaluationReport,
    confirmEvaluation,
    signOff,
    getPanel,
    roundsServed,
    listMyPanels,
    openBidFile,
  };
}
