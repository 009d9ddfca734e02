import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DAY_MS, DEFAULT_ELIGIBILITY } from '../../server/domain/recruitments/rules.ts';
import {
  ADMIN,
  api,
  bidFields,
  login,
  openingPassphrase,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  setTestClock,
} from '../helpers/server-process.ts';
import { seedReviews, signAndRate, type SeededPartnership } from './seed-partnership.ts';

// The state the browser tests walk through, reached over the real server's HTTP API only: a
// recruitment taken from publication to award on the test clock (opening, panel of five,
// qualification, scores, sign-offs, publicity, award), the partnership's first weeks (signed,
// rated, reviewed: seed-partnership.ts), then a second recruitment still taking bids.

const HOUR_MS = 60 * 60 * 1000;
export const EXPERT_PASSWORD = 'expert-password-1';

export interface SeededState {
  awardedId: string;
  openId: string;
  /** a bid of the bidder in the open recruitment */
  openBidId: string;
  /** the bidder's partnership from the award */
  partnershipId: string;
  /** the verification code of a document issued at the award */
  verifyCode: string;
  /** the partnership's organisation and reviews */
  partnership: SeededPartnership;
  /** users to sign in as, each by its role */
  users: Record<'admin' | 'agent' | 'inspector' | 'expert' | 'bidder', { email: string; password: string }>;
}


const pdf = () => {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048), Buffer.from('\n%%EOF\n')]);
  return { filename: '响应文件.pdf', size: content.length, content: [content] };
};

async function bid(url: string, token: string, recruitmentId: string, lot: string) {
  const { status, body } = await postBid(url, token, recruitmentId, bidFields(lot), [pdf()]).response;
  if (status !== 201) throw new Error(`bid answered ${status}: ${body}`);
  return (JSON.parse(body) as { bidId: string }).bidId;
}

/** Waits (up to 30 s) until a signed document of `kind` is stored for the recruitment; answers it. */
async function issuedDocument(url: string, id: string, token: string, kind: string) {
  for (let tries = 0; tries < 120; tries++) {
    const documents = await api<{ kind: string; verifyCode: string }[]>(url, `/api/v1/recruitments/${id}/documents`, { token });
    const found = documents.find((d) => d.kind === kind);
    if (found) return found;
    await sleep(250);
  }
  throw new Error(`no ${kind} issued`);
}

