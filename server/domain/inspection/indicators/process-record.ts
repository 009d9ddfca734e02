import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import {
  announcements,
  awardSignOffs,
  bids,
  challenges,
  evaluationRedos,
  evaluationSignOffs,
  openingAttendance,
  openings,
  organizations,
  panelMembers,
  recruitments,
  users,
} from '../../../db/schema.ts';
import { formatTime } from '../../../lib/labels.ts';
import { DAY_MS } from '../../recruitments/rules.ts';
import type { AlertEvidence } from '../types.ts';
import { actorOf, entriesOf, entryEvidence, roundOf, type Entry } from './audit-evidence.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags in the record of the procedure: amendments published late, bids read outside the
// opening or by someone with no part in it, sign-offs over an audit chain that did not verify,
// upheld challenges and redone evaluations.

const lateAmendment: IndicatorDefinition = {
  id: 'late_amendment',
  label: '临近截止发布更正公告或变更截止时间',
  meaning: `更正/澄清公告发布时距其后有效的提交截止时间不足 ${THRESHOLDS.lateAmendmentDays} 天：潜在响应单位来不及据此调整响应文件，可能使知情者获益；标注为“不影响响应文件编制”的澄清尤须核实（SPEC §7）。`,
  severity: 'medium',
  // A deadline moves only by an amendment once published: `recruitment.update` edits drafts, which
  // no bidder sees, and records only the names of the fields it changed.
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const amendments = await tx
      .select({ id: announcements.id, number: announcements.number, title: announcements.title, changes: announcements.changes, publishedAt: announcements.publishedAt })
      .from(announcements)
      .where(and(eq(announcements.recruitmentId, recruitment.id), eq(announcements.kind, 'amendment')))
      .orderBy(asc(announcements.number));
    const entries = await entriesOf(tx, recruitment.id, ['recruitment.amend']);
    // the deadline in force after each amendment: the next change's "from", or today's deadline
    const deadlineAfter = new Map<string, Date>();
    let deadline = recruitment.submissionDeadline;
    for (const amendment of [...amendments].reverse()) {
      deadlineAfter.set(amendment.id, deadline);
      const moved = amendment.changes.find((change) => change.field === 'submissionDeadline');
      if (moved) deadline = new Date(moved.from);
    }
    return amendments.flatMap((amendment): Finding[] => {
      const after = deadlineAfter.get(amendment.id) ?? recruitment.submissionDeadline;
      const days = (after.getTime() - amendment.publishedAt.getTime()) / DAY_MS;
      if (days >= THRESHOLDS.lateAmendmentDays) return [];
      const moved = amendment.changes.find((change) => change.field === 'submissionDeadline');
      const entry = entries.find((each) => each.target === `announcement:${amendment.id}`);
      const clarification = entry?.details.affectsPreparation === false ? '经办人标注为不影响响应文件编制的澄清' : '';
      return [
        {
          key: amendment.id,
          subject:
            `第 ${amendment.number} 号更正公告“${amendment.title}”发布时距提交截止仅 ${days.toFixed(1)} 天` +
            (moved ? `，并将提交截止时间由 ${formatTime(moved.from)} 改为 ${formatTime(moved.to)}` : `（截止时间 ${formatTime(after)}）`),
          evidence: [
            {
              kind: 'announcement',
              id: amendment.id,
              detail: `第 ${amendment.number} 号更正公告“${amendment.title}”，发布于 ${formatTime(amendment.publishedAt)}，其后有效的提交截止时间 ${formatTime(after)}`,
              url: `/recruitments/${recruitment.id}`,
            },
            ...(entry ? [entryEvidence(recruitment.id, entry, clarification)] : []),
          ],
        },
      ];
    });
  },
};

/** Organisation names of the recruitment's bids, by bid id. */
async function bidNamesOf(tx: Tx, recruitmentId: string) {
  const rows = await tx
    .select({ id: bids.id, name: organizations.name })
    .from(bids)
    .innerJoin(organizations, eq(organizations.id, bids.organizationId))
    .where(eq(bids.recruitmentId, recruitmentId));
  return new Map(rows.map((row) => [`bid:${row.id}`, row.name]));
}

