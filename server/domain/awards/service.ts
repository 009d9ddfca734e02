import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  awards,
  awardSignOffs,
  bids,
  candidates,
  challenges,
  evaluationRedos,
  evaluationSignOffs,
  lots,
  openingRecords,
  organizations,
  panelMembers,
  publicities,
  users,
} from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { ANNOUNCEMENT_LABELS, formatTime } from '../../lib/labels.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { DocumentQueue } from '../documents/queue.ts';
import type { AuditService } from '../audit/service.ts';
import type { EvaluationService } from '../evaluation/service.ts';
import type { AgentMails } from '../notifications/agent-mails.ts';
import type { SignOffMails } from '../notifications/sign-offs.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { openPartnerships } from '../partnerships/open.ts';
import { applyTransition } from '../recruitments/transition.ts';
import type { Recruitment } from '../recruitments/types.ts';
import { awardBlocker, candidatesOf, publicityEndsAt, publicityOpen, redoBlocker, type AwardBlocker, type RedoBlocker } from './rules.ts';

// Publicity, challenges and the award (公示、质疑、定标; SPEC §5, issue 6). The agent announces
// the candidates the signed-off evaluation recommends; bidders may challenge while publicity
// runs; once it has ended with every challenge answered and none upheld, the inspector signs
// the award off and the agent awards. When a challenge is upheld, the agent redoes the
// evaluation: a new round, whose candidates are announced in a publicity of their own.
// Publicity, candidates and challenges belong to a round; each action here works on the
// recruitment's current round.
//
// Invariant: raising, answering, the award sign-off and the redo lock the round's publicity row
// (FOR UPDATE), so a challenge can never slip in beside a sign-off or a redo that counted the
// challenges without it.

export interface AnswerInput {
  text: string;
  upheld: boolean;
}

const BLOCKER_MESSAGES: Record<AwardBlocker | RedoBlocker, string> = {
  PUBLICITY_NOT_ENDED: '公示期尚未结束',
  CHALLENGES_OPEN: '尚有未答复的质疑',
  CHALLENGE_UPHELD: '有质疑成立，不能定标：须重新评审（或终止本项目）',
  NO_UPHELD_CHALLENGE: '本轮公示没有成立的质疑，不能重新评审',
};

/** A recruitment and its current round: the publicity, candidates and challenges meant. */
type Round = Pick<Recruitment, 'id' | 'evaluationRound'>;

const notInPublicity = () => new AppError('NOT_IN_PUBLICITY', '招募项目不在结果公示阶段，不能执行此操作');

export type AwardService = ReturnType<typeof createAwardService>;

