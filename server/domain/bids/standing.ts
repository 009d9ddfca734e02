import { and, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { awards, candidates, documents, lots, openingRecords, openings, qualificationResults, recruitments } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { KIND_NAMES } from '../documents/inputs.ts';
import type { EvaluationService } from '../evaluation/service.ts';
import { showsScore, stageView, type BidFacts } from './stage.ts';

// Where each of an organisation's bids stands (stage.ts), with, from the publicity on, its own
// score and rank in its lot, and after the award the notices issued for it. The caller passes
// only the organisation's own bids: nothing here reads another organisation's score.

/** The notices a bid's organisation receives (the documents area serves them). */
const BID_NOTICES = ['award_notice', 'rejection_notice', 'draft_agreement'] as const;

export interface OwnBidRef {
  bidId: string;
  recruitmentId: string;
  lot: string;
  status: 'submitted' | 'withdrawn';
}

export type BidStanding = ReturnType<typeof stageView> & {
  /** the trimmed mean and the rank among the lot's ranked bids, from the publicity on */
  score: { mean: number; rank: number; of: number } | null;
  notices: { id: string; kindName: string; verifyCode: string }[];
};

export type BidStandings = ReturnType<typeof createBidStandings>;

export function createBidStandings({ db, clock, evaluation }: { db: Db; clock: Clock; evaluation: Pick<EvaluationService, 'evaluationReport'> }) {
  async function standingsOf(own: readonly OwnBidRef[]): Promise<Map<string, BidStanding>> {
    if (own.length === 0) return new Map();
    const bidIds = own.map((bid) => bid.bidId);
    const recruitmentIds = [...new Set(own.map((bid) => bid.recruitmentId))];
    const [recruitmentRows, openingRows, records, lotRows, reviews, announced, awarded, notices] = await Promise.all([
      db
        .select({
          id: recruitments.id,
          status: recruitments.status,
          suspendedFrom: recruitments.suspendedFrom,
          deadline: recruitments.submissionDeadline,
          round: recruitments.evaluationRound,
        })
        .from(recruitments)
        .where(inArray(recruitments.id, recruitmentIds)),
      db.select({ recruitmentId: openings.recruitmentId, openedAt: openings.openedAt }).from(openings).where(inArray(openings.recruitmentId, recruitmentIds)),
      db.select({ bidId: openingRecords.bidId, digestVerified: openingRecords.digestVerified }).from(openingRecords).where(inArray(openingRecords.bidId, bidIds)),
      db.select({ recruitmentId: lots.recruitmentId, key: lots.key, status: lots.status }).from(lots).where(inArray(lots.recruitmentId, recruitmentIds)),
      db
        .select({ bidId: qualificationResults.bidId, round: qualificationResults.round, qualified: qualificationResults.qualified })
        .from(qualificationResults)
        .where(inArray(qualificationResults.bidId, bidIds)),
      db.select({ bidId: candidates.bidId, round: candidates.round }).from(candidates).where(inArray(candidates.bidId, bidIds)),
      db.select({ bidId: awards.bidId }).from(awards).where(inArray(awards.bidId, bidIds)),
      db
        .select({ id: documents.id, bidId: documents.bidId, kind: documents.kind, verifyCode: documents.verifyCode })
        .from(documents)
        .where(and(inArray(documents.bidId, bidIds), inArray(documents.kind, [...BID_NOTICES]))),
    ]);
    const now = clock.now();
    const entries = own.map((bid) => {
      const recruitment = recruitmentRows.find((r) => r.id === bid.recruitmentId);
      if (!recruitment) throw new Error(`no recruitment ${bid.recruitmentId} for bid ${bid.bidId}`);
      const record = records.find((r) => r.bidId === bid.bidId);
      const review = reviews.find((r) => r.bidId === bid.bidId && r.round === recruitment.round);
      const facts: BidFacts = {
        bidStatus: bid.status,
        recruitmentStatus: recruitment.status,
        suspendedFrom: recruitment.suspendedFrom,
        deadlinePassed: now >= recruitment.deadline,
        bidsOpened: openingRows.some((o) => o.recruitmentId === bid.recruitmentId && o.openedAt !== null),
        opening: record ? { digestVerified: record.digestVerified } : null,
        lotFailed: lotRows.some((l) => l.recruitmentId === bid.recruitmentId && l.key === bid.lot && l.status === 'failed'),
        qualified: review?.qualified ?? null,
        candidate: announced.some((c) => c.bidId === bid.bidId && c.round === recruitment.round),
        selected: awarded.some((a) => a.bidId === bid.bidId),
      };
      const view = stageView(facts);
      return { bid, view, scored: showsScore(facts, view.stage) };
    });
    const scores = await scoresOf(entries.filter((entry) => entry.scored).map((entry) => entry.bid));
    return new Map(
      entries.map(({ bid, view }): [string, BidStanding] => [
        bid.bidId,
        {
          ...view,
          score: scores.get(bid.bidId) ?? null,
          notices: notices
            .filter((n) => n.bidId === bid.bidId)
            .map((n) => ({ id: n.id, kindName: KIND_NAMES[n.kind], verifyCode: n.verifyCode })),
        },
      ]),
    );
  }

  /** Each bid's own mean and rank from its recruitment's evaluation report (the current round). */
  async function scoresOf(scored: readonly OwnBidRef[]) {
    const scores = new Map<string, { mean: number; rank: number; of: number }>();
    for (const recruitmentId of new Set(scored.map((bid) => bid.recruitmentId))) {
      const report = await evaluation.evaluationReport(recruitmentId);
      for (const bid of scored.filter((b) => b.recruitmentId === recruitmentId)) {
        const line = report.bids.find((b) => b.bidId === bid.bidId);
        if (!line || line.mean === null || line.rank === null) continue;
        const of = report.bids.filter((b) => b.lot === line.lot && b.rank !== null).length;
        scores.set(bid.bidId, { mean: line.mean, rank: line.rank, of });
      }
    }
    return scores;
  }

  return { standingsOf };
}
