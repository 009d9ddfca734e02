import { and, gt, inArray, max, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { alertWatch, auditLog, recruitments } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { raiseFinding } from './alerts.ts';
import { COMPUTED_INDICATORS } from './indicators/index.ts';
import type { RecruitmentUnderReview } from './indicators/types.ts';
import type { AlertSeverity } from './types.ts';

// The red flags raised when the data appears: a watch reads the audit log, which every change
// writes to, and reviews again each recruitment with new entries since it last read. One
// instance reviews at a time (an advisory lock; the others skip their turn), and a finding already
// raised is never raised again (indicators/types.ts), so a review may run any number of times.

export interface RaisedFinding {
  id: string;
  indicator: string;
  severity: AlertSeverity;
  recruitmentId: string;
  subject: string;
}

const WATCH_LOCK = 0x77617463;

export type AlertReview = ReturnType<typeof createAlertReview>;

export function createAlertReview({
  db,
  clock,
  onRaised,
}: {
  db: Db;
  clock: Clock;
  /** after commit, with the alerts just raised (the mails go out from there) */
  onRaised: (raised: RaisedFinding[]) => Promise<void>;
}) {
  async function reviewOne(tx: Tx, recruitment: RecruitmentUnderReview, now: Date): Promise<RaisedFinding[]> {
    const raised: RaisedFinding[] = [];
    for (const indicator of COMPUTED_INDICATORS) {
      for (const finding of await indicator.detect!(tx, recruitment, now)) {
        const input = {
          indicator: indicator.id,
          severity: finding.severity ?? indicator.severity,
          recruitmentId: recruitment.id,
          subject: finding.subject,
          evidence: finding.evidence,
          findingKey: finding.key,
        };
        const alert = await raiseFinding(tx, input, now);
        if (alert) raised.push({ id: alert.id, indicator: input.indicator, severity: input.severity, recruitmentId: recruitment.id, subject: input.subject });
      }
    }
    return raised;
  }

  /** Reviews the recruitments (drafts have nothing to review); answers what was raised. */
  async function reviewRecruitments(tx: Tx, ids: readonly string[] | 'all', report: (error: unknown, id: string) => void) {
    const rows = await tx
      .select({
        id: recruitments.id,
        title: recruitments.title,
        owner: recruitments.owner,
        status: recruitments.status,
        submissionDeadline: recruitments.submissionDeadline,
        minPublicBenefitRatio: recruitments.minPublicBenefitRatio,
        evaluationRound: recruitments.evaluationRound,
        inspectorId: recruitments.inspectorId,
        escrowHolderId: recruitments.escrowHolderId,
      })
      .from(recruitments)
      .where(and(ne(recruitments.status, 'draft'), ids === 'all' ? undefined : inArray(recruitments.id, [...ids])));
    const now = clock.now();
    const raised: RaisedFinding[] = [];
    for (const recruitment of rows) {
      try {
        // a savepoint each: one recruitment whose review fails leaves the others' alerts standing
        raised.push(...(await tx.transaction((inner) => reviewOne(inner, recruitment, now))));
      } catch (error) {
        report(error, recruitment.id);
      }
    }
    return raised;
  }

  /**
   * One turn of the watch: the recruitments with audit entries after the last one read are
   * reviewed. Answers how many were reviewed and the alerts raised, or null when another instance
   * was reviewing.
   */
  async function reviewNewEntries(report: (error: unknown, recruitmentId: string) => void = rethrow) {
    const outcome = await db.transaction(async (tx) => {
      const { rows } = (await tx.execute(sql`select pg_try_advisory_xact_lock(${WATCH_LOCK}) as locked`)) as unknown as { rows: { locked: boolean }[] };
      if (!rows[0]?.locked) return null;
      const [watch] = await tx.select({ reviewedSeq: alertWatch.reviewedSeq }).from(alertWatch);
      const from = watch?.reviewedSeq ?? 0;
      const [head] = await tx.select({ seq: max(auditLog.seq) }).from(auditLog);
      const to = head?.seq ?? 0;
      if (to <= from) return { reviewed: 0, raised: [] };
      const touched = await tx
        .selectDistinct({ recruitmentId: auditLog.recruitmentId })
        .from(auditLog)
        // an alert's own entry changes nothing an indicator reads
        .where(and(gt(auditLog.seq, from), sql`${auditLog.seq} <= ${to}`, ne(auditLog.action, 'alert.raised')));
      const ids = touched.flatMap(({ recruitmentId }) => (recruitmentId ? [recruitmentId] : []));
      const raised = ids.length > 0 ? await reviewRecruitments(tx, ids, report) : [];
      await tx
        .insert(alertWatch)
        .values({ id: 1, reviewedSeq: to })
        .onConflictDoUpdate({ target: alertWatch.id, set: { reviewedSeq: to } });
      return { reviewed: ids.length, raised };
    });
    if (outcome && outcome.raised.length > 0) await onRaised(outcome.raised);
    return outcome;
  }

  /** Every recruitment reviewed from scratch (after an indicator is added or changed; the bench). */
  async function reviewAll(report: (error: unknown, recruitmentId: string) => void = rethrow) {
    const raised = await db.transaction((tx) => reviewRecruitments(tx, 'all', report));
    if (raised.length > 0) await onRaised(raised);
    return raised;
  }

  /** Runs the watch every `everyMs` until the answered function is called. */
  function startWatch(everyMs: number, report: (error: unknown, recruitmentId?: string) => void) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      reviewNewEntries(report)
        .catch((error: unknown) => report(error))
        .finally(() => {
          running = false;
        });
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return { reviewNewEntries, reviewAll, startWatch };
}

function rethrow(error: unknown): never {
  throw error;
}