const accessOutsideOpening: IndicatorDefinition = {
  id: 'access_outside_opening',
  label: '在开标程序之外解密或下载响应文件',
  meaning: '响应文件在开标开始前或开标解密完成后被解密，在开标解密前被下载，或由本项目评审专家、经办人、纪检监督员以外的人解密或下载：可能有人提前获知或泄露投标内容（SPEC §7）。',
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const entries = await entriesOf(tx, recruitment.id, ['bid.decrypt', 'bid.download']);
    if (entries.length === 0) return [];
    const [session] = await tx.select({ startedAt: openings.startedAt, openedAt: openings.openedAt }).from(openings).where(eq(openings.recruitmentId, recruitment.id));
    const [own] = await tx.select({ agentId: recruitments.agentId }).from(recruitments).where(eq(recruitments.id, recruitment.id));
    const panel = await tx.select({ userId: panelMembers.userId }).from(panelMembers).where(eq(panelMembers.recruitmentId, recruitment.id));
    const attendees = await tx.select({ userId: openingAttendance.userId }).from(openingAttendance).where(eq(openingAttendance.recruitmentId, recruitment.id));
    const names = await bidNamesOf(tx, recruitment.id);
    const officials = [own?.agentId, recruitment.inspectorId];
    // the opening decrypts at the request that completes it: a key holder's, or an attendee's
    const mayDecrypt = new Set([...officials, recruitment.escrowHolderId, ...attendees.map((row) => row.userId)]);
    const mayDownload = new Set([...officials, ...panel.map((row) => row.userId)]);
    const opening: AlertEvidence = {
      kind: 'opening',
      id: recruitment.id,
      detail: session
        ? `开标开始于 ${formatTime(session.startedAt)}，${session.openedAt ? `解密完成于 ${formatTime(session.openedAt)}` : '尚未解密'}`
        : '本项目尚未开标',
      url: `/recruitments/${recruitment.id}/opening`,
    };
    return entries.flatMap((entry): Finding[] => {
      const decrypt = entry.action === 'bid.decrypt';
      const when = decrypt ? decryptedWhen(entry, session) : downloadedWhen(entry, session);
      const stranger = !entry.actorId || !(decrypt ? mayDecrypt : mayDownload).has(entry.actorId);
      if (!when && !stranger) return [];
      const organization = names.get(entry.target ?? '') ?? '一家单位';
      const reasons = [
        ...(when ? [`时间在${when}`] : []),
        ...(stranger ? [decrypt ? '其并非本项目的经办人、纪检监督员、密钥托管人或开标出席人' : '其并非本项目的评审专家、经办人或纪检监督员'] : []),
      ];
      return [
        {
          key: String(entry.seq),
          subject: `${actorOf(entry)}${decrypt ? '解密' : '下载'}了${organization}的响应文件：${reasons.join('，')}`,
          evidence: [entryEvidence(recruitment.id, entry), opening],
        },
      ];
    });
  },
};

type Session = { startedAt: Date; openedAt: Date | null } | undefined;

/** Outside the opening for a decryption: before it started, or after it had decrypted the bids. */
function decryptedWhen(entry: Entry, session: Session): string | null {
  if (!session || entry.at < session.startedAt) return '开标开始前';
  if (session.openedAt && entry.at > session.openedAt) return '开标解密完成后';
  return null;
}

/** Outside the opening for a download: before the bids were decrypted there. */
function downloadedWhen(entry: Entry, session: Session): string | null {
  return !session?.openedAt || entry.at < session.openedAt ? '开标解密前' : null;
}

