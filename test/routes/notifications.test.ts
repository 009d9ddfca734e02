import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, auditLog, digestsSent, outgoingMails, users } from '../../server/db/schema.ts';
import { raiseAlert } from '../../server/domain/inspection/alerts.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { Browser } from '../helpers/browser.ts';
import { ALL_PASS, createExperts } from '../helpers/evaluation.ts';
import { outbox } from '../helpers/mail.ts';
import { createInPublicity } from '../helpers/publicity.ts';
import { createCast, createDraft, createPublished, unlockBody, type Cast } from '../helpers/recruitments.ts';

// Notifications (issue 14): the named inspector mailed once when a sign-off waits, the daily
// digest, its opt-out, and the agent mailed when a question, objection or challenge arrives.

let t: TestApp;
let cast: Cast;
/** an inspector named on nothing here: mailed no sign-off */
let otherInspector: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  otherInspector = await createStaff(t, 'inspector');
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
async function api(method: Method, url: string, token: string | null, payload?: object) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
}
async function ok(method: Method, url: string, token: string, payload?: object) {
  const response = await api(method, url, token, payload);
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response;
}

/** The mails with `subject` about recruitment `id` (their links name it). */
const mailsAbout = async (subject: string, id: string) =>
  (await outbox(t)).filter((mail) => mail.subject.startsWith(`【${subject}】`) && mail.text.includes(`/recruitments/${id}`));

async function expectMailedOnceToInspector(subject: string, id: string) {
  const mails = await mailsAbout(subject, id);
  expect(mails.map((mail) => mail.to)).toEqual([cast.inspector.email]);
  expect(mails[0]!.text).toContain(`${cast.inspector.name}：`);
  return mails[0]!;
}

