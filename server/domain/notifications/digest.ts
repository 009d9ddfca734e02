import { and, asc, count, eq, gte, inArray, isNotNull, lt, ne, notExists } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { alerts, auditLog, digestsSent, recruitments, users } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import { concernsEveryInspector } from '../inspection/alerts.ts';
import { composeDigest, digestDue, FINISHED_STATUSES, NOTABLE_ACTIONS, type DigestRecruitment } from './digest-mail.ts';

// The daily digest (issue 14): to each active inspector who has not turned it off, the day's
// entries and the open alerts of each recruitment they watch — the ones they are named on, or all
// of them for a supervising inspector — in progress, or finished with entries that day. Sent once
// per person and day whichever server process runs it: the day's row in digests_sent is inserted
// first (committed on its own), and only the process that inserted it sends the mail.

/** each process looks this often whether the day's digest is due: it goes out within this of DIGEST_HOUR */
const CHECK_EVERY_MS = 10 * 60 * 1000;

export type DailyDigests = ReturnType<typeof createDailyDigests>;

export function createDailyDigests({
  db,
  clock,
  mailer,
  publicUrl,
}: {
  db: Db;
  clock: Clock;
  mailer: Pick<Mailer, 'deliver'>;
  publicUrl: string;
}) {
  /** What the period holds, for everyone at once: entries per recruitment and action, notable entries, open alerts. */
  async function periodFacts(from: Date, to: Date) {
    const inPeriod = and(gte(auditLog.at, from), lt(auditLog.at, to), isNotNull(auditLog.recruitmentId));
    const [rows, tallies, notable, open] = await Promise.all([
      db
        .select({ id: recruitments.id, title: recruitments.title, status: recruitments.status, inspectorId: recruitments.inspectorId })
        .from(recruitments)
        .where(ne(recruitments.status, 'draft'))
        .orderBy(asc(recruitments.submissionDeadline)),
      db
        .select({ recruitmentId: auditLog.recruitmentId, action: auditLog.action, count: count() })
        .from(auditLog)
        .where(inPeriod)
        .groupBy(auditLog.recruitmentId, auditLog.action),
      db
        .select({ recruitmentId: auditLog.recruitmentId, at: auditLog.at, action: auditLog.action, actorName: users.name })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(and(inPeriod, inArray(auditLog.action, [...NOTABLE_ACTIONS])))
        .orderBy(asc(auditLog.seq)),
      db
        .select({ recruitmentId: alerts.recruitmentId, indicator: alerts.indicator, severity: alerts.severity, subject: alerts.subject })
        .from(alerts)
        .where(eq(alerts.status, 'open'))
        .orderBy(asc(alerts.raisedAt)),
    ]);
    const recruitmentsWatched: (DigestRecruitment & { inspectorId: string | null })[] = rows.map((row) => ({
      ...row,
      counts: tallies.filter((t) => t.recruitmentId === row.id).map(({ action, count }) => ({ action, count })),
      notable: notable.filter((n) => n.recruitmentId === row.id),
      openAlerts: open.filter((alert) => alert.recruitmentId === row.id),
    }));
    return { recruitments: recruitmentsWatched, open };
  }

  /**
   * Sends the digest due now (digestDue) to each person who has not had it; answers how many were
   * sent. A person with nothing to say is sent nothing (and may be sent one later that day, should
   * an alert open). A failed delivery is reported (thrown when no `report` is given); that
   * person's digest of the day is lost.
   */
  async function sendDailyDigests(report?: (error: unknown) => void): Promise<number> {
    const { day, from, to } = digestDue(clock.now());
    const people = await db
      .select({ id: users.id, name: users.name, email: users.email, supervisesAll: users.supervisesAll })
      .from(users)
      .where(
        and(
          eq(users.role, 'inspector'),
          eq(users.active, true),
          eq(users.dailyDigest, true),
          notExists(db.select({ userId: digestsSent.userId }).from(digestsSent).where(and(eq(digestsSent.userId, users.id), eq(digestsSent.day, day)))),
        ),
      );
    if (people.length === 0) return 0;
    const facts = await periodFacts(from, to);
    let sent = 0;
    for (const person of people) {
      const watched = facts.recruitments.filter(
        (r) => (person.supervisesAll || r.inspectorId === person.id) && (!FINISHED_STATUSES.includes(r.status) || r.counts.length > 0),
      );
      const ids = new Set(watched.map((r) => r.id));
      const generalAlerts = facts.open.filter((alert) => concernsEveryInspector(alert) && !(alert.recruitmentId && ids.has(alert.recruitmentId)));
      const mail = composeDigest({ name: person.name, day, from, to, recruitments: watched, generalAlerts, publicUrl });
      if (!mail) continue;
      const [claimed] = await db
        .insert(digestsSent)
        .values({ userId: person.id, day, sentAt: clock.now() })
        .onConflictDoNothing()
        .returning({ userId: digestsSent.userId });
      if (!claimed) continue;
      try {
        await mailer.deliver({ to: person.email, ...mail });
        sent++;
      } catch (error) {
        if (!report) throw error;
        report(error);
      }
    }
    return sent;
  }

  /** Sends the digest due now, then looks again every CHECK_EVERY_MS; answers how to stop. */
  function startDailyDigests(report: (error: unknown) => void): () => void {
    let running: Promise<unknown> = Promise.resolve();
    const run = () => {
      running = running.then(() => sendDailyDigests(report)).catch(report);
    };
    run();
    const timer = setInterval(run, CHECK_EVERY_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  return { sendDailyDigests, startDailyDigests };
}
