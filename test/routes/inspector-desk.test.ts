import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../server/db/schema.ts';
import { raiseAlert, type AlertInput } from '../../server/domain/inspection/alerts.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createOpened, createSignedOffEvaluation } from '../helpers/evaluation.ts';
import { outbox } from '../helpers/mail.ts';
import { createInPublicity } from '../helpers/publicity.ts';
import { createCast, createDraft, createPublished, type Cast } from '../helpers/recruitments.ts';

// The inspector's desk (/inspector, GET /api/v1/inspector/desk): the recruitments an inspector
// oversees, what each waits for, and the supervising view an administrator grants.

let t: TestApp;
let cast: Cast;
let other: Cast;
let admin: TestUser & { token: string };

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  other = await createCast(t);
  const user = await createStaff(t, 'admin');
  admin = { ...user, token: await apiToken(t, user) };
});
afterAll(() => t.close());

interface DeskItem {
  id: string;
  status: string;
  stage: string;
  nextDeadline: { kind: string; label: string; at: string } | null;
  signOffs: { kind: string; label: string; byYou: boolean; url: string }[];
  openObjections: number;
  openChallenges: number;
  openAlerts: { high: number; medium: number; low: number };
  links: Record<string, string | null>;
}

const deskOf = async (token: string) => {
  const response = await t.app.inject({ url: '/api/v1/inspector/desk', headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json<{ supervisesAll: boolean; recruitments: DeskItem[]; otherOpenAlerts: DeskItem['openAlerts'] }>();
};
const itemOf = async (token: string, id: string) => (await deskOf(token)).recruitments.find((item) => item.id === id);
const kinds = (item: DeskItem | undefined) => item?.signOffs.map((signOff) => signOff.kind);

async function post(url: string, token: string, payload: object = {}) {
  const response = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json();
}

const raise = (input: Partial<AlertInput> & { recruitmentId: string | null }) =>
  raiseAlert(t.database.db, { indicator: 'bids_from_one_address', severity: 'high', subject: '预警', evidence: [], ...input }, t.clock.now());

describe('GET /api/v1/inspector/desk', () => {
  it('lists the recruitments the inspector is named on, newest first, with the stage and the next deadline; not another inspector\'s', async () => {
    t.clock.set(new Date());
    const older = await createPublished(t, cast);
    t.clock.advance(60_000);
    const newer = await createPublished(t, cast);
    const othersOwn = await createPublished(t, other);
    const desk = await deskOf(cast.inspectorToken);
    expect(desk.supervisesAll).toBe(false);
    const ids = desk.recruitments.map((item) => item.id);
    expect(ids.indexOf(newer)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    expect(ids).not.toContain(othersOwn);
    expect((await deskOf(other.inspectorToken)).recruitments.map((item) => item.id)).toEqual([othersOwn]);

    const detail = (await t.app.inject({ url: `/api/v1/recruitments/${newer}` })).json();
    const item = desk.recruitments.find((r) => r.id === newer);
    expect(item).toMatchObject({
      status: 'published',
      stage: '公告中',
      nextDeadline: { kind: 'questions', label: '提问截止', at: detail.questionsDeadline },
      signOffs: [],
      openObjections: 0,
      openChallenges: 0,
      openAlerts: { high: 0, medium: 0, low: 0 },
      links: {
        page: `/recruitments/${newer}`,
        opening: null,
        evaluation: null,
        publicity: null,
        documents: `/recruitments/${newer}/documents`,
        alerts: `/inspector/alerts?recruitmentId=${newer}`,
        audit: `/inspector/recruitments/${newer}/audit`,
      },
    });
    t.clock.set(new Date(Date.parse(detail.questionsDeadline) + 1000));
    expect((await itemOf(cast.inspectorToken, newer))?.nextDeadline).toMatchObject({ kind: 'submission', at: detail.submissionDeadline });
  });

  it('shows the opening sign-off once the bids are opened, held back while an objection is unanswered', async () => {
    const { id, bidders } = await createOpened(t, cast, { arts: [30, 40, 50] });
    const opened = await itemOf(cast.inspectorToken, id);
    expect(opened).toMatchObject({ status: 'opening', stage: '开标中', nextDeadline: null, links: { opening: `/recruitments/${id}/opening` } });
    expect(opened?.signOffs).toEqual([{ kind: 'opening', label: '开标签字确认', byYou: true, url: `/recruitments/${id}/opening` }]);

    const objection = await post(`/api/v1/recruitments/${id}/opening/objections`, bidders[0]!.token, { text: '我单位的文件摘要与回执不符' });
    const held = await itemOf(cast.inspectorToken, id);
    expect(held).toMatchObject({ openObjections: 1, signOffs: [] });
    await post(`/api/v1/objections/${objection.id}/answer`, cast.agentToken, { text: '经核对，摘要一致' });
    expect(await itemOf(cast.inspectorToken, id)).toMatchObject({ openObjections: 0 });
    expect(kinds(await itemOf(cast.inspectorToken, id))).toEqual(['opening']);
    await post(`/api/v1/recruitments/${id}/opening/sign-off`, cast.inspectorToken, { comment: '开标程序合规' });
    expect(await itemOf(cast.inspectorToken, id)).toMatchObject({ status: 'evaluation', signOffs: [] });
  });

  it('shows the evaluation sign-off once every expert has confirmed, and no longer once given', async () => {
    const { id } = await createSignedOffEvaluation(t, cast, { arts: [30, 40, 50] }, { signOff: false });
    const waiting = await itemOf(cast.inspectorToken, id);
    expect(waiting).toMatchObject({ stage: '评审中', links: { evaluation: `/recruitments/${id}/evaluation` } });
    expect(waiting?.signOffs).toEqual([{ kind: 'evaluation', label: '评审签字确认', byYou: true, url: `/recruitments/${id}/evaluation` }]);
    await post(`/api/v1/recruitments/${id}/evaluation/sign-off`, cast.inspectorToken, { comment: '评审过程规范' });
    expect(kinds(await itemOf(cast.inspectorToken, id))).toEqual([]);
  });

  it('runs to the end of publicity; an open challenge holds back the award sign-off until answered', async () => {
    const { id, bidders, publicityEndsAt } = await createInPublicity(t, cast, { arts: [30, 40, 50] });
    const running = await itemOf(cast.inspectorToken, id);
    expect(running).toMatchObject({ stage: '结果公示中', nextDeadline: { kind: 'publicity', label: '公示期满', at: publicityEndsAt.toISOString() }, signOffs: [] });
    expect(running?.links.publicity).toBe(`/recruitments/${id}/publicity`);

    const challenge = await post(`/api/v1/recruitments/${id}/challenges`, bidders[0]!.token, { text: '评分有误' });
    expect(await itemOf(cast.inspectorToken, id)).toMatchObject({ openChallenges: 1 });
    t.clock.set(new Date(publicityEndsAt.getTime() + 1000));
    expect(kinds(await itemOf(cast.inspectorToken, id))).toEqual([]);
    await post(`/api/v1/challenges/${challenge.id}/answer`, cast.agentToken, { text: '经复核，评分无误', upheld: false });
    const ended = await itemOf(cast.inspectorToken, id);
    expect(ended).toMatchObject({ openChallenges: 0 });
    expect(ended?.signOffs).toEqual([{ kind: 'award', label: '定标签字确认', byYou: true, url: `/recruitments/${id}/publicity` }]);
  });

  it('shows a cancellation waiting for the countersignature; a draft cancelled before any inspector was named waits on every desk', async () => {
    const id = await createPublished(t, cast);
    await post(`/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '预算取消' });
    expect((await itemOf(cast.inspectorToken, id))?.signOffs).toEqual([{ kind: 'cancellation', label: '会签终止', byYou: true, url: `/recruitments/${id}` }]);

    const draft = await createDraft(t, cast);
    expect(await itemOf(other.inspectorToken, draft)).toBeUndefined();
    await post(`/api/v1/recruitments/${draft}/cancel`, cast.agentToken, { reason: '立项撤销' });
    expect(await itemOf(other.inspectorToken, draft)).toMatchObject({ stage: '已终止', signOffs: [{ kind: 'cancellation', byYou: true }] });
    await post(`/api/v1/recruitments/${draft}/cancel/countersign`, other.inspectorToken);
    expect(await itemOf(cast.inspectorToken, draft)).toBeUndefined();
  });

  it('counts the open alerts by severity; those about no recruitment on the desk apart', async () => {
    const id = await createPublished(t, cast);
    const before = (await deskOf(cast.inspectorToken)).otherOpenAlerts;
    await raise({ recruitmentId: id });
    await raise({ recruitmentId: id, indicator: 'bid_key_mismatch', severity: 'medium' });
    const dismissed = await raise({ recruitmentId: id, indicator: 'escrow_opening', severity: 'medium' });
    await post(`/api/v1/inspector/alerts/${dismissed.id}/decision`, cast.inspectorToken, { status: 'dismissed', note: '理由充分' });
    await raise({ recruitmentId: null, indicator: 'storage_full', severity: 'low' });
    // another inspector's recruitment: its escrow opening concerns every inspector
    await raise({ recruitmentId: await createPublished(t, other), indicator: 'escrow_opening', severity: 'high' });
    const desk = await deskOf(cast.inspectorToken);
    expect(desk.recruitments.find((item) => item.id === id)?.openAlerts).toEqual({ high: 1, medium: 1, low: 0 });
    expect(desk.otherOpenAlerts).toEqual({ high: before.high + 1, medium: before.medium, low: before.low + 1 });
  });

  it('refuses other roles (403) and no sign-in (401)', async () => {
    for (const token of [cast.agentToken, cast.bidderToken, admin.token]) {
      const response = await t.app.inject({ url: '/api/v1/inspector/desk', headers: bearer(token) });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    }
    expect((await t.app.inject({ url: '/api/v1/inspector/desk' })).statusCode).toBe(401);
  });
});

describe('the supervising view', () => {
  const grant = (token: string, userId: string, supervisesAll: unknown) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/users/${userId}/supervises-all`, headers: bearer(token), payload: { supervisesAll } });
  const entriesFor = (userId: string) => t.database.db.select().from(auditLog).where(eq(auditLog.target, `user:${userId}`)).orderBy(auditLog.seq);

  it('is granted and withdrawn by an administrator, audited; the supervising inspector sees every recruitment and alert, and is mailed', async () => {
    const user = await createStaff(t, 'inspector');
    const supervisor = { ...user, token: await apiToken(t, user) };
    const mine = await createPublished(t, cast);
    const theirs = await createPublished(t, other);
    const alert = await raise({ recruitmentId: theirs });
    const listed = async () =>
      (await t.app.inject({ url: '/api/v1/inspector/alerts', headers: bearer(supervisor.token) })).json().map((a: { id: string }) => a.id);
    expect((await deskOf(supervisor.token)).recruitments).toEqual([]);
    expect(await listed()).not.toContain(alert.id);

    const granted = await grant(admin.token, supervisor.id, true);
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ id: supervisor.id, supervisesAll: true });
    expect((await grant(admin.token, supervisor.id, true)).statusCode).toBe(200);
    expect((await entriesFor(supervisor.id)).filter((e) => e.action.startsWith('user.supervise')).map((e) => [e.action, e.actorId])).toEqual([
      ['user.supervise_grant', admin.id],
    ]);

    const desk = await deskOf(supervisor.token);
    expect(desk.supervisesAll).toBe(true);
    expect(desk.recruitments.map((item) => item.id)).toEqual(expect.arrayContaining([mine, theirs]));
    const cancelled = await createPublished(t, cast);
    await post(`/api/v1/recruitments/${cancelled}/cancel`, cast.agentToken, { reason: '预算取消' });
    // the named inspector's sign-off, shown to the supervisor as someone else's
    expect((await itemOf(supervisor.token, cancelled))?.signOffs).toEqual([expect.objectContaining({ kind: 'cancellation', byYou: false })]);
    expect(await listed()).toContain(alert.id);
    expect((await post(`/api/v1/inspector/alerts/${alert.id}/decision`, supervisor.token, { status: 'escalated', note: '移交调查' })).status).toBe('escalated');
    await t.app.services.inspection.mailAlert({ indicator: 'bids_from_one_address', recruitmentId: theirs, subject: '高级别预警' });
    const mails = (await outbox(t)).filter((mail) => mail.subject.includes('多家单位从同一地址'));
    expect(mails.map((mail) => mail.to)).toEqual(expect.arrayContaining([supervisor.email, other.inspector.email]));
    expect(mails.map((mail) => mail.to)).not.toContain(cast.inspector.email);

    expect((await grant(admin.token, supervisor.id, false)).json()).toMatchObject({ supervisesAll: false });
    expect((await deskOf(supervisor.token)).recruitments).toEqual([]);
    expect(await listed()).not.toContain(alert.id);
    expect((await entriesFor(supervisor.id)).filter((e) => e.action.startsWith('user.supervise')).map((e) => e.action)).toEqual([
      'user.supervise_grant',
      'user.supervise_withdraw',
    ]);
  });

  it('is refused for anyone but an inspector (409), an unknown user (404), other roles (403) and bad input (400)', async () => {
    const before = (await entriesFor(cast.agent.id)).length;
    const notInspector = await grant(admin.token, cast.agent.id, true);
    expect(notInspector.statusCode).toBe(409);
    expect(notInspector.json()).toMatchObject({ code: 'NOT_AN_INSPECTOR', message: expect.stringMatching(/纪检监督员/) });
    expect((await grant(admin.token, '00000000-0000-4000-8000-000000000000', true)).statusCode).toBe(404);
    expect((await grant(cast.agentToken, cast.inspector.id, true)).statusCode).toBe(403);
    expect((await grant(cast.inspectorToken, cast.inspector.id, true)).statusCode).toBe(403);
    expect((await grant(admin.token, cast.inspector.id, 'yes')).statusCode).toBe(400);
    expect((await grant(admin.token, 'nope', true)).statusCode).toBe(400);
    expect((await entriesFor(cast.agent.id)).length).toBe(before);
    expect((await deskOf(cast.inspectorToken)).supervisesAll).toBe(false);
  });

  it('is granted from the administrator\'s users page with a form (CSRF token required)', async () => {
    const user = await createStaff(t, 'inspector');
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    const page = await browser.get('/admin');
    expect(page.body).toContain(`action="/admin/users/${user.id}/supervises-all"`);
    expect(page.body).not.toContain(`action="/admin/users/${cast.agent.id}/supervises-all"`);
    expect((await browser.post(`/admin/users/${user.id}/supervises-all`, { supervisesAll: '1' }, { csrf: false })).statusCode).toBe(403);
    const done = await browser.post(`/admin/users/${user.id}/supervises-all`, { supervisesAll: '1' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/admin?done=supervision#users');
    const after = await browser.get('/admin?done=supervision');
    expect(after.body).toContain('监督权限已更新');
    expect(after.body).toContain('收回全部项目监督权限');

    const inspector = new Browser(t.app);
    await inspector.signIn(user);
    expect((await inspector.get('/inspector')).body).toContain('您有全部项目监督权限');
  });
});

describe('the desk page', () => {
  it('shows each recruitment as a card with what waits for the inspector, its links and alert counts; refuses other roles', async () => {
    const { id } = await createOpened(t, cast, { arts: [30, 40, 50] });
    await raise({ recruitmentId: id, severity: 'high' });
    const browser = new Browser(t.app);
    await browser.signIn(cast.inspector);
    const page = await browser.get('/inspector');
    expect(page.statusCode).toBe(200);
    const card = page.body.slice(page.body.indexOf(`id="recruitment-${id}"`));
    const first = card.slice(0, card.indexOf('</li>'));
    expect(first).toContain('开标中');
    expect(first).toContain(`<a class="desk-todo" href="/recruitments/${id}/opening">待您开标签字确认</a>`);
    expect(first).toContain(`href="/inspector/alerts?recruitmentId=${id}&amp;status=open&amp;severity=high">高 1</a>`);
    expect(first).toContain(`href="/inspector/recruitments/${id}/audit"`);
    expect(first).toContain(`href="/inspector/alerts?recruitmentId=${id}"`);
    expect(first).toContain(`href="/recruitments/${id}/documents"`);
    expect(page.body).toContain('class="desk-item needs-you"');

    for (const user of [cast.agent, admin]) {
      const someone = new Browser(t.app);
      await someone.signIn(user);
      expect((await someone.get('/inspector')).statusCode).toBe(403);
    }
    expect((await new Browser(t.app).get('/inspector')).headers.location).toBe('/login?next=%2Finspector');
  });
});
