import { eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { bids, evaluationRedos, organizations, panelDraws, panelMembers, panelSubmissions, scores, scoreSheets, users } from '../../../db/schema.ts';
import { deviatesFromMedian, median } from '../../evaluation/scoring.ts';
import type { AlertEvidence } from '../types.ts';
import { entriesOf, entryEvidence, roundOf, type Entry } from './audit-evidence.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags in the panel's scores (SPEC §7): an expert far from the panel, two experts scoring
// as one, an expert scoring every bid alike or in less time than reading them takes. The scores
// of a round are looked at only once every seat has submitted in it: until then nobody, the
// inspector included, may see them (SPEC §5), and a red flag naming them would show them.

interface Scorer {
  id: string;
  name: string;
  submittedAt: Date;
}

/** One round of the panel's scoring as submitted: who scored, each total, each sheet. */
interface ScoredRound {
  round: number;
  /** every seat of the panel has submitted in this round */
  complete: boolean;
  scorers: Scorer[];
  /** the bids scored in the round, in a fixed order */
  bidIds: string[];
  /** expert id → bid id → criterion key → score */
  sheets: Map<string, Map<string, Map<string, number>>>;
  /** expert id → bid id → comment */
  comments: Map<string, Map<string, string>>;
}

/** The recruitment's rounds of scoring, with the organisation behind each bid. */
async function scoredRounds(tx: Tx, recruitmentId: string) {
  const [draw] = await tx.select({ size: panelDraws.size }).from(panelDraws).where(eq(panelDraws.recruitmentId, recruitmentId));
  if (!draw) return { rounds: [], bidNames: new Map<string, string>() };
  const submitted = await tx
    .select({ round: panelSubmissions.round, id: users.id, name: users.name, submittedAt: panelSubmissions.submittedAt })
    .from(panelSubmissions)
    .innerJoin(panelMembers, eq(panelMembers.id, panelSubmissions.memberId))
    .innerJoin(users, eq(users.id, panelMembers.userId))
    .where(eq(panelSubmissions.recruitmentId, recruitmentId));
  const scoreRows = await tx
    .select({ round: scores.round, bidId: scores.bidId, expertId: scores.expertId, criterionKey: scores.criterionKey, score: scores.score })
    .from(scores)
    .where(eq(scores.recruitmentId, recruitmentId));
  const sheetRows = await tx
    .select({ round: scoreSheets.round, bidId: scoreSheets.bidId, expertId: scoreSheets.expertId, comment: scoreSheets.comment })
    .from(scoreSheets)
    .where(eq(scoreSheets.recruitmentId, recruitmentId));
  const bidRows = await tx
    .select({ id: bids.id, name: organizations.name })
    .from(bids)
    .innerJoin(organizations, eq(organizations.id, bids.organizationId))
    .where(eq(bids.recruitmentId, recruitmentId));
  const rounds = [...new Set(submitted.map((row) => row.round))].sort((a, b) => a - b).map((round): ScoredRound => {
    const scorers = submitted.filter((row) => row.round === round).sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
    const submittedIds = new Set(scorers.map((scorer) => scorer.id));
    // drafts of an expert who has not submitted are not its scores yet
    const own = <T extends { round: number; expertId: string }>(rows: T[]) => rows.filter((row) => row.round === round && submittedIds.has(row.expertId));
    const sheets = new Map<string, Map<string, Map<string, number>>>();
    for (const row of own(scoreRows)) {
      const byBid = sheets.get(row.expertId) ?? new Map<string, Map<string, number>>();
      byBid.set(row.bidId, (byBid.get(row.bidId) ?? new Map<string, number>()).set(row.criterionKey, row.score));
      sheets.set(row.expertId, byBid);
    }
    const comments = new Map<string, Map<string, string>>();
    for (const row of own(sheetRows)) comments.set(row.expertId, (comments.get(row.expertId) ?? new Map<string, string>()).set(row.bidId, row.comment));
    const bidIds = [...new Set(own(scoreRows).map((row) => row.bidId))].sort();
    return { round, complete: scorers.length >= draw.size, scorers, bidIds, sheets, comments };
  });
  return { rounds, bidNames: new Map(bidRows.map((row) => [row.id, row.name])) };
}

/** An expert's total for a bid (scores are multiples of 0.5: summed in half points, exact). */
function totalOf(round: ScoredRound, expertId: string, bidId: string): number | null {
  const sheet = round.sheets.get(expertId)?.get(bidId);
  if (!sheet) return null;
  return [...sheet.values()].reduce((sum, score) => sum + Math.round(score * 2), 0) / 2;
}

/** The expert's `score.submit` entry of the round, as evidence. */
function submission(recruitmentId: string, entries: Entry[], round: number, expertId: string, more = ''): AlertEvidence[] {
  const entry = entries.find((each) => each.action === 'score.submit' && each.actorId === expertId && roundOf(each) === round);
  return entry ? [entryEvidence(recruitmentId, entry, more)] : [];
}

const expertScoreOutlier: IndicatorDefinition = {
  id: 'expert_score_outlier',
  label: '专家评分明显偏离评审委员会中位数',
  meaning: `某位评审专家对一份响应文件的总分与评审委员会各专家总分的中位数相差超过 ${THRESHOLDS.scoreDeviationPoints} 分：可能存在倾向性打分，须核对其书面理由（SPEC §7）。`,
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const { rounds, bidNames } = await scoredRounds(tx, recruitment.id);
    const entries = await entriesOf(tx, recruitment.id, ['score.submit']);
    return rounds
      .filter((round) => round.complete)
      .flatMap((round) =>
        round.bidIds.flatMap((bidId) => {
          const totals = round.scorers.flatMap((scorer) => {
            const total = totalOf(round, scorer.id, bidId);
            return total === null ? [] : [{ scorer, total }];
          });
          const middle = median(totals.map(({ total }) => total));
          const organization = bidNames.get(bidId) ?? bidId;
          return totals
            .filter(({ total }) => deviatesFromMedian(total, middle))
            .map(({ scorer, total }): Finding => {
              const comment = round.comments.get(scorer.id)?.get(bidId)?.trim() ?? '';
              return {
                key: `${round.round}:${bidId}:${scorer.id}`,
                subject: `第 ${round.round} 轮评审中，评审专家${scorer.name}给${organization}的总分为 ${total} 分，偏离评审委员会中位数 ${middle} 分达 ${Math.abs(total - middle)} 分`,
                evidence: [
                  {
                    kind: 'bid',
                    id: bidId,
                    detail: `${organization}：各专家总分 ${totals.map((each) => `${each.scorer.name} ${each.total}`).join('、')}，中位数 ${middle}`,
                  },
                  {
                    kind: 'score_sheet',
                    id: `${round.round}:${bidId}:${scorer.id}`,
                    detail: comment ? `${scorer.name}的书面理由：${comment}` : `${scorer.name}未填写书面理由`,
                  },
                  ...submission(recruitment.id, entries, round.round, scorer.id),
                ],
              };
            });
        }),
      );
  },
};

