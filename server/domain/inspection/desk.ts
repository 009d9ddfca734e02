import { and, count, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  alerts,
  awardSignOffs,
  challenges,
  evaluationSignOffs,
  objections,
  openings,
  panelDraws,
  panelSubmissions,
  publicities,
  recruitments,
  users,
} from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { STATUS_LABELS } from '../../lib/labels.ts';
import type { SignedInUser } from '../accounts/types.ts';
import type { RecruitmentStatus } from '../recruitments/types.ts';
import { DEADLINE_LABELS, nextDeadline, SIGN_OFF_LABELS, signOffsWaiting, type DeskFacts, type SignOffKind } from './desk-rules.ts';
import { alertsSeenBy, overseerOf, recruitmentsOverseenBy } from './oversight.ts';
import type { AlertSeverity } from './types.ts';

// The inspector's desk (监督工作台): every recruitment the inspector oversees, newest first, with
// its stage, its next deadline and what needs the inspector now — sign-offs, unanswered
// objections and challenges, open alerts by severity. A few grouped queries over the desk's
// recruitments, whatever their number; desk-rules.ts decides from the facts gathered.

const NEWEST_FIRST = [desc(sql`coalesce(${recruitments.publishedAt}, ${recruitments.createdAt})`), desc(recruitments.id)];

type SeverityCounts = Record<AlertSeverity, number>;
const noAlerts = (): SeverityCounts => ({ high: 0, medium: 0, low: 0 });

const SIGN_OFF_PAGES: Record<SignOffKind, string> = {
  opening: 'opening',
  evaluation: 'evaluation',
  award: 'publicity',
  cancellation: '',
};