describe('sign-offs waiting for the inspector', () => {
  // one recruitment taken through the opening, the evaluation and publicity
  let id: string;

  it('the opening: mailed once the bids are opened, not before; the agent is mailed the objection', async () => {
    t.clock.set(new Date());
    id = await createPublished(t, cast);
    const bidders = [];
    for (const lot of ['arts', 'arts', 'arts', 'sports', 'sports', 'sports']) {
      const bidder = await createBidder(t);
      await submitBid(t, id, bidder.token, lot, bidder.name);
      bidders.push(bidder);
    }
    const { submissionDeadline } = (await api('GET', `/recruitments/${id}`, null)).json<{ submissionDeadline: string }>();
    t.clock.set(new Date(Date.parse(submissionDeadline) + 1000));
    await ok('POST', `/recruitments/${id}/opening/start`, cast.agentToken);
    await ok('POST', `/recruitments/${id}/opening/attend`, cast.inspectorToken);
    await ok('POST', `/recruitments/${id}/opening/attend`, bidders[0]!.token);
    const objection = (await ok('POST', `/recruitments/${id}/opening/objections`, bidders[0]!.token, { text: '请当场核对我单位文件摘要' })).json();
    const told = (await outbox(t)).filter((mail) => mail.subject.startsWith('【开标异议】') && mail.text.includes(id));
    expect(told.map((mail) => mail.to)).toEqual([cast.agent.email]);
    expect(told[0]!.text).toContain('请当场核对我单位文件摘要');

    await ok('POST', `/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id));
    expect(await mailsAbout('开标记录待签字确认', id)).toEqual([]);
    await ok('POST', `/recruitments/${id}/opening/unlock`, cast.inspectorToken, await unlockBody(t, id));
    const mail = await expectMailedOnceToInspector('开标记录待签字确认', id);
    expect(mail.text).toContain(`/recruitments/${id}/opening`);
    // recorded before it was sent, and marked sent once handed over
    const [recorded] = await t.database.db.select().from(outgoingMails).where(eq(outgoingMails.purpose, `sign-off:opening:${id}`));
    expect(recorded).toMatchObject({ recipient: cast.inspector.email });
    expect(recorded!.sentAt).not.toBeNull();

    await ok('POST', `/objections/${objection.id}/answer`, cast.agentToken, { text: '已核对，摘要一致' });
    await ok('POST', `/recruitments/${id}/opening/sign-off`, cast.inspectorToken, { comment: '开标程序合规' });
    expect(await mailsAbout('开标记录待签字确认', id)).toHaveLength(1);
  });

  it('the evaluation: mailed once every expert has confirmed, not at the earlier confirmations', async () => {
    const { specialty, experts } = await createExperts(t, 5);
    const drawn = await ok('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
    const panel = drawn.json<{ members: { userId: string; order: number }[] }>().members
      .sort((a, b) => a.order - b.order)
      .map((member) => experts.find((expert) => expert.id === member.userId)!);
    for (const expert of panel) await ok('POST', `/recruitments/${id}/panel/declaration`, expert.token, { conflict: false, note: '' });
    const { record } = (await ok('GET', `/recruitments/${id}/opening`, cast.agentToken)).json<{ record: { bidId: string }[] }>();
    for (const { bidId } of record) await ok('PUT', `/recruitments/${id}/qualification/${bidId}`, panel[0]!.token, ALL_PASS);
    for (const expert of panel) {
      for (const [index, { bidId }] of record.entries()) {
        await ok('PUT', `/recruitments/${id}/scores/${bidId}`, expert.token, { scores: { plan: 10 + index, ability: 15, record: 15, share: 10, revenue: 10 }, comment: '' });
      }
      await ok('POST', `/recruitments/${id}/scores/submit`, expert.token);
    }
    for (const expert of panel.slice(0, 4)) await ok('POST', `/recruitments/${id}/evaluation/confirm`, expert.token);
    expect(await mailsAbout('评审待签字确认', id)).toEqual([]);
    await ok('POST', `/recruitments/${id}/evaluation/confirm`, panel[4]!.token);
    const mail = await expectMailedOnceToInspector('评审待签字确认', id);
    expect(mail.text).toContain(`/recruitments/${id}/evaluation#signoff-form`);
    await ok('POST', `/recruitments/${id}/evaluation/sign-off`, cast.inspectorToken, { comment: '评审过程规范' });
    expect(await mailsAbout('评审待签字确认', id)).toHaveLength(1);
  });

  it('the award: mailed by the watch once publicity has ended, once across runs and instances', async () => {
    const { publicityEndsAt } = (await ok('POST', `/recruitments/${id}/publicity`, cast.agentToken)).json<{ publicityEndsAt: string }>();
    const watch = (app: TestApp) => app.app.services.notifications.signOffs.mailAwardSignOffsDue();
    t.clock.set(new Date(Date.parse(publicityEndsAt) - 1000));
    await watch(t);
    expect(await mailsAbout('定标待签字确认', id)).toEqual([]);

    t.clock.set(new Date(Date.parse(publicityEndsAt) + 1000));
    const second = await createTestApp({}, { sharing: t });
    try {
      await Promise.all([watch(t), watch(second), watch(t)]);
      await second.app.services.mailer.drain();
    } finally {
      await second.close();
    }
    const mail = await expectMailedOnceToInspector('定标待签字确认', id);
    expect(mail.text).toContain(`/recruitments/${id}/publicity#signoff-form`);
    await ok('POST', `/recruitments/${id}/award/sign-off`, cast.inspectorToken, { comment: '公示期满，无质疑' });
    await watch(t);
    expect(await mailsAbout('定标待签字确认', id)).toHaveLength(1);
    expect((await outbox(t)).filter((m) => m.to === otherInspector.email)).toEqual([]);
  });

  it('the award after challenges: not while one is open, at once when the last is answered; the agent is mailed each challenge', async () => {
    const publicity = await createInPublicity(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] });
    const raise = async (token: string, text: string) => (await ok('POST', `/recruitments/${publicity.id}/challenges`, token, { text })).json<{ id: string }>().id;
    const first = await raise(publicity.bidders[0]!.token, '评分计算有误');
    const second = await raise(publicity.bidders[1]!.token, '候选人业绩不实');
    const told = (await outbox(t)).filter((mail) => mail.subject.startsWith('【质疑】') && mail.text.includes(publicity.id));
    expect(told.map((mail) => mail.to)).toEqual([cast.agent.email, cast.agent.email]);
    expect(told.map((mail) => mail.text).join()).toContain('候选人业绩不实');
    expect(told[0]!.text).toContain(`/recruitments/${publicity.id}/publicity#challenge-${first}`);

    t.clock.set(new Date(publicity.publicityEndsAt.getTime() + 1000));
    await t.app.services.notifications.signOffs.mailAwardSignOffsDue();
    await ok('POST', `/challenges/${first}/answer`, cast.agentToken, { text: '经复核计算无误', upheld: false });
    expect(await mailsAbout('定标待签字确认', publicity.id)).toEqual([]);
    await ok('POST', `/challenges/${second}/answer`, cast.agentToken, { text: '经核实业绩属实', upheld: false });
    await expectMailedOnceToInspector('定标待签字确认', publicity.id);
  });

  it('a cancellation: its countersign is mailed with the reason; a draft’s, with no named inspector, to no one', async () => {
    const published = await createPublished(t, cast);
    await ok('POST', `/recruitments/${published}/cancel`, cast.agentToken, { reason: '上级决定调整运营方案' });
    const mail = await expectMailedOnceToInspector('终止待会签', published);
    expect(mail.text).toContain('上级决定调整运营方案');
    const draft = await createDraft(t, cast);
    await ok('POST', `/recruitments/${draft}/cancel`, cast.agentToken, { reason: '草稿作废' });
    expect(await mailsAbout('终止待会签', draft)).toEqual([]);
  });
});