const signOffOverBrokenChain: IndicatorDefinition = {
  id: 'sign_off_over_broken_chain',
  label: '签字确认时审计日志校验未通过',
  meaning: '纪检监督员对开标、评审或定标签字确认时，审计日志的哈希链未能通过校验：签字所依据的记录可能已被改动，须先查明原因（SPEC §7）。',
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const [opening] = await tx
      .select({ at: openings.signedOffAt, ok: openings.signOffChainOk, head: openings.signOffChainHead, seq: openings.signOffChainSeq })
      .from(openings)
      .where(eq(openings.recruitmentId, recruitment.id));
    const evaluations = await tx
      .select({ round: evaluationSignOffs.round, at: evaluationSignOffs.signedOffAt, ok: evaluationSignOffs.chainOk, head: evaluationSignOffs.chainHead, seq: evaluationSignOffs.chainSeq })
      .from(evaluationSignOffs)
      .where(eq(evaluationSignOffs.recruitmentId, recruitment.id))
      .orderBy(asc(evaluationSignOffs.round));
    const [award] = await tx
      .select({ at: awardSignOffs.signedOffAt, ok: awardSignOffs.chainOk, head: awardSignOffs.chainHead, seq: awardSignOffs.chainSeq })
      .from(awardSignOffs)
      .where(eq(awardSignOffs.recruitmentId, recruitment.id));
    const entries = await entriesOf(tx, recruitment.id, ['recruitment.closeOpening', 'recruitment.failOpening', 'evaluation.sign_off', 'award.sign_off']);
    const signOffs = [
      ...(opening?.at ? [{ key: 'opening', what: '开标', ...opening, entry: entries.find((each) => each.action.endsWith('Opening')) }] : []),
      ...evaluations.map((row) => ({
        key: `evaluation:${row.round}`,
        what: `第 ${row.round} 轮评审`,
        ...row,
        entry: entries.find((each) => each.action === 'evaluation.sign_off' && roundOf(each) === row.round),
      })),
      ...(award ? [{ key: 'award', what: '定标', ...award, entry: entries.find((each) => each.action === 'award.sign_off') }] : []),
    ];
    return signOffs
      .filter((signOff) => signOff.ok === false)
      .map(({ key, what, at, head, seq, entry }): Finding => ({
        key,
        subject: `纪检监督员于 ${formatTime(at!)} 对${what}签字确认时，审计日志哈希链校验未通过`,
        evidence: [
          ...(entry ? [entryEvidence(recruitment.id, entry)] : []),
          {
            kind: 'chain',
            id: head ?? '',
            detail: `签字时校验通过的记录${seq === null ? '' : `共 ${seq} 条`}，其后断链；记录的链头 ${(head ?? '').slice(0, 16)}…`,
            url: '/inspector/audit',
          },
        ],
      }));
  },
};

const excerpt = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

const challengeUpheldOrRedo: IndicatorDefinition = {
  id: 'challenge_upheld_or_redo',
  label: '质疑成立或重新评审',
  meaning: '有响应单位的质疑被认定成立，或评审被重新进行：说明原评审结果存在问题，须关注其原因、责任人以及重新评审是否公正。',
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const upheld = await tx
      .select({ id: challenges.id, round: challenges.round, text: challenges.text, answer: challenges.answer, raisedAt: challenges.raisedAt, organization: organizations.name })
      .from(challenges)
      .innerJoin(organizations, eq(organizations.id, challenges.organizationId))
      .where(and(eq(challenges.recruitmentId, recruitment.id), eq(challenges.upheld, true)))
      .orderBy(asc(challenges.raisedAt));
    const redos = await tx
      .select({ round: evaluationRedos.round, reason: evaluationRedos.reason, at: evaluationRedos.redoneAt, by: users.name })
      .from(evaluationRedos)
      .innerJoin(users, eq(users.id, evaluationRedos.redoneBy))
      .where(eq(evaluationRedos.recruitmentId, recruitment.id))
      .orderBy(asc(evaluationRedos.round));
    const entries = await entriesOf(tx, recruitment.id, ['challenge.answer', 'recruitment.redoEvaluation']);
    const evidenceOf = (entry: Entry | undefined) => (entry ? [entryEvidence(recruitment.id, entry)] : []);
    return [
      ...upheld.map((challenge): Finding => ({
        key: `challenge:${challenge.id}`,
        subject: `${challenge.organization}在第 ${challenge.round} 轮结果公示期间提出的质疑被认定成立`,
        evidence: [
          {
            kind: 'challenge',
            id: challenge.id,
            detail: `质疑（${formatTime(challenge.raisedAt)}）：${excerpt(challenge.text)}；答复：${excerpt(challenge.answer ?? '')}`,
            url: `/recruitments/${recruitment.id}/publicity`,
          },
          ...evidenceOf(entries.find((entry) => entry.target === `challenge:${challenge.id}`)),
        ],
      })),
      ...redos.map((redo): Finding => ({
        key: `redo:${redo.round}`,
        subject: `${redo.by}于 ${formatTime(redo.at)} 启动重新评审（第 ${redo.round} 轮），原因：${excerpt(redo.reason)}`,
        evidence: evidenceOf(entries.find((entry) => entry.action === 'recruitment.redoEvaluation' && entry.details.toRound === redo.round)),
      })),
    ];
  },
};

export const RECORD_INDICATORS: IndicatorDefinition[] = [lateAmendment, accessOutsideOpening, signOffOverBrokenChain, challengeUpheldOrRedo];