export function createAwardService({
  db,
  clock,
  audit,
  mailer,
  recruitments,
  evaluation,
  publicUrl,
  documentQueue,
  signOffs,
  agentMails,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  mailer: Mailer;
  recruitments: Pick<RecruitmentService, 'getRecruitment' | 'addAnnouncement' | 'notifyFollowersAndBidders'>;
  evaluation: Pick<EvaluationService, 'evaluationReport' | 'checkReplacement' | 'replaceMembers'>;
  publicUrl: string;
  /** notices and agreements are issued and mailed once the award has committed */
  documentQueue: DocumentQueue;
  /** after an answer: the award's sign-off may wait from now on, and the inspector is mailed it */
  signOffs: Pick<SignOffMails, 'awardMayWait'>;
  /** after commit: the agent is mailed a challenge */
  agentMails: Pick<AgentMails, 'arrived'>;
}) {
  async function ownRecruitment(id: string, agent: SignedInUser): Promise<Recruitment> {
    const recruitment = await recruitments.getRecruitment(id, agent);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以执行此操作');
    return recruitment;
  }

  const currentPublicity = (recruitment: Round) => and(eq(publicities.recruitmentId, recruitment.id), eq(publicities.round, recruitment.evaluationRound));

  async function publicityOf(executor: Db | Tx, recruitment: Round) {
    const [row] = await executor.select().from(publicities).where(currentPublicity(recruitment));
    return row ?? null;
  }

  async function lockPublicity(tx: Tx, recruitment: Round) {
    const [row] = await tx.select().from(publicities).where(currentPublicity(recruitment)).for('update');
    if (!row) throw notInPublicity();
    return row;
  }

  async function challengeStates(executor: Db | Tx, recruitment: Round) {
    return executor
      .select({ id: challenges.id, answeredAt: challenges.answeredAt, upheld: challenges.upheld })
      .from(challenges)
      .where(and(eq(challenges.recruitmentId, recruitment.id), eq(challenges.round, recruitment.evaluationRound)));
  }

  function refuseBlocked(blocker: AwardBlocker | RedoBlocker | null) {
    if (blocker) throw new AppError(blocker, BLOCKER_MESSAGES[blocker]);
  }

  async function lotNames(recruitmentId: string): Promise<Map<string, string>> {
    const rows = await db.select({ key: lots.key, name: lots.name }).from(lots).where(eq(lots.recruitmentId, recruitmentId));
    return new Map(rows.map((row) => [row.key, row.name]));
  }

  async function announceCandidates(id: string, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await ownRecruitment(id, agent);
    if (recruitment.status !== 'evaluation') throw new AppError('NOT_IN_EVALUATION', '只有评审阶段的招募项目可以公示中选候选人');
    const round = recruitment.evaluationRound;
    const [signOff] = await db
      .select()
      .from(evaluationSignOffs)
      .where(and(eq(evaluationSignOffs.recruitmentId, id), eq(evaluationSignOffs.round, round)));
    if (!signOff) throw new AppError('EVALUATION_NOT_SIGNED_OFF', '评审尚未经纪检监督员签字确认，不能公示中选候选人');
    const report = await evaluation.evaluationReport(id, round);
    const chosen = candidatesOf(report.bids);
    const records = chosen.length
      ? await db
          .select({ bidId: openingRecords.bidId, organizationId: openingRecords.organizationId, organizationName: openingRecords.organizationName })
          .from(openingRecords)
          .where(and(eq(openingRecords.recruitmentId, id), inArray(openingRecords.bidId, chosen.map((c) => c.bidId))))
      : [];
    const names = new Map(report.lots.map((lot) => [lot.key, lot.name]));
    const rows = chosen.map((candidate) => {
      const record = records.find((r) => r.bidId === candidate.bidId);
      if (!record) throw new Error(`no opening record for bid ${candidate.bidId}`);
      return { ...candidate, organizationId: record.organizationId, organizationName: record.organizationName };
    });
    const announcedAt = clock.now();
    const endsAt = publicityEndsAt(announcedAt, recruitment.publicityDays);
    const body = [
      `经评审委员会${round > 1 ? `重新评审（第 ${round} 轮）` : '评审'}、纪检监督员签字确认，现将中选候选人公示如下，公示期至 ${formatTime(endsAt)}。`,
      '',
      ...rows.map((c) => `- ${names.get(c.lot) ?? c.lot}：第 ${c.rank} 名 ${c.organizationName}（得分 ${c.score}）`),
      '',
      '参加本项目的响应单位对公示结果有异议的，可在公示期内登录平台在线提出质疑。',
    ].join('\n');
    const announcement = await db.transaction(async (tx) => {
      await applyTransition(tx, audit, recruitment, 'announceCandidates', agent, origin, {
        details: {
          round,
          publicityEndsAt: endsAt.toISOString(),
          candidates: rows.map(({ bidId, lot, rank, score }) => ({ bidId, lot, rank, score })),
        },
      });
      await tx.insert(publicities).values({ recruitmentId: id, round, announcedAt, announcedBy: agent.id, endsAt });
      if (rows.length > 0) {
        await tx.insert(candidates).values(
          rows.map((c) => ({
            recruitmentId: id,
            round,
            lotKey: c.lot,
            bidId: c.bidId,
            organizationId: c.organizationId,
            organizationName: c.organizationName,
            score: c.score,
            rank: c.rank,
            publicBenefitRatio: c.publicBenefitRatio,
          })),
        );
      }
      return recruitments.addAnnouncement(tx, id, agent, { kind: 'candidates', title: `中选候选人公示：${recruitment.title}`, body });
    });
    await recruitments.notifyFollowersAndBidders(recruitment, '中选候选人公示', body, `announcement-${announcement.number}`);
    return {
      status: 'publicity' as const,
      round,
      publicityEndsAt: endsAt,
      candidates: rows.map((c) => ({
        bidId: c.bidId,
        lot: c.lot,
        lotName: names.get(c.lot) ?? c.lot,
        organization: c.organizationName,
        score: c.score,
        rank: c.rank,
      })),
    };
  }

  async function raiseChallenge(id: string, text: string, bidder: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitments.getRecruitment(id, bidder);
    const [bid] = await db
      .select({ organizationId: organizations.id })
      .from(bids)
      .innerJoin(organizations, eq(organizations.id, bids.organizationId))
      .where(and(eq(bids.recruitmentId, id), eq(organizations.userId, bidder.id)))
      .limit(1);
    if (!bid) throw new AppError('NOT_A_BIDDER', '只有参加本项目的响应单位可以提出质疑');
    const closed = () => new AppError('PUBLICITY_CLOSED', '质疑只能在公示期内提出');
    if (recruitment.status !== 'publicity') throw closed();
    const raised = await db.transaction(async (tx) => {
      const publicity = await lockPublicity(tx, recruitment);
      const now = clock.now();
      if (!publicityOpen(now, publicity.endsAt)) throw closed();
      const [row] = await tx
        .insert(challenges)
        .values({
          recruitmentId: id,
          round: recruitment.evaluationRound,
          organizationId: bid.organizationId,
          raisedBy: bidder.id,
          text: text.trim(),
          raisedAt: now,
        })
        .returning({ id: challenges.id, raisedAt: challenges.raisedAt });
      if (!row) throw new Error('insert returned no row');
      await audit.record(tx, {
        actor: bidder,
        action: 'challenge.raise',
        target: `challenge:${row.id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: { length: text.trim().length, round: recruitment.evaluationRound },
      });
      return row;
    });
    await agentMails.arrived({ kind: 'challenge', id: raised.id, recruitmentId: id, text: text.trim() });
    return raised;
  }

  async function answerChallenge(challengeId: string, input: AnswerInput, agent: SignedInUser, origin: RequestOrigin) {
    const [challenge] = await db.select().from(challenges).where(eq(challenges.id, challengeId));
    if (!challenge) throw new AppError('NOT_FOUND', '质疑不存在');
    const recruitment = await ownRecruitment(challenge.recruitmentId, agent);
    if (recruitment.status !== 'publicity') throw notInPublicity();
    const answer = input.text.trim();
    const now = clock.now();
    await db.transaction(async (tx) => {
      await lockPublicity(tx, recruitment);
      const [row] = await tx
        .update(challenges)
        .set({ answer, upheld: input.upheld, answeredAt: now, answeredBy: agent.id })
        .where(and(eq(challenges.id, challengeId), isNull(challenges.answeredAt)))
        .returning({ id: challenges.id });
      if (!row) throw new AppError('ALREADY_ANSWERED', '该质疑已答复');
      await audit.record(tx, {
        actor: agent,
        action: 'challenge.answer',
        target: `challenge:${challengeId}`,
        recruitmentId: recruitment.id,
        ip: origin.ip,
        details: { upheld: input.upheld, length: answer.length },
      });
    });
    const [challenger] = await db
      .select({ email: organizations.email })
      .from(organizations)
      .where(eq(organizations.id, challenge.organizationId));
    if (challenger) {
      mailer.send({
        to: challenger.email,
        subject: `【质疑答复】${recruitment.title}`,
        text: `贵单位的质疑：\n${challenge.text}\n\n答复：\n${answer}\n\n结论：${input.upheld ? '质疑成立' : '质疑不成立'}\n\n详情：${publicUrl}/recruitments/${recruitment.id}/publicity`,
      });
    }
    // the last challenge answered after publicity ended lets the award's sign-off wait at once
    await signOffs.awardMayWait(recruitment.id);
    return { id: challengeId, upheld: input.upheld, answeredAt: now };
  }

  async function signOffAward(id: string, comment: string, inspector: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitments.getRecruitment(id, inspector);
    if (recruitment.inspectorId !== inspector.id) throw new AppError('FORBIDDEN', '只有本项目指定的纪检监督员可以签字确认');
    if (recruitment.status !== 'publicity') throw notInPublicity();
    const chain = await audit.verifyChain();
    const signedOffAt = clock.now();
    await db.transaction(async (tx) => {
      const publicity = await lockPublicity(tx, recruitment);
      refuseBlocked(awardBlocker(signedOffAt, publicity.endsAt, await challengeStates(tx, recruitment)));
      const [row] = await tx
        .insert(awardSignOffs)
        .values({ recruitmentId: id, signedOffAt, signedOffBy: inspector.id, comment: comment.trim(), chainHead: chain.head, chainSeq: chain.entries, chainOk: chain.ok })
        .onConflictDoNothing()
        .returning({ recruitmentId: awardSignOffs.recruitmentId });
      if (!row) throw new AppError('ALREADY_SIGNED_OFF', '定标已签字确认');
      await audit.record(tx, {
        actor: inspector,
        action: 'award.sign_off',
        target: `recruitment:${id}`,
        recruitmentId: id,
        ip: origin.ip,
        details: {
          chainHead: chain.head,
          chainOk: chain.ok,
          chainEntries: chain.entries,
          comment: comment.trim(),
          round: recruitment.evaluationRound,
        },
      });
    });
    return { status: recruitment.status, signedOff: true, chainHead: chain.head, chainOk: chain.ok };
  }

  async function awardRecruitment(id: string, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await ownRecruitment(id, agent);
    if (recruitment.status !== 'publicity') throw notInPublicity();
    const publicity = await publicityOf(db, recruitment);
    if (!publicity) throw notInPublicity();
    const awardedAt = clock.now();
    // checked again although the sign-off required it: the clock or a challenge may not agree
    refuseBlocked(awardBlocker(awardedAt, publicity.endsAt, await challengeStates(db, recruitment)));
    const [signOff] = await db.select().from(awardSignOffs).where(eq(awardSignOffs.recruitmentId, id));
    if (!signOff) throw new AppError('AWARD_NOT_SIGNED_OFF', '定标须先经纪检监督员签字确认');
    const chosen = await candidateRows(recruitment);
    const names = await lotNames(id);
    const body = [
      '公示期满，无成立的质疑，经纪检监督员签字确认，确定入选单位如下：',
      '',
      ...chosen.map((c) => `- ${names.get(c.lotKey) ?? c.lotKey}：${c.organizationName}（第 ${c.rank} 名，得分 ${c.score}）`),
      '',
      '入选通知书和合作协议（草案）将另行发送各入选单位。',
    ].join('\n');
    const status = await db.transaction(async (tx) => {
      const to = await applyTransition(tx, audit, recruitment, 'award', agent, origin, {
        details: { round: recruitment.evaluationRound, awards: chosen.map(({ bidId, lotKey, rank, score }) => ({ bidId, lot: lotKey, rank, score })) },
      });
      if (chosen.length > 0) {
        const rows = await tx
          .insert(awards)
          .values(
            chosen.map((c) => ({
              recruitmentId: id,
              lotKey: c.lotKey,
              bidId: c.bidId,
              organizationId: c.organizationId,
              rank: c.rank,
              score: c.score,
              awardedAt,
            })),
          )
          .returning();
        const awarded = rows.map((row) => ({ ...row, awardId: row.id }));
        await openPartnerships(tx, audit, awarded, recruitment.agreementTermMonths, agent, origin);
      }
      await recruitments.addAnnouncement(tx, id, agent, { kind: 'award', title: `入选结果公告：${recruitment.title}`, body });
      return to;
    });
    documentQueue.schedule(id);
    return {
      status,
      awardedAt,
      awards: chosen.map((c) => ({ bidId: c.bidId, lot: c.lotKey, organization: c.organizationName, rank: c.rank, score: c.score })),
    };
  }

  /** The candidates announced in the recruitment's current round, or in every round. */
  async function candidateRows(recruitment: Round, { everyRound = false } = {}) {
    return db
      .select()
      .from(candidates)
      .where(and(eq(candidates.recruitmentId, recruitment.id), everyRound ? undefined : eq(candidates.round, recruitment.evaluationRound)))
      .orderBy(asc(candidates.round), asc(candidates.lotKey), asc(candidates.rank));
  }

  /** The candidates announced (of the current round, or of every round) and, after the award, the selected organisations. */
  async function resultsOf(recruitment: Round, { everyRound = false } = {}) {
    const [candidateList, awardRows, names] = await Promise.all([
      candidateRows(recruitment, { everyRound }),
      db
        .select({ award: awards, organizationName: organizations.name })
        .from(awards)
        .innerJoin(organizations, eq(organizations.id, awards.organizationId))
        .where(eq(awards.recruitmentId, recruitment.id))
        .orderBy(asc(awards.lotKey), asc(awards.rank)),
      lotNames(recruitment.id),
    ]);
    return {
      candidates: candidateList.map((c) => ({
        round: c.round,
        bidId: c.bidId,
        lot: c.lotKey,
        lotName: names.get(c.lotKey) ?? c.lotKey,
        organizationId: c.organizationId,
        organization: c.organizationName,
        score: c.score,
        rank: c.rank,
      })),
      // the award follows the candidates of the final round, which is the current one
      awards: awardRows.map(({ award, organizationName }) => ({
        id: award.id,
        round: recruitment.evaluationRound,
        bidId: award.bidId,
        lot: award.lotKey,
        lotName: names.get(award.lotKey) ?? award.lotKey,
        organizationId: award.organizationId,
        organization: organizationName,
        score: award.score,
        rank: award.rank,
        awardedAt: award.awardedAt,
      })),
    };
  }

  /**
   * What anyone may see: the current round's publicity and candidates and, after the award, the
   * selected organisations. A redo withdraws a round's candidates, so none show until the next
   * round's are announced.
   */
  async function publicResults(recruitment: Round) {
    const [publicity, results] = await Promise.all([publicityOf(db, recruitment), resultsOf(recruitment)]);
    return {
      round: recruitment.evaluationRound,
      publicity: publicity && { announcedAt: publicity.announcedAt, endsAt: publicity.endsAt },
      ...results,
    };
  }

  /** The candidates of every round (the withdrawn ones too) and the selected organisations, for the OCDS export. */
  async function openDataResults(recruitment: Round) {
    return resultsOf(recruitment, { everyRound: true });
  }

  /**
   * The publicity as `viewer` may see it: the public results, and the challenges — all of them
   * with the challenger for the recruitment's agent and the inspector, only its own for a bidder;
   * those of the current round apart from those of earlier rounds, kept as history.
   */
  async function getPublicity(recruitmentId: string, viewer: SignedInUser | null) {
    const recruitment = await recruitments.getRecruitment(recruitmentId, viewer);
    const round = recruitment.evaluationRound;
    const results = await publicResults(recruitment);
    const overseer = viewer?.role === 'inspector' || (viewer?.role === 'agent' && viewer.id === recruitment.agentId);
    const [challengeRows, signOffRows, ownBid, evaluationSignOff, redos] = await Promise.all([
      overseer || viewer?.role === 'bidder'
        ? db
            .select({ challenge: challenges, organization: organizations.name, userId: organizations.userId })
            .from(challenges)
            .innerJoin(organizations, eq(organizations.id, challenges.organizationId))
            .where(eq(challenges.recruitmentId, recruitmentId))
            .orderBy(asc(challenges.round), asc(challenges.raisedAt))
        : [],
      db
        .select({ signOff: awardSignOffs, inspector: users.name })
        .from(awardSignOffs)
        .innerJoin(users, eq(users.id, awardSignOffs.signedOffBy))
        .where(eq(awardSignOffs.recruitmentId, recruitmentId)),
      viewer?.role === 'bidder'
        ? db
            .select({ id: bids.id })
            .from(bids)
            .innerJoin(organizations, eq(organizations.id, bids.organizationId))
            .where(and(eq(bids.recruitmentId, recruitmentId), eq(organizations.userId, viewer.id)))
            .limit(1)
        : [],
      db
        .select({ at: evaluationSignOffs.signedOffAt })
        .from(evaluationSignOffs)
        .where(and(eq(evaluationSignOffs.recruitmentId, recruitmentId), eq(evaluationSignOffs.round, round))),
      db
        .select({ round: evaluationRedos.round, reason: evaluationRedos.reason, at: evaluationRedos.redoneAt })
        .from(evaluationRedos)
        .where(eq(evaluationRedos.recruitmentId, recruitmentId))
        .orderBy(asc(evaluationRedos.round)),
    ]);
    const visible = (overseer ? challengeRows : challengeRows.filter((row) => row.userId === viewer?.id)).map(({ challenge, organization }) => ({
      id: challenge.id,
      round: challenge.round,
      text: challenge.text,
      raisedAt: challenge.raisedAt,
      ...(overseer && { organization }),
      answer: challenge.answer,
      upheld: challenge.upheld,
      answeredAt: challenge.answeredAt,
    }));
    const signOff = signOffRows[0];
    const now = clock.now();
    return {
      recruitmentId,
      status: recruitment.status,
      ...results,
      publicityOpen: recruitment.status === 'publicity' && results.publicity !== null && publicityOpen(now, results.publicity.endsAt),
      isBidder: ownBid.length > 0,
      evaluationSignedOff: evaluationSignOff.length > 0,
      challenges: visible.filter((c) => c.round === round),
      earlierChallenges: visible.filter((c) => c.round !== round),
      redos,
      signOff: signOff
        ? {
            at: signOff.signOff.signedOffAt,
            by: signOff.inspector,
            comment: signOff.signOff.comment,
            chainHead: signOff.signOff.chainHead,
            chainOk: signOff.signOff.chainOk,
          }
        : null,
    };
  }

  /**
   * The redo of the evaluation (重新评审) after an upheld challenge: the round's publicity is
   * withdrawn and the recruitment goes back to evaluation in the next round, where the same panel
   * reviews and scores again, less the members named in `replace` (a conflict the challenge
   * found): each seat goes to the draw sequence's next expert. Nothing of the round left behind
   * changes. The panel, the experts replaced and drawn, and the followers are told after commit.
   */
  async function redoEvaluation(id: string, input: { reason: string; replace?: string[] }, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await ownRecruitment(id, agent);
    const replace = input.replace ?? [];
    const seats = await evaluation.checkReplacement(id, replace);
    if (recruitment.status !== 'publicity') throw notInPublicity();
    const text = input.reason.trim();
    const from = recruitment.evaluationRound;
    const round = from + 1;
    const body = [
      `本项目第 ${from} 轮评审结果公示期间，有质疑经核实成立。现撤回该轮中选候选人公示，由原评审委员会重新评审（第 ${round} 轮）。`,
      '',
      `重新评审原因：${text}`,
      ...(seats.length ? ['', `原评审委员会第 ${seats.join('、')} 位评审专家予以更换，其席位由抽取序列中的下一名专家依次递补。`] : []),
      '',
      '重新评审结果经纪检监督员签字确认后，将另行公示中选候选人，公示期重新计算。',
    ].join('\n');
    const { announcement, replaced } = await db.transaction(async (tx) => {
      await lockPublicity(tx, recruitment);
      const states = await challengeStates(tx, recruitment);
      refuseBlocked(redoBlocker(states));
      await applyTransition(tx, audit, recruitment, 'redoEvaluation', agent, origin, {
        set: { evaluationRound: round },
        details: { reason: text, fromRound: from, toRound: round, upheldChallenges: states.filter((c) => c.upheld).map((c) => c.id) },
      });
      await tx.insert(evaluationRedos).values({ recruitmentId: id, round, reason: text, redoneAt: clock.now(), redoneBy: agent.id });
      const replaced = await evaluation.replaceMembers(tx, id, { userIds: replace, round, reason: text, actor: agent, origin });
      const title = `${ANNOUNCEMENT_LABELS.redo}：${recruitment.title}`;
      return { announcement: await recruitments.addAnnouncement(tx, id, agent, { kind: 'redo', title, body }), replaced };
    });
    const drawn = new Map(replaced.flatMap((r) => (r.replacement ? [[r.replacement.userId, r]] : [])));
    const gone = new Set(replaced.map((r) => r.userId));
    const experts = await db
      .select({ id: users.id, name: users.name, email: users.email, status: panelMembers.status })
      .from(panelMembers)
      .innerJoin(users, eq(users.id, panelMembers.userId))
      .where(eq(panelMembers.recruitmentId, id));
    const link = `${publicUrl}/recruitments/${id}/evaluation`;
    for (const expert of experts) {
      const seat = drawn.get(expert.id);
      if (seat) {
        mailer.send({
          to: expert.email,
          subject: `【评审专家抽取】${recruitment.title}`,
          text: `${expert.name}：\n\n本项目重新评审（第 ${round} 轮），原第 ${seat.order} 位评审专家予以更换。您已按抽取序列依次递补为第 ${seat.order} 位评审专家。\n\n重新评审原因：${text}\n\n请先登录平台作出回避声明，再进行资格审查和评分：${link}`,
        });
      } else if (gone.has(expert.id)) {
        mailer.send({
          to: expert.email,
          subject: `【评审专家更换】${recruitment.title}`,
          text: `${expert.name}：\n\n本项目重新评审（第 ${round} 轮），自本轮起您不再担任本项目评审委员会成员，所任席位由抽取序列中的下一名专家递补。您此前各轮的评分和记录原样保留。\n\n重新评审原因：${text}`,
        });
      } else if (expert.status !== 'recused') {
        mailer.send({
          to: expert.email,
          subject: `【重新评审】${recruitment.title}`,
          text: `${expert.name}：\n\n${body}\n\n请登录平台重新进行资格审查、评分和确认：${link}`,
        });
      }
    }
    await recruitments.notifyFollowersAndBidders(recruitment, ANNOUNCEMENT_LABELS.redo, body, `announcement-${announcement.number}`);
    return {
      status: 'evaluation' as const,
      round,
      replaced: replaced.map(({ userId, order, replacement }) => ({ userId, order, replacement: replacement?.userId ?? null })),
    };
  }

  /**
   * Everyone the award concerns, for the award and not-selected notices and the draft agreements
   * (documents area), once the recruitment is awarded: the selected organisations of each lot,
   * and every other organisation whose bid was evaluated (a disqualified one without score).
   */
  async function awardOutcome(recruitmentId: string): Promise<AwardOutcome> {
    const report = await evaluation.evaluationReport(recruitmentId);
    if (report.status !== 'awarded') throw new AppError('NOT_AWARDED', '招募项目尚未定标');
    const [awardRows, records] = await Promise.all([
      db.select().from(awards).where(eq(awards.recruitmentId, recruitmentId)),
      db
        .select({ bidId: openingRecords.bidId, organization: organizations })
        .from(openingRecords)
        .innerJoin(organizations, eq(organizations.id, openingRecords.organizationId))
        .where(eq(openingRecords.recruitmentId, recruitmentId)),
    ]);
    const awardedAt = awardRows[0]?.awardedAt ?? null;
    const entries = report.bids.map((bid): OutcomeEntry & { selected: boolean } => {
      const organization = records.find((r) => r.bidId === bid.bidId)?.organization;
      if (!organization) throw new Error(`no opening record for bid ${bid.bidId}`);
      const award = awardRows.find((a) => a.bidId === bid.bidId);
      return {
        selected: award !== undefined,
        bidId: bid.bidId,
        lot: bid.lot,
        lotName: bid.lotName,
        score: award?.score ?? bid.mean,
        rank: award?.rank ?? bid.rank,
        qualified: bid.qualified,
        publicBenefitRatio: bid.publicBenefitRatio,
        organization: {
          id: organization.id,
          name: organization.name,
          uscc: organization.uscc,
          email: organization.email,
          contactName: organization.contactName,
          legalRepresentative: organization.legalRepresentative,
          address: organization.address,
        },
      };
    });
    const strip = ({ selected: _selected, ...entry }: OutcomeEntry & { selected: boolean }): OutcomeEntry => entry;
    return {
      recruitmentId,
      title: report.title,
      owner: report.owner,
      awardedAt,
      selected: entries.filter((e) => e.selected).map(strip),
      notSelected: entries.filter((e) => !e.selected).map(strip),
    };
  }

  return {
    announceCandidates,
    raiseChallenge,
    answerChallenge,
    signOffAward,
    awardRecruitment,
    redoEvaluation,
    publicResults,
    openDataResults,
    getPublicity,
    awardOutcome,
  };
}

export interface OutcomeEntry {
  bidId: string;
  lot: string;
  lotName: string;
  /** the trimmed mean of the experts' totals; null for a bid that failed qualification */
  score: number | null;
  /** rank in the lot; null for a bid that failed qualification */
  rank: number | null;
  qualified: boolean;
  /** the public-benefit share declared in the bid, % */
  publicBenefitRatio: number | null;
  organization: {
    id: string;
    name: string;
    uscc: string;
    email: string;
    contactName: string;
    legalRepresentative: string;
    address: string;
  };
}

export interface AwardOutcome {
  recruitmentId: string;
  title: string;
  owner: string;
  awardedAt: Date | null;
  selected: OutcomeEntry[];
  notSelected: OutcomeEntry[];
}
