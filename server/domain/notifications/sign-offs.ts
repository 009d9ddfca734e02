import { and, asc, eq, lte, notExists, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { awardSignOffs, challenges, outgoingMails, publicities, recruitments, users } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { awardBlocker } from '../awards/rules.ts';
import type { MailOnce } from './mail-once.ts';

// The named inspector is mailed when a sign-off waits for them (issue 14), once per waiting
// sign-off: the opening's record once the bids are opened, the evaluation once every expert has
// confirmed it, the award once publicity has ended with every challenge answered and none upheld,
// and a cancellation's countersign. The areas call `signOffWaiting` after the commit that makes
// it wait; the award's moment is the end of publicity, which no request marks, so a watch looks
// for it every minute (and the answer to the last challenge looks at once).

export type SignOffKind = 'opening' | 'evaluation' | 'award' | 'cancellation';

export interface WaitingSignOff {
  kind: SignOffKind;
  recruitmentId: string;
  /** the evaluation round the evaluation's or the award's sign-off belongs to */
  round?: number;
}

/** how often the watch looks for awards whose sign-off has come to wait */
export const AWARD_WATCH_MS = 60 * 1000;

const SIGN_OFFS: Record<SignOffKind, { subject: string; text: string; page: (id: string) => string }> = {
  opening: {
    subject: '开标记录待签字确认',
    text: '响应文件已经开启，开标记录等待您核对并签字确认（尚有未答复的异议时，须待经办人答复后签字）。',
    page: (id) => `/recruitments/${id}/opening`,
  },
  evaluation: {
    subject: '评审待签字确认',
    text: '评审委员会全体专家已确认评审结果，评审等待您签字确认；签字后经办人方可公示中选候选人。',
    page: (id) => `/recruitments/${id}/evaluation#signoff-form`,
  },
  award: {
    subject: '定标待签字确认',
    text: '结果公示期已满，质疑均已答复且没有成立的质疑，定标等待您签字确认；签字后经办人方可定标。',
    page: (id) => `/recruitments/${id}/publicity#signoff-form`,
  },
  cancellation: {
    subject: '终止待会签',
    text: '经办人已终止本招募项目，终止等待您会签。',
    page: (id) => `/recruitments/${id}`,
  },
};

const purposeOf = ({ kind, recruitmentId, round }: WaitingSignOff) => `sign-off:${kind}:${recruitmentId}${round ? `:${round}` : ''}`;

export type SignOffMails = ReturnType<typeof createSignOffMails>;

export function createSignOffMails({
  db,
  clock,
  mailOnce,
  publicUrl,
  report,
}: {
  db: Db;
  clock: Clock;
  mailOnce: MailOnce;
  publicUrl: string;
  /** a notification that fails is logged: the change that caused it has committed */
  report: (error: unknown) => void;
}) {
  async function mailWaiting(waiting: WaitingSignOff) {
    const { kind, recruitmentId } = waiting;
    // a draft cancelled has no named inspector: any inspector may countersign it, none is mailed
    const [row] = await db
      .select({ title: recruitments.title, cancelReason: recruitments.cancelReason, name: users.name, email: users.email })
      .from(recruitments)
      .innerJoin(users, and(eq(users.id, recruitments.inspectorId), eq(users.active, true)))
      .where(eq(recruitments.id, recruitmentId));
    if (!row) return;
    const signOff = SIGN_OFFS[kind];
    await mailOnce(purposeOf(waiting), {
      to: row.email,
      subject: `【${signOff.subject}】${row.title}`,
      text: [
        `${row.name}：`,
        '',
        `您监督的招募项目“${row.title}”：${signOff.text}`,
        ...(kind === 'cancellation' && row.cancelReason ? ['', `终止理由：${row.cancelReason}`] : []),
        '',
        `请登录平台办理：${publicUrl}${signOff.page(recruitmentId)}`,
      ].join('\n'),
    });
  }

  /** After the commit that makes the sign-off wait: mails its inspector, once. Never throws. */
  async function signOffWaiting(waiting: WaitingSignOff) {
    await mailWaiting(waiting).catch(report);
  }

  /**
   * Mails the inspector of each recruitment (or of the one given) whose award sign-off now waits:
   * publicity ended, nothing blocks the award (awards/rules.ts), not signed off, not mailed yet.
   */
  async function mailAwardSignOffsDue(recruitmentId?: string) {
    const now = clock.now();
    const candidates = await db
      .select({ id: recruitments.id, round: recruitments.evaluationRound, endsAt: publicities.endsAt })
      .from(recruitments)
      .innerJoin(publicities, and(eq(publicities.recruitmentId, recruitments.id), eq(publicities.round, recruitments.evaluationRound)))
      .where(
        and(
          eq(recruitments.status, 'publicity'),
          recruitmentId ? eq(recruitments.id, recruitmentId) : undefined,
          lte(publicities.endsAt, now),
          notExists(db.select({ id: awardSignOffs.recruitmentId }).from(awardSignOffs).where(eq(awardSignOffs.recruitmentId, recruitments.id))),
          notExists(
            db
              .select({ id: outgoingMails.id })
              .from(outgoingMails)
              .where(eq(outgoingMails.purpose, sql`'sign-off:award:' || ${recruitments.id} || ':' || ${recruitments.evaluationRound}`)),
          ),
        ),
      )
      .orderBy(asc(publicities.endsAt));
    for (const candidate of candidates) {
      const states = await db
        .select({ answeredAt: challenges.answeredAt, upheld: challenges.upheld })
        .from(challenges)
        .where(and(eq(challenges.recruitmentId, candidate.id), eq(challenges.round, candidate.round)));
      if (awardBlocker(now, candidate.endsAt, states) === null) {
        await mailWaiting({ kind: 'award', recruitmentId: candidate.id, round: candidate.round });
      }
    }
  }

  /** Looks for waiting award sign-offs now and every AWARD_WATCH_MS; answers how to stop. */
  function startAwardWatch(): () => void {
    let running: Promise<unknown> = Promise.resolve();
    const run = () => {
      running = running.then(() => mailAwardSignOffsDue()).catch(report);
    };
    run();
    const timer = setInterval(run, AWARD_WATCH_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  return {
    signOffWaiting,
    /** after a challenge is answered: the award's sign-off may wait from now on. Never throws. */
    awardMayWait: (recruitmentId: string) => mailAwardSignOffsDue(recruitmentId).catch(report),
    mailAwardSignOffsDue,
    startAwardWatch,
  };
}
