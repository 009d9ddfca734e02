import { beijingDate, toBeijingLocal } from '../../lib/datetime.ts';
import { SEVERITY_LABELS, STATUS_LABELS } from '../../lib/labels.ts';
import { actionLabel } from '../audit/actions.ts';
import { ALERT_SEVERITIES, type AlertSeverity } from '../inspection/types.ts';
import { DAY_MS } from '../recruitments/rules.ts';
import type { RecruitmentStatus } from '../recruitments/types.ts';

// The inspector's daily digest (issue 14), pure: when it is due, and what it says. It covers the
// 24 hours up to DIGEST_HOUR Beijing time, so that every entry falls in exactly one day's digest.

/** the digest goes out at 18:00 Beijing time, the end of the working day */
export const DIGEST_HOUR = 18;

/** at most this many notable entries are listed per recruitment; the record has the rest */
const NOTABLE_LISTED = 20;

/** Entries the inspector should see one by one, not only counted. */
export const NOTABLE_ACTIONS: readonly string[] = [
  'recruitment.publish',
  'recruitment.amend',
  'recruitment.cancel',
  'recruitment.cancel_countersign',
  'recruitment.suspend',
  'recruitment.resume',
  'recruitment.startOpening',
  'recruitment.closeOpening',
  'recruitment.failOpening',
  'recruitment.announceCandidates',
  'recruitment.redoEvaluation',
  'recruitment.award',
  'opening.open',
  'opening.unlock_failed',
  'objection.raise',
  'panel.draw',
  'panel.replace',
  'panel.seat_vacant',
  'panel.supplementary_draw',
  'evaluation.sign_off',
  'challenge.raise',
  'challenge.answer',
  'award.sign_off',
  'bid_key.mismatch',
  'alert.raised',
  'alert.dismiss',
  'alert.escalate',
];

/** Finished recruitments appear in a digest only when something happened to them that day. */
export const FINISHED_STATUSES: readonly RecruitmentStatus[] = ['awarded', 'failed', 'cancelled'];

/** The digest due at `now`: the last day whose DIGEST_HOUR has passed, and the 24 hours up to it. */
export function digestDue(now: Date): { day: string; from: Date; to: Date } {
  const hour = `${String(DIGEST_HOUR).padStart(2, '0')}:00:00+08:00`;
  const today = new Date(`${beijingDate(now)}T${hour}`);
  const to = now.getTime() >= today.getTime() ? today : new Date(today.getTime() - DAY_MS);
  return { day: beijingDate(to), from: new Date(to.getTime() - DAY_MS), to };
}

export interface DigestAlert {
  severity: AlertSeverity;
  subject: string;
}

export interface DigestRecruitment {
  id: string;
  title: string;
  status: RecruitmentStatus;
  /** the period's entries, per action */
  counts: { action: string; count: number }[];
  notable: { at: Date; action: string; actorName: string | null }[];
  openAlerts: DigestAlert[];
}

export interface DigestInput {
  name: string;
  day: string;
  from: Date;
  to: Date;
  recruitments: DigestRecruitment[];
  /** open alerts about no one of the person's recruitments that concern every inspector */
  generalAlerts: DigestAlert[];
  publicUrl: string;
}

const shortTime = (at: Date) => toBeijingLocal(at).slice(5, 16).replace('T', ' ');

function alertLines(alerts: readonly DigestAlert[], indent: string): string[] {
  const sorted = [...alerts].sort((a, b) => ALERT_SEVERITIES.indexOf(a.severity) - ALERT_SEVERITIES.indexOf(b.severity));
  const bySeverity = ALERT_SEVERITIES.flatMap((severity) => {
    const count = alerts.filter((alert) => alert.severity === severity).length;
    return count > 0 ? [`${SEVERITY_LABELS[severity]} ${count}`] : [];
  });
  return [
    `${indent}待处理的预警 ${alerts.length} 条（${bySeverity.join('，')}）：`,
    ...sorted.map((alert) => `${indent}  [${SEVERITY_LABELS[alert.severity]}] ${alert.subject}`),
  ];
}

function recruitmentLines(recruitment: DigestRecruitment, publicUrl: string): string[] {
  const total = recruitment.counts.reduce((sum, { count }) => sum + count, 0);
  const counts = [...recruitment.counts].sort((a, b) => b.count - a.count || (a.action < b.action ? -1 : 1));
  const listed = recruitment.notable.slice(0, NOTABLE_LISTED);
  const unlisted = recruitment.notable.length - listed.length;
  return [
    `■ ${recruitment.title}（${STATUS_LABELS[recruitment.status]}）`,
    ...(total > 0
      ? [`  操作 ${total} 条：`, ...counts.map(({ action, count }) => `    ${actionLabel(action)} ${count} 条`)]
      : ['  今日无新操作。']),
    ...(listed.length > 0
      ? [
          '  值得注意：',
          ...listed.map(({ at, action, actorName }) => `    ${shortTime(at)} ${actorName ?? '平台'}：${actionLabel(action)}`),
          ...(unlisted > 0 ? [`    ……另有 ${unlisted} 条，见操作日志`] : []),
        ]
      : []),
    ...(recruitment.openAlerts.length > 0 ? alertLines(recruitment.openAlerts, '  ') : []),
    `  操作日志：${publicUrl}/inspector/recruitments/${recruitment.id}/audit`,
    ...(recruitment.openAlerts.length > 0 ? [`  预警：${publicUrl}/inspector/alerts?recruitmentId=${recruitment.id}`] : []),
  ];
}

/** The digest's subject and text, or null when there is nothing to say. */
export function composeDigest(input: DigestInput): { subject: string; text: string } | null {
  const telling = input.recruitments.filter((r) => r.counts.length > 0 || r.openAlerts.length > 0);
  if (telling.length === 0 && input.generalAlerts.length === 0) return null;
  const quiet = input.recruitments.length - telling.length;
  const entries = telling.reduce((sum, r) => sum + r.counts.reduce((s, { count }) => s + count, 0), 0);
  const alerts = telling.reduce((sum, r) => sum + r.openAlerts.length, input.generalAlerts.length);
  const text = [
    `${input.name}：`,
    '',
    `${shortTime(input.from)} 至 ${shortTime(input.to)}（北京时间），您监督的招募项目动态和待处理的监督预警如下。`,
    ...telling.flatMap((recruitment) => ['', ...recruitmentLines(recruitment, input.publicUrl)]),
    ...(input.generalAlerts.length > 0
      ? ['', '■ 涉及全体纪检监督员的预警', ...alertLines(input.generalAlerts, '  '), `  预警：${input.publicUrl}/inspector/alerts`]
      : []),
    ...(quiet > 0 ? ['', `其余 ${quiet} 个进行中的项目今日没有新操作，也没有待处理的预警。`] : []),
    '',
    '——',
    `本摘要每天 ${DIGEST_HOUR}:00 发送。不想再收到，可在此关闭：${input.publicUrl}/me/notifications`,
  ].join('\n');
  return { subject: `【每日监督摘要】${input.day}：操作 ${entries} 条，待处理预警 ${alerts} 条`, text };
}