const identicalScoreVectors: IndicatorDefinition = {
  id: 'identical_score_vectors',
  label: '两位专家的评分完全相同',
  meaning: `同一轮评审中两位评审专家对全部响应文件（至少 ${THRESHOLDS.sameScoresMinBids} 份）的每一项评分完全相同：独立评分几乎不可能如此，可能相互抄袭或由他人代为打分（SPEC §7）。`,
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const { rounds } = await scoredRounds(tx, recruitment.id);
    const entries = await entriesOf(tx, recruitment.id, ['score.submit']);
    const findings: Finding[] = [];
    for (const round of rounds.filter((each) => each.complete && each.bidIds.length >= THRESHOLDS.sameScoresMinBids)) {
      const vector = (expertId: string) =>
        JSON.stringify(round.bidIds.map((bidId) => [...(round.sheets.get(expertId)?.get(bidId) ?? new Map<string, number>())].sort(([a], [b]) => (a < b ? -1 : 1))));
      const scorers = [...round.scorers].sort((a, b) => (a.id < b.id ? -1 : 1));
      for (const [index, first] of scorers.entries()) {
        for (const second of scorers.slice(index + 1)) {
          if (vector(first.id) !== vector(second.id)) continue;
          findings.push({
            key: `${round.round}:${first.id}:${second.id}`,
            subject: `第 ${round.round} 轮评审中，评审专家${first.name}和${second.name}对全部 ${round.bidIds.length} 份响应文件的每一项评分完全相同`,
            evidence: [first, second].flatMap((scorer) => submission(recruitment.id, entries, round.round, scorer.id, '评分摘要与另一位专家的相同')),
          });
        }
      }
    }
    return findings;
  },
};