export function createDesk({ db, clock }: { db: Db; clock: Clock }) {
  /** What desk-rules.ts needs of each recruitment, every round's rows included. */
  async function factsOf(ids: string[]) {
    const [openingRows, objectionRows, drawRows, confirmedRows, evaluationRows, publicityRows, challengeRows, awardRows] = await Promise.all([
      db
        .select({ recruitmentId: openings.recruitmentId, openedAt: openings.openedAt, signedOffAt: openings.signedOffAt })
        .from(openings)
        .where(inArray(openings.recruitmentId, ids)),
      db
        .select({ recruitmentId: objections.recruitmentId, n: count() })
        .from(objections)
        .where(and(inArray(objections.recruitmentId, ids), isNull(objections.answer)))
        .groupBy(objections.recruitmentId),
      db.select({ recruitmentId: panelDraws.recruitmentId, size: panelDraws.size }).from(panelDraws).where(inArray(panelDraws.recruitmentId, ids)),
      db
        .select({ recruitmentId: panelSubmissions.recruitmentId, round: panelSubmissions.round, n: count() })
        .from(panelSubmissions)
        .where(and(inArray(panelSubmissions.recruitmentId, ids), isNotNull(panelSubmissions.confirmedAt)))
        .groupBy(panelSubmissions.recruitmentId, panelSubmissions.round),
      db
        .select({ recruitmentId: evaluationSignOffs.recruitmentId, round: evaluationSignOffs.round })
        .from(evaluationSignOffs)
        .where(inArray(evaluationSignOffs.recruitmentId, ids)),
      db
        .select({ recruitmentId: publicities.recruitmentId, round: publicities.round, endsAt: publicities.endsAt })
        .from(publicities)
        .where(inArray(publicities.recruitmentId, ids)),
      db
        .select({
          recruitmentId: challenges.recruitmentId,
          round: challenges.round,
          unanswered: sql<number>`count(*) filter (where ${challenges.answeredAt} is null)`.mapWith(Number),
          upheld: sql<number>`count(*) filter (where ${challenges.upheld})`.mapWith(Number),
        })
        .from(challenges)
        .where(inArray(challenges.recruitmentId, ids))
        .groupBy(challenges.recruitmentId, challenges.round),
      db.select({ recruitmentId: awardSignOffs.recruitmentId }).from(awardSignOffs).where(inArray(awardSignOffs.recruitmentId, ids)),
    ]);
    const one = <T extends { recruitmentId: string }>(rows: T[]) => new Map(rows.map((row) => [row.recruitmentId, row]));
    return {
      openings: one(openingRows),
      objections: one(objectionRows),
      draws: one(drawRows),
      confirmed: confirmedRows,
      evaluationSignOffs: evaluationRows,
      publicities: publicityRows,
      challenges: challengeRows,
      awardSignedOff: new Set(awardRows.map((row) => row.recruitmentId)),
    };
  }

  /** The desk of `inspector`: its recruitments, and the open alerts it sees about none of them. */
  async function deskOf(inspector: SignedInUser) {
    const overseer = await overseerOf(db, inspector);
    const rows = await db
      .select({
        id: recruitments.id,
        title: recruitments.title,
        owner: recruitments.owner,
        status: recruitments.status,
        suspendedFrom: recruitments.suspendedFrom,
        questionsDeadline: recruitments.questionsDeadline,
        submissionDeadline: recruitments.submissionDeadline,
        publishedAt: recruitments.publishedAt,
        evaluationRound: recruitments.evaluationRound,
        cancelCountersignedAt: recruitments.cancelCountersignedAt,
        inspectorId: recruitments.inspectorId,
        inspectorName: users.name,
      })
      .from(recruitments)
      .leftJoin(users, eq(users.id, recruitments.inspectorId))
      .where(recruitmentsOverseenBy(overseer))
      .orderBy(...NEWEST_FIRST);
    const ids = rows.map((row) => row.id);
    const [facts, alertRows] = await Promise.all([
      factsOf(ids),
      db
        .select({ recruitmentId: alerts.recruitmentId, severity: alerts.severity, n: count() })
        .from(alerts)
        .leftJoin(recruitments, eq(recruitments.id, alerts.recruitmentId))
        .where(and(eq(alerts.status, 'open'), alertsSeenBy(overseer)))
        .groupBy(alerts.recruitmentId, alerts.severity),
    ]);
    const onDesk = new Set(ids);
    const openAlerts = new Map<string, SeverityCounts>();
    const otherOpenAlerts = noAlerts();
    for (const { recruitmentId, severity, n } of alertRows) {
      if (recruitmentId !== null && onDesk.has(recruitmentId)) {
        const counts = openAlerts.get(recruitmentId) ?? noAlerts();
        counts[severity] += n;
        openAlerts.set(recruitmentId, counts);
      } else {
        otherOpenAlerts[severity] += n;
      }
    }
    const now = clock.now();
    return {
      supervisesAll: overseer.supervisesAll,
      recruitments: rows.map((row) => {
        const page = `/recruitments/${row.id}`;
        const opening = facts.openings.get(row.id);
        // publicity, challenges, confirmations and the evaluation sign-off belong to a round:
        // the current one counts
        const current = <T extends { recruitmentId: string; round: number }>(list: T[]) =>
          list.find((item) => item.recruitmentId === row.id && item.round === row.evaluationRound);
        const currentPublicity = current(facts.publicities);
        const roundChallenges = current(facts.challenges);
        const deskFacts: DeskFacts = {
          status: row.status,
          suspendedFrom: row.suspendedFrom,
          questionsDeadline: row.questionsDeadline,
          submissionDeadline: row.submissionDeadline,
          cancelCountersigned: row.cancelCountersignedAt !== null,
          opening: opening ? { opened: opening.openedAt !== null, signedOff: opening.signedOffAt !== null } : null,
          unansweredObjections: facts.objections.get(row.id)?.n ?? 0,
          panelSize: facts.draws.get(row.id)?.size ?? null,
          confirmedMembers: current(facts.confirmed)?.n ?? 0,
          evaluationSignedOff: current(facts.evaluationSignOffs) !== undefined,
          publicityEndsAt: currentPublicity?.endsAt ?? null,
          challenges: { unanswered: roundChallenges?.unanswered ?? 0, upheld: roundChallenges?.upheld ?? 0 },
          awardSignedOff: facts.awardSignedOff.has(row.id),
        };
        const deadline = nextDeadline(deskFacts, now);
        const mine = row.inspectorId === inspector.id;
        return {
          id: row.id,
          title: row.title,
          owner: row.owner,
          status: row.status,
          stage: stageOf(row.status, row.suspendedFrom),
          publishedAt: row.publishedAt,
          inspector: row.inspectorId && row.inspectorName ? { id: row.inspectorId, name: row.inspectorName } : null,
          nextDeadline: deadline && { ...deadline, label: DEADLINE_LABELS[deadline.kind] },
          signOffs: signOffsWaiting(deskFacts, now).map((kind) => ({
            kind,
            label: SIGN_OFF_LABELS[kind],
            // a draft cancelled before publication has no named inspector: any inspector countersigns
            byYou: mine || (kind === 'cancellation' && row.inspectorId === null),
            url: SIGN_OFF_PAGES[kind] ? `${page}/${SIGN_OFF_PAGES[kind]}` : page,
          })),
          openObjections: deskFacts.unansweredObjections,
          openChallenges: facts.challenges.filter((c) => c.recruitmentId === row.id).reduce((sum, c) => sum + c.unanswered, 0),
          openAlerts: openAlerts.get(row.id) ?? noAlerts(),
          links: {
            page,
            opening: opening ? `${page}/opening` : null,
            evaluation: isEvaluated(row.status, row.suspendedFrom) ? `${page}/evaluation` : null,
            publicity: facts.publicities.some((p) => p.recruitmentId === row.id) ? `${page}/publicity` : null,
            documents: row.publishedAt ? `${page}/documents` : null,
            alerts: `/inspector/alerts?recruitmentId=${row.id}`,
            audit: `/inspector/recruitments/${row.id}/audit`,
          },
        };
      }),
      otherOpenAlerts,
    };
  }

  /** The recruitments on the inspector's desk, newest first, to choose from (the alerts' filter). */
  async function recruitmentChoices(inspector: SignedInUser) {
    return db
      .select({ id: recruitments.id, title: recruitments.title })
      .from(recruitments)
      .where(recruitmentsOverseenBy(await overseerOf(db, inspector)))
      .orderBy(...NEWEST_FIRST);
  }

  return { deskOf, recruitmentChoices };
}

export type Desk = Awaited<ReturnType<ReturnType<typeof createDesk>['deskOf']>>;

function stageOf(status: RecruitmentStatus, suspendedFrom: RecruitmentStatus | null): string {
  return suspendedFrom ? `${STATUS_LABELS[status]}（原为${STATUS_LABELS[suspendedFrom]}）` : STATUS_LABELS[status];
}

/** The stages whose evaluation page has something to show (the recruitment page's rule). */
function isEvaluated(status: RecruitmentStatus, suspendedFrom: RecruitmentStatus | null): boolean {
  return ['evaluation', 'publicity', 'awarded'].includes(suspendedFrom ?? status);
}
