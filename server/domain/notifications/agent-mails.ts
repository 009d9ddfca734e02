import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { recruitments, users } from '../../db/schema.ts';
import type { MailOnce } from './mail-once.ts';

// The agent is mailed when a question, an objection or a challenge arrives on its recruitment
// (issue 14), after the commit that records it, once each. Who raised it is not named: a question
// is anonymous, and the agent sees the objection's or challenge's organisation on the page.

export type ArrivalKind = 'question' | 'objection' | 'challenge' | 'change_request';

export interface Arrival {
  kind: ArrivalKind;
  /** the question's, objection's or challenge's id */
  id: string;
  recruitmentId: string;
  text: string;
}

const ARRIVALS: Record<ArrivalKind, { subject: string; text: string; page: (arrival: Arrival) => string }> = {
  question: {
    subject: '新提问',
    text: '有响应单位就本项目提出了问题，请及时答复（答复公开发布，提问人不公开）。',
    page: ({ recruitmentId, id }) => `/agent/recruitments/${recruitmentId}#question-${id}`,
  },
  objection: {
    subject: '开标异议',
    text: '有响应单位在开标中提出了异议，请当场答复；异议未答复前，纪检监督员不能签字确认开标记录。',
    page: ({ recruitmentId }) => `/recruitments/${recruitmentId}/opening`,
  },
  challenge: {
    subject: '质疑',
    text: '有响应单位对公示结果提出了质疑，请及时答复；质疑未答复前不能定标。',
    page: ({ recruitmentId, id }) => `/recruitments/${recruitmentId}/publicity#challenge-${id}`,
  },
  change_request: {
    subject: '协议修改申请',
    text: '入选单位对合作协议（草案）提出了修改申请，请修订后签发新版本，或说明理由不予修改；答复前该单位不能确认协议文本。',
    page: ({ recruitmentId }) => `/recruitments/${recruitmentId}/partnerships`,
  },
};

export type AgentMails = ReturnType<typeof createAgentMails>;

export function createAgentMails({
  db,
  mailOnce,
  publicUrl,
  report,
}: {
  db: Db;
  mailOnce: MailOnce;
  publicUrl: string;
  /** a notification that fails is logged: what caused it has committed */
  report: (error: unknown) => void;
}) {
  async function mailAgent(arrival: Arrival) {
    const [row] = await db
      .select({ title: recruitments.title, name: users.name, email: users.email })
      .from(recruitments)
      .innerJoin(users, and(eq(users.id, recruitments.agentId), eq(users.active, true)))
      .where(eq(recruitments.id, arrival.recruitmentId));
    if (!row) return;
    const what = ARRIVALS[arrival.kind];
    await mailOnce(`${arrival.kind}:${arrival.id}`, {
      to: row.email,
      subject: `【${what.subject}】${row.title}`,
      text: [`${row.name}：`, '', `“${row.title}”：${what.text}`, '', arrival.text, '', `请登录平台答复：${publicUrl}${what.page(arrival)}`].join('\n'),
    });
  }

  /** After the commit that records it: the recruitment's agent is mailed the arrival. Never throws. */
  const arrived = (arrival: Arrival) => mailAgent(arrival).catch(report);

  return { arrived };
}