/** "2 分 5 秒" */
function duration(seconds: number): string {
  const whole = Math.floor(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)} 分 ${whole % 60} 秒` : `${whole} 秒`;
}

const uniformOrHastyScoring: IndicatorDefinition = {
  id: 'uniform_or_hasty_scoring',
  label: '专家评分千篇一律或用时过短',
  meaning: `一位评审专家给同一轮全部响应文件（至少 ${THRESHOLDS.sameScoresMinBids} 份）打出相同的总分，或从首次阅读、评分到提交平均每份不足 ${THRESHOLDS.minSecondsPerBid} 秒：可能未认真审阅响应文件，或按事先商定的结果打分。`,
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const { rounds } = await scoredRounds(tx, recruitment.id);
    const entries = await entriesOf(tx, recruitment.id, ['bid.download', 'score.save', 'score.comment', 'score.submit']);
    const redos = await tx.select({ round: evaluationRedos.round, at: evaluationRedos.redoneAt }).from(evaluationRedos).where(eq(evaluationRedos.recruitmentId, recruitment.id));
    const findings: Finding[] = [];
    for (const round of rounds) {
      for (const scorer of round.scorers) {
        const totals = round.bidIds.flatMap((bidId) => totalOf(round, scorer.id, bidId) ?? []);
        if (round.complete && totals.length >= THRESHOLDS.sameScoresMinBids && totals.every((total) => total === totals[0])) {
          findings.push({
            key: `uniform:${round.round}:${scorer.id}`,
            subject: `第 ${round.round} 轮评审中，评审专家${scorer.name}给全部 ${totals.length} 份响应文件的总分均为 ${totals[0]} 分`,
            evidence: submission(recruitment.id, entries, round.round, scorer.id),
          });
        }
        // the work of the round: from the expert's first reading or sheet after the round began
        const began = redos.find((redo) => redo.round === round.round)?.at ?? new Date(0);
        const first = entries.find(
          (entry) => entry.actorId === scorer.id && entry.action !== 'score.submit' && entry.at >= began && entry.at <= scorer.submittedAt,
        );
        const sheets = round.sheets.get(scorer.id)?.size ?? 0;
        if (!first || sheets === 0) continue;
        const seconds = (scorer.submittedAt.getTime() - first.at.getTime()) / 1000;
        if (seconds >= THRESHOLDS.minSecondsPerBid * sheets) continue;
        findings.push({
          key: `hasty:${round.round}:${scorer.id}`,
          subject: `第 ${round.round} 轮评审中，评审专家${scorer.name}从首次阅读或评分到提交评分仅用 ${duration(seconds)}，评了 ${sheets} 份响应文件，平均每份 ${duration(seconds / sheets)}`,
          evidence: [
            entryEvidence(recruitment.id, first, '此后开始评分'),
            ...submission(recruitment.id, entries, round.round, scorer.id, `共 ${sheets} 份评分表`),
          ],
        });
      }
    }
    return findings;
  },
};

export const SCORE_INDICATORS: IndicatorDefinition[] = [expertScoreOutlier, identicalScoreVectors, uniformOrHastyScoring];