describe('the agent told what arrives', () => {
  it('a question: mailed to the recruitment’s agent, without the asker', async () => {
    t.clock.set(new Date());
    const id = await createPublished(t, cast);
    const question = (await ok('POST', `/recruitments/${id}/questions`, cast.bidderToken, { text: '场地可否提前踏勘？' })).json<{ id: string }>();
    const mails = (await outbox(t)).filter((mail) => mail.subject.startsWith('【新提问】') && mail.text.includes(id));
    expect(mails.map((mail) => mail.to)).toEqual([cast.agent.email]);
    expect(mails[0]!.text).toContain('场地可否提前踏勘？');
    expect(mails[0]!.text).toContain(`/agent/recruitments/${id}#question-${question.id}`);
    expect(mails[0]!.text).not.toContain(cast.bidderEmail);
  });
});

/** A Beijing wall-clock time as an instant. */
const beijing = (wallClock: string) => new Date(`${wallClock}+08:00`);
const digests = (app: TestApp = t) => app.app.services.notifications.digests.sendDailyDigests();
const digestsTo = async (email: string, day: string) =>
  (await outbox(t)).filter((mail) => mail.to === email && mail.subject.startsWith(`【每日监督摘要】${day}`));

describe('the daily digest', () => {
  let id: string;
  let supervisor: TestUser;
  const title = '职工文化宫社会化运营合作伙伴招募（摘要测试）';

  beforeAll(async () => {
    supervisor = await createStaff(t, 'inspector');
    await t.database.db.update(users).set({ supervisesAll: true }).where(eq(users.id, supervisor.id));
  });

  it('tells each inspector the day’s entries per action, the notable ones and the open alerts', async () => {
    t.clock.set(beijing('2031-05-10T09:00:00'));
    id = await createDraft(t, cast, { title });
    await ok('POST', `/recruitments/${id}/publish`, cast.agentToken, { inspectorId: cast.inspector.id });
    await ok('POST', `/recruitments/${id}/questions`, cast.bidderToken, { text: '是否接受联合体？' });
    await raiseAlert(t.database.db, { indicator: 'thin_competition', severity: 'medium', recruitmentId: id, subject: '文艺演出类响应单位偏少', evidence: [] }, t.clock.now());
    const general = await raiseAlert(t.database.db, { indicator: 'storage_full', severity: 'low', recruitmentId: null, subject: '存储空间将满', evidence: [] }, t.clock.now());

    t.clock.set(beijing('2031-05-10T18:05:00'));
    expect(await digests()).toBeGreaterThanOrEqual(2);
    const [mail] = await digestsTo(cast.inspector.email, '2031-05-10');
    expect(mail).toBeDefined();
    expect(mail!.subject).toMatch(/操作 \d+ 条，待处理预警 \d+ 条/);
    const text = mail!.text;
    expect(text).toContain(`■ ${title}（公告中）`);
    for (const line of ['创建招募项目 1 条', '发布招募公告 1 条', '提出问题 1 条', '发出监督预警 1 条']) expect(text).toContain(line);
    expect(text).toMatch(/05-10 09:0\d .+：发布招募公告/);
    expect(text).toContain('待处理的预警 1 条（中 1）');
    expect(text).toContain('[中] 文艺演出类响应单位偏少');
    expect(text).toContain('■ 涉及全体纪检监督员的预警');
    expect(text).toContain('[低] 存储空间将满');
    expect(text).toContain(`/inspector/recruitments/${id}/audit`);
    expect(text).toContain('/me/notifications');
    // the supervising inspector watches every recruitment; the other inspector none of these
    expect((await digestsTo(supervisor.email, '2031-05-10'))[0]!.text).toContain(title);
    const others = await digestsTo(otherInspector.email, '2031-05-10');
    expect(others.map((m) => m.text).join()).not.toContain(title);
    await t.database.db.update(alerts).set({ status: 'dismissed' }).where(eq(alerts.id, general.id));
  });

  it('is sent once per person and day, run twice and by two instances at once', async () => {
    t.clock.set(beijing('2031-05-10T18:30:00'));
    const second = await createTestApp({}, { sharing: t });
    try {
      await Promise.all([digests(), digests(second), digests()]);
    } finally {
      await second.close();
    }
    expect(await digestsTo(cast.inspector.email, '2031-05-10')).toHaveLength(1);
    expect(await digestsTo(supervisor.email, '2031-05-10')).toHaveLength(1);
    const rows = await t.database.db.select().from(digestsSent).where(and(eq(digestsSent.userId, cast.inspector.id), eq(digestsSent.day, '2031-05-10')));
    expect(rows).toHaveLength(1);
  });

  it('is not sent to one who turned it off', async () => {
    await ok('PATCH', '/me/notifications', cast.inspectorToken, { dailyDigest: false });
    t.clock.set(beijing('2031-05-11T10:00:00'));
    await ok('POST', `/recruitments/${id}/questions`, cast.bidderToken, { text: '踏勘时间？' });
    t.clock.set(beijing('2031-05-11T18:05:00'));
    await digests();
    expect(await digestsTo(cast.inspector.email, '2031-05-11')).toEqual([]);
    expect((await digestsTo(supervisor.email, '2031-05-11'))[0]!.text).toContain('提出问题 1 条');
    await ok('PATCH', '/me/notifications', cast.inspectorToken, { dailyDigest: true });
  });

  it('is not sent before its hour, nor to one whose recruitments had nothing that day', async () => {
    const quiet = await createCast(t);
    t.clock.set(beijing('2031-05-20T10:00:00'));
    const quietId = await createPublished(t, quiet);
    t.clock.set(beijing('2031-05-21T17:55:00'));
    await digests();
    expect((await outbox(t)).filter((mail) => mail.subject.startsWith('【每日监督摘要】2031-05-21'))).toEqual([]);
    // what was due then is the day before's, which saw the publication
    expect(await digestsTo(quiet.inspector.email, '2031-05-20')).toHaveLength(1);

    t.clock.set(beijing('2031-05-21T18:05:00'));
    await digests();
    expect(await digestsTo(quiet.inspector.email, '2031-05-21')).toEqual([]);
    // still in progress, the quiet one is counted where there is something else to say
    const [supervised] = await digestsTo(supervisor.email, '2031-05-21');
    expect(supervised!.text).toContain('[中] 文艺演出类响应单位偏少');
    expect(supervised!.text).toMatch(/其余 \d+ 个进行中的项目今日没有新操作/);
    expect(supervised!.text).not.toContain(`/inspector/recruitments/${quietId}/audit`);
  });
});