export async function seedState(url: string, storageDir: string): Promise<SeededState> {
  // the procedure runs in the past so that a second recruitment can be published at today's date
  const { now } = await setTestClock(url, { now: new Date(Date.now() - 45 * DAY_MS).toISOString() });
  const holders = await seedKeyHolders(url);
  const adminToken = await login(url, ADMIN);
  const experts = await Promise.all(
    Array.from({ length: 5 }, async (_, i) => {
      const email = `expert${i + 1}@example.org`;
      const user = { email, name: `专家${'甲乙丙丁戊'[i]}`, role: 'expert', password: EXPERT_PASSWORD };
      const { id } = await api<{ id: string }>(url, '/api/v1/users', { token: adminToken, body: user });
      return { id, email, token: await login(url, user) };
    }),
  );
  const bidders = [];
  for (let i = 0; i < 3; i++) bidders.push(await registerOrganization(url, storageDir));

  const id = await publishRecruitment(url, holders, 2, new Date(Date.parse(now) + 21 * DAY_MS));
  for (const bidder of bidders) await bid(url, bidder.token, id, 'arts');

  await setTestClock(url, { advanceMs: 21 * DAY_MS + HOUR_MS });
  await api(url, `/api/v1/recruitments/${id}/opening/start`, { token: holders.agentToken, body: {} });
  await api(url, `/api/v1/recruitments/${id}/opening/attend`, { token: holders.inspectorToken, body: {} });
  await api(url, `/api/v1/recruitments/${id}/opening/attend`, { token: bidders[0]!.token, body: {} });
  const { bidKeyFingerprint } = await api<{ bidKeyFingerprint: string }>(url, `/api/v1/recruitments/${id}`);
  for (const [token, role] of [[holders.agentToken, 'agent'], [holders.inspectorToken, 'inspector']] as const) {
    await api(url, `/api/v1/recruitments/${id}/opening/unlock`, { token, body: { passphrase: openingPassphrase(role), bidKeyFingerprint } });
  }
  await api(url, `/api/v1/recruitments/${id}/opening/sign-off`, { token: holders.inspectorToken, body: { comment: '开标程序符合规定。' } });
  // the recruitment moves on once the signed opening record is stored
  await issuedDocument(url, id, holders.agentToken, 'opening_record');
  const opening = await api<{ record: { bidId: string }[] }>(url, `/api/v1/recruitments/${id}/opening`, { token: holders.agentToken });

  await setTestClock(url, { advanceMs: DAY_MS });
  const draw = await api<{ members: { userId: string; order: number }[] }>(url, `/api/v1/recruitments/${id}/panel/draw`, {
    token: holders.agentToken,
    body: { size: 5 },
  });
  // the first drawn chairs the panel and records the qualification
  const chairId = draw.members.find((m) => m.order === 1)?.userId;
  const chair = experts.find((e) => e.id === chairId)!;
  for (const expert of experts) await api(url, `/api/v1/recruitments/${id}/panel/declaration`, { token: expert.token, body: { conflict: false, note: '' } });
  const allPass = { results: Object.fromEntries(DEFAULT_ELIGIBILITY.map((c) => [c.key, 'pass'])), reason: '' };
  for (const { bidId } of opening.record) await api(url, `/api/v1/recruitments/${id}/qualification/${bidId}`, { method: 'PUT', token: chair.token, body: allPass });
  for (const [e, expert] of experts.entries()) {
    for (const [b, { bidId }] of opening.record.entries()) {
      const scores = { plan: 20 + b + e, ability: 15, record: 14 - b, share: 10, revenue: 11 };
      await api(url, `/api/v1/recruitments/${id}/scores/${bidId}`, { method: 'PUT', token: expert.token, body: { scores, comment: '' } });
    }
    await api(url, `/api/v1/recruitments/${id}/scores/submit`, { token: expert.token, body: {} });
  }
  for (const expert of experts) await api(url, `/api/v1/recruitments/${id}/evaluation/confirm`, { token: expert.token, body: {} });
  await api(url, `/api/v1/recruitments/${id}/evaluation/sign-off`, { token: holders.inspectorToken, body: { comment: '评审过程规范。' } });
  await issuedDocument(url, id, holders.agentToken, 'evaluation_report');
  await setTestClock(url, { advanceMs: HOUR_MS });
  const { publicityEndsAt } = await api<{ publicityEndsAt: string }>(url, `/api/v1/recruitments/${id}/publicity`, { token: holders.agentToken, body: {} });
  await setTestClock(url, { now: new Date(Date.parse(publicityEndsAt) + 2 * HOUR_MS).toISOString() });
  await api(url, `/api/v1/recruitments/${id}/award/sign-off`, { token: holders.inspectorToken, body: { comment: '同意定标。' } });
  await api(url, `/api/v1/recruitments/${id}/award`, { token: holders.agentToken, body: {} });
  const notice = await issuedDocument(url, id, holders.agentToken, 'award_notice');
  const [partnership] = await api<{ id: string }[]>(url, '/api/v1/partnerships', { token: bidders[0]!.token });
  await signAndRate(url, partnership!.id, { bidder: bidders[0]!.token, agent: holders.agentToken });

  const today = new Date();
  await setTestClock(url, { now: today.toISOString() });
  const reviews = await seedReviews(url, partnership!.id, holders.agentToken, today);
  const openId = await publishRecruitment(url, holders);
  const openBidId = await bid(url, bidders[0]!.token, openId, 'arts');

  return {
    awardedId: id,
    openId,
    openBidId,
    partnershipId: partnership!.id,
    verifyCode: notice.verifyCode,
    partnership: reviews,
    users: {
      admin: ADMIN,
      agent: { email: 'agent@example.org', password: 'agent-password-1' },
      inspector: { email: 'inspector@example.org', password: 'inspector-password-1' },
      expert: { email: chair.email, password: EXPERT_PASSWORD },
      bidder: { email: bidders[0]!.email, password: bidders[0]!.password },
    },
  };
}
