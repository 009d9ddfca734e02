import { randomUUID } from 'node:crypto';
import * as t from '../server/db/schema.ts';
import type { AuditActor } from '../server/domain/audit/service.ts';
import { DAY_MS, DEFAULT_ELIGIBILITY } from '../server/domain/recruitments/rules.ts';
import { between, half, hex, HOUR, MINUTE, pick, plus, type AuditPlan, type Bid, type Recruitment, type Rows } from './bench-alerts-plan.ts';

// The alerts bench's opened recruitments taken as far as their stage: the opening, the panel's
// scores, the publicity and the award, as the portal would have recorded them.

const PANEL = 5;
export const CRITERIA = [['plan', '公益服务方案', 30], ['ability', '资质与专业能力', 20], ['record', '业绩与信誉', 20], ['share', '公益名额比例', 15], ['revenue', '合作与收益方案', 15]] as const;

/**
 * The opening, the panel's evaluation and, as far as the stage goes, the publicity and the award:
 * the deadline D, the opening at D + 30 min, the panel from D + 1 day, scores submitted at D + 3
 * days, signed off at D + 4, candidates announced at D + 5 for 5 days, the award a day after.
 */
export function evaluate(rows: Rows, audit: AuditPlan, recruitment: Recruitment, experts: AuditActor[]) {
  const { id: recruitmentId, deadline: d, agent, inspector, bids } = recruitment;
  const at = (ms: number) => plus(d, ms);
  audit.add(at(30 * MINUTE), agent, 'recruitment.startOpening', recruitmentId);
  for (const [holder, minutes] of [[agent, 40], [inspector, 45]] as const) {
    rows.add(t.openingAttendance, { recruitmentId, userId: holder.id, attendedAt: at(31 * MINUTE), ip: '10.20.0.8' });
    rows.add(t.openingUnlocks, { recruitmentId, holderId: holder.id, unlockedAt: at(minutes * MINUTE) });
    audit.add(at(31 * MINUTE), holder, 'opening.attend', recruitmentId, { target: `recruitment:${recruitmentId}` });
    audit.add(at(minutes * MINUTE), holder, 'opening.unlock', recruitmentId);
  }
  audit.add(at(50 * MINUTE), agent, 'opening.open', recruitmentId, { details: { bids: bids.length } });
  bids.forEach((b, position) => {
    const { row, files } = b.versions.at(-1)!;
    rows.add(t.openingRecords, {
      recruitmentId,
      bidId: b.id,
      versionId: row.id,
      position: position + 1,
      organizationId: b.organization.id,
      organizationName: b.organization.name,
      lotKey: b.lotKey,
      submittedAt: row.receivedAt,
      digest: row.digest,
      recomputedDigest: row.digest,
      digestVerified: true,
      publicBenefitRatio: b.ratio,
      openedDataKey: hex(32),
    });
    rows.add(t.openingFiles, ...files.map((file, n) => ({ fileId: file.id, recruitmentId, versionId: row.id, position: n, name: file.name, size: file.size, sha256: file.sha256 })));
  });
  const opening: typeof t.openings.$inferInsert = {
    recruitmentId,
    startedAt: at(30 * MINUTE),
    startedBy: agent.id,
    openedAt: at(50 * MINUTE),
    signedOffAt: at(HOUR),
    signedOffBy: inspector.id,
    signOffComment: '开标程序合规',
    signOffChainOk: true,
  };
  rows.add(t.openings, opening);
  const closed = audit.add(at(HOUR), inspector, 'recruitment.closeOpening', recruitmentId, { details: { comment: '开标程序合规' } });
  audit.headBefore(closed, (head) => Object.assign(opening, { signOffChainHead: head.hash, signOffChainSeq: head.seq }));

  // the panel: five drawn in a sequence of nine, the first seat chairs
  const sequence = new Set<AuditActor>();
  while (sequence.size < 9) sequence.add(pick(experts));
  const panel = [...sequence].slice(0, PANEL);
  const chair = panel[0]!;
  rows.add(t.panelDraws, { recruitmentId, seed: hex(32), candidates: [...sequence].map((e) => e.id), specialties: ['社会工作'], size: PANEL, drawnAt: at(DAY_MS), drawnBy: agent.id });
  audit.add(at(DAY_MS), agent, 'panel.draw', recruitmentId, { details: { size: PANEL } });
  const members = panel.map((expert, seat) => {
    const id = randomUUID();
    rows.add(t.panelMembers, { id, recruitmentId, userId: expert.id, position: seat + 1, seat: seat + 1, status: 'serving', declaredAt: at(DAY_MS + HOUR) });
    audit.add(at(DAY_MS + HOUR), expert, 'panel.declare', recruitmentId, { details: { conflict: false } });
    return id;
  });

  const totals = new Map<Bid, number>();
  bids.forEach((b, n) => {
    const reviewedAt = at(DAY_MS + 2 * HOUR + n * 30_000);
    const results = Object.fromEntries(DEFAULT_ELIGIBILITY.map(({ key }, k) => [key, b.qualified || k !== 2 ? ('pass' as const) : ('fail' as const)]));
    rows.add(t.qualificationResults, { bidId: b.id, round: 1, recruitmentId, results, qualified: b.qualified, reason: b.qualified ? '' : '资质证明不全', reviewedBy: chair.id, reviewedAt });
    audit.add(reviewedAt, chair, 'qualification.review', recruitmentId, { target: `bid:${b.id}`, details: { qualified: b.qualified } });
    if (!b.qualified) return;
    let sum = 0;
    panel.forEach((expert, seat) => {
      const outlier = b.outlier === true && seat === PANEL - 1;
      const total = outlier ? b.quality - 30 : b.quality + between(-6, 6);
      for (const [criterionKey, , max] of CRITERIA) {
        const score = half((max * total) / 100 + between(-1.5, 1.5), max);
        rows.add(t.scores, { recruitmentId, bidId: b.id, expertId: expert.id, round: 1, criterionKey, score });
        sum += score;
      }
      const savedAt = at(DAY_MS + 3 * HOUR + (n / bids.length) * 40 * HOUR + seat * 7 * MINUTE);
      rows.add(t.scoreSheets, { recruitmentId, bidId: b.id, expertId: expert.id, round: 1, comment: '', updatedAt: savedAt });
      recruitment.sheets.push({ at: savedAt, expert, bidId: b.id });
    });
    totals.set(b, sum / PANEL);
  });
  panel.forEach((expert, seat) => {
    rows.add(t.panelSubmissions, { memberId: members[seat]!, round: 1, recruitmentId, submittedAt: at(3 * DAY_MS), confirmedAt: at(3 * DAY_MS + HOUR) });
    audit.add(at(3 * DAY_MS), expert, 'score.submit', recruitmentId, { details: { round: 1 } });
    audit.add(at(3 * DAY_MS + HOUR), expert, 'evaluation.confirm', recruitmentId, { details: { round: 1 } });
  });
  if (recruitment.status === 'evaluation') return;

  const signOff: typeof t.evaluationSignOffs.$inferInsert = { recruitmentId, round: 1, signedOffAt: at(4 * DAY_MS), signedOffBy: inspector.id, comment: '评审程序合规', chainHead: '', chainOk: true };
  rows.add(t.evaluationSignOffs, signOff);
  const signed = audit.add(at(4 * DAY_MS), inspector, 'evaluation.sign_off', recruitmentId, { details: { round: 1 } });
  audit.headBefore(signed, (head) => Object.assign(signOff, { chainHead: head.hash, chainSeq: head.seq }));
  const endsAt = at(10 * DAY_MS);
  rows.add(t.publicities, { recruitmentId, round: 1, announcedAt: at(5 * DAY_MS), announcedBy: agent.id, endsAt });
  rows.add(t.announcements, { recruitmentId, number: 2, kind: 'candidates', title: '中选候选人公示', body: '公示期 5 日。', publishedAt: at(5 * DAY_MS), authorId: agent.id });
  audit.add(at(5 * DAY_MS), agent, 'recruitment.announceCandidates', recruitmentId);
  const selected = recruitment.lots.flatMap(({ key, quota }) =>
    [...totals]
      .filter(([b]) => b.lotKey === key)
      .sort(([, a], [, b]) => b - a)
      .slice(0, quota)
      .map(([b, score], rank) => ({ b, score: Math.round(score * 100) / 100, rank: rank + 1 })),
  );
  for (const { b, score, rank } of selected) {
    rows.add(t.candidates, { recruitmentId, round: 1, lotKey: b.lotKey, bidId: b.id, organizationId: b.organization.id, organizationName: b.organization.name, score, rank, publicBenefitRatio: b.ratio });
  }
  if (recruitment.status !== 'awarded') return;

  const awardedAt = plus(endsAt, DAY_MS + HOUR);
  const awardSignOff: typeof t.awardSignOffs.$inferInsert = { recruitmentId, signedOffAt: plus(endsAt, DAY_MS), signedOffBy: inspector.id, comment: '定标程序合规', chainHead: '', chainOk: true };
  rows.add(t.awardSignOffs, awardSignOff);
  const awardSigned = audit.add(plus(endsAt, DAY_MS), inspector, 'award.sign_off', recruitmentId);
  audit.headBefore(awardSigned, (head) => Object.assign(awardSignOff, { chainHead: head.hash, chainSeq: head.seq }));
  rows.add(t.awards, ...selected.map(({ b, score, rank }) => ({ recruitmentId, lotKey: b.lotKey, bidId: b.id, organizationId: b.organization.id, rank, score, awardedAt })));
  rows.add(t.announcements, { recruitmentId, number: 3, kind: 'award', title: '入选结果公告', body: '入选单位如下。', publishedAt: awardedAt, authorId: agent.id });
  audit.add(awardedAt, agent, 'recruitment.award', recruitmentId);
}