describe('turning the digest off and on', () => {
  it('by the API: the inspector’s own, audited when it changes', async () => {
    const inspector = await createStaff(t, 'inspector');
    const token = await apiToken(t, inspector);
    expect((await api('GET', '/me/notifications', token)).json()).toEqual({ dailyDigest: true });
    const off = await api('PATCH', '/me/notifications', token, { dailyDigest: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ dailyDigest: false });
    await api('PATCH', '/me/notifications', token, { dailyDigest: false });
    expect((await api('GET', '/me/notifications', token)).json()).toEqual({ dailyDigest: false });
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.target, `user:${inspector.id}`));
    expect(entries.filter((e) => e.action === 'user.notifications').map((e) => e.details)).toEqual([{ dailyDigest: false }]);
  });

  it('refuses the signed out (401), other roles (403) and a bad body (400), changing nothing', async () => {
    const inspector = await createStaff(t, 'inspector');
    const token = await apiToken(t, inspector);
    expect((await api('PATCH', '/me/notifications', null, { dailyDigest: false })).statusCode).toBe(401);
    const refused = await api('PATCH', '/me/notifications', cast.agentToken, { dailyDigest: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN');
    for (const body of [{}, { dailyDigest: 'yes' }, { dailyDigest: false, other: 1 }]) {
      const response = await api('PATCH', '/me/notifications', token, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await api('GET', '/me/notifications', token)).json()).toEqual({ dailyDigest: true });
  });

  it('on the page linked from the navigation and from every digest', async () => {
    const inspector = await createStaff(t, 'inspector');
    const browser = new Browser(t.app);
    const signedOut = await browser.get('/me/notifications');
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toContain('/login');
    await browser.signIn(inspector);
    const page = await browser.get('/me/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/me/notifications" aria-current="page"');
    expect(page.body).toMatch(/name="dailyDigest" value="on" checked/);
    expect((await browser.post('/me/notifications', {}, { csrf: false })).statusCode).toBe(403);
    const saved = await browser.post('/me/notifications', {});
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/me/notifications?done=1');
    const after = await browser.get('/me/notifications?done=1');
    expect(after.body).toContain('设置已保存');
    expect(after.body).not.toMatch(/name="dailyDigest" value="on" checked/);
    await browser.post('/me/notifications', { dailyDigest: 'on' });
    expect((await browser.get('/me/notifications')).body).toMatch(/name="dailyDigest" value="on" checked/);

    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get('/me/notifications')).statusCode).toBe(403);
  });
});
