import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, auditLog } from '../../server/db/schema.ts';
import { raiseAlert, raiseAlertOnce, type AlertInput } from '../../server/domain/inspection/alerts.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

let t: TestApp;
let cast: Cast;
let otherInspector: { id: string; email: string; password: string; token: string };

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  const other = await createStaff(t, 'inspector');
  otherInspector = { ...other, token: await apiToken(t, other) };
});
afterAll(() => t.close());

const list = (token: string, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/inspector/alerts${query}`, headers: bearer(token) });
const evidence = [{ kind: 'audit', id: '42', detail: '操作日志第 42 条', url: '/inspector/audit' }];

describe('GET /api/v1/inspector/alerts', () => {
  it('shows a recruitment\'s alert to its named inspector only, and an alert about no recruitment to every inspector', async () => {
    const id = await createPublished(t, cast);
    const own = await raiseAlert(t.database.db, { indicator: 'bids_from_one_address', severity: 'high', recruitmentId: id, subject: '多家单位的响应文件来自同一 IP 地址', evidence }, t.clock.now());
    const general = await raiseAlert(t.database.db, { indicator: 'chain_broken', severity: 'medium', recruitmentId: null, subject: '操作日志核验失败', evidence: [] }, t.clock.now());
    const named = await list(cast.inspectorToken, `?recruitmentId=${id}`);
    expect(named.statusCode).toBe(200);
    expect(named.json()).toEqual([
      {
        id: own.id,
        indicator: 'bids_from_one_address',
        severity: 'high',
        recruitmentId: id,
        subject: '多家单位的响应文件来自同一 IP 地址',
        evidence,
        raisedAt: expect.any(String),
        status: 'open',
        note: null,
        decidedBy: null,
        decidedAt: null,
      },
    ]);
    const others = (await list(otherInspector.token)).json().map((a: { id: string }) => a.id);
    expect(others).toContain(general.id);
    expect(others).not.toContain(own.id);
    expect((await list(cast.inspectorToken)).json().map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([own.id, general.id]));
  });

  it('shows an escrow-opening alert to every inspector', async () => {
    const id = await createPublished(t, cast);
    const alert = await raiseAlert(t.database.db, { indicator: 'escrow_opening', severity: 'high', recruitmentId: id, subject: '密钥托管人参与开标', evidence }, t.clock.now());
    expect((await list(otherInspector.token, `?recruitmentId=${id}`)).json().map((a: { id: string }) => a.id)).toEqual([alert.id]);
  });

  it('filters by status and refuses other roles (403), a bad filter (400) and no sign-in (401)', async () => {
    await raiseAlert(t.database.db, { indicator: 'chain_broken', severity: 'low', recruitmentId: null, subject: 'x', evidence: [] }, t.clock.now());
    expect((await list(cast.inspectorToken, '?status=dismissed')).json()).toEqual([]);
    expect((await list(cast.inspectorToken, '?status=open')).json().length).toBeGreaterThan(0);
    expect((await list(cast.inspectorToken, '?status=closed')).statusCode).toBe(400);
    expect((await list(cast.inspectorToken, '?recruitmentId=nope')).statusCode).toBe(400);
    expect((await list(cast.agentToken)).statusCode).toBe(403);
    expect((await list(cast.bidderToken)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/inspector/alerts' })).statusCode).toBe(401);
  });
});

describe('raiseAlert', () => {
  it('appends an alert.raised audit entry, and inside a caller\'s transaction rolls back with it', async () => {
    const id = await createPublished(t, cast);
    const raised = await raiseAlert(t.database.db, { indicator: 'bid_key_mismatch', severity: 'high', recruitmentId: id, subject: '已记录', evidence }, t.clock.now());
    const entries = (await t.app.inject({ method: 'GET', url: `/api/v1/audit?recruitmentId=${id}`, headers: bearer(cast.inspectorToken) })).json();
    expect(entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'alert.raised', target: `alert:${raised.id}` })]),
    );
    await expect(
      t.database.db.transaction(async (tx) => {
        await raiseAlert(tx, { indicator: 'bid_key_mismatch', severity: 'high', recruitmentId: id, subject: '回滚', evidence }, t.clock.now());
        throw new Error('the caller fails');
      }),
    ).rejects.toThrow('the caller fails');
    expect((await t.rawRows(`select count(*)::int as n from alerts where subject = '回滚'`))[0]!.n).toBe(0);
    const verify = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(cast.inspectorToken) })).json();
    expect(verify.ok).toBe(true);
  });
});

describe('raiseAlertOnce', () => {
  // three bids refused at once on a full disk raised three alerts (the fault test of a real disk)
  it('raises one alert for one open condition however many raise it at once', async () => {
    const id = await createPublished(t, cast);
    const input = { indicator: 'storage_full', severity: 'high' as const, recruitmentId: id, subject: '存储空间已满', evidence };
    const raised = await Promise.all(Array.from({ length: 4 }, () => raiseAlertOnce(t.database.db, input, t.clock.now())));
    expect(raised.filter(Boolean)).toHaveLength(1);
    expect((await t.rawRows(`select count(*)::int as n from alerts where recruitment_id = '${id}'`))[0]!.n).toBe(1);
  });
});

describe('the alerts page', () => {
  it('lists the alerts with their indicator named in Chinese, linked from the inspector\'s page', async () => {
    const id = await createPublished(t, cast);
    await raiseAlert(t.database.db, { indicator: 'escrow_opening', severity: 'high', recruitmentId: id, subject: '托管人代替监督员开启', evidence }, t.clock.now());
    const browser = new Browser(t.app);
    await browser.signIn(cast.inspector);
    expect((await browser.get('/inspector')).body).toContain('href="/inspector/alerts"');
    const page = await browser.get('/inspector/alerts');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('密钥托管人参与开标');
    expect(page.body).toContain('托管人代替监督员开启');
    expect(page.body).toContain('操作日志第 42 条');
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get('/inspector/alerts')).statusCode).toBe(403);
  });
});

const decide = (token: string, id: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url: `/api/v1/inspector/alerts/${id}/decision`, headers: bearer(token), payload: payload as object });
const raise = (input: Partial<AlertInput> & { recruitmentId: string | null }) =>
  raiseAlert(t.database.db, { indicator: 'bids_from_one_address', severity: 'high', subject: '多家单位的响应文件来自同一 IP 地址', evidence, ...input }, t.clock.now());
const entriesOf = (alertId: string) => t.database.db.select().from(auditLog).where(eq(auditLog.target, `alert:${alertId}`)).orderBy(auditLog.seq);
const rowOf = async (alertId: string) => (await t.database.db.select().from(alerts).where(eq(alerts.id, alertId)))[0]!;

describe('POST /api/v1/inspector/alerts/:id/decision', () => {
  it('dismisses with a note, kept with who decided and when, audited; reopens, then escalates', async () => {
    const id = await createPublished(t, cast);
    const alert = await raise({ recruitmentId: id });
    const dismissed = await decide(cast.inspectorToken, alert.id, { status: 'dismissed', note: '  已核实：两家单位同在一栋办公楼，共用网络出口。\n不构成串通。 ' });
    expect(dismissed.statusCode).toBe(200);
    expect(dismissed.json()).toMatchObject({
      id: alert.id,
      status: 'dismissed',
      note: '已核实：两家单位同在一栋办公楼，共用网络出口。\n不构成串通。',
      decidedBy: { id: cast.inspector.id, name: cast.inspector.name },
      decidedAt: expect.any(String),
    });
    // a dismissed alert stays listed, with its decision
    const listed = (await list(cast.inspectorToken, `?recruitmentId=${id}&status=dismissed`)).json();
    expect(listed).toEqual([expect.objectContaining({ id: alert.id, decidedBy: { id: cast.inspector.id, name: cast.inspector.name } })]);

    const reopened = await decide(cast.inspectorToken, alert.id, { status: 'open', note: '收到新的举报材料' });
    expect(reopened.json()).toMatchObject({ status: 'open', note: '收到新的举报材料' });
    expect((await decide(cast.inspectorToken, alert.id, { status: 'escalated', note: '报请上级纪委调查' })).json()).toMatchObject({ status: 'escalated' });

    const entries = await entriesOf(alert.id);
    expect(entries.map((entry) => entry.action)).toEqual(['alert.raised', 'alert.dismiss', 'alert.reopen', 'alert.escalate']);
    expect(entries[1]!.at).toEqual(new Date(dismissed.json().decidedAt));
    expect(entries[1]).toMatchObject({
      actorId: cast.inspector.id,
      recruitmentId: id,
      details: { indicator: 'bids_from_one_address', from: 'open', to: 'dismissed', note: '已核实：两家单位同在一栋办公楼，共用网络出口。\n不构成串通。' },
    });
    const verify = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(cast.inspectorToken) })).json();
    expect(verify.ok).toBe(true);
  });

  it('refuses an unknown or unseen alert (404), other roles (403), bad input (400) and the status it has (409), changing nothing', async () => {
    const id = await createPublished(t, cast);
    const alert = await raise({ recruitmentId: id });
    const before = await rowOf(alert.id);
    const good = { status: 'dismissed', note: '核查无问题' };
    const attempt = async (token: string, alertId: string, payload: unknown, status: number, code?: string) => {
      const response = await decide(token, alertId, payload);
      expect(response.statusCode).toBe(status);
      if (code) expect(response.json().code).toBe(code);
      expect(response.json().message).toMatch(/[\u4e00-\u9fff]/);
    };
    await attempt(cast.inspectorToken, '00000000-0000-4000-8000-000000000000', good, 404, 'NOT_FOUND');
    await attempt(otherInspector.token, alert.id, good, 404, 'NOT_FOUND');
    await attempt(cast.agentToken, alert.id, good, 403, 'FORBIDDEN');
    await attempt(cast.bidderToken, alert.id, good, 403, 'FORBIDDEN');
    await attempt(cast.inspectorToken, 'not-an-id', good, 400);
    await attempt(cast.inspectorToken, alert.id, { status: 'closed', note: '核查无问题' }, 400);
    await attempt(cast.inspectorToken, alert.id, { status: 'dismissed' }, 400);
    await attempt(cast.inspectorToken, alert.id, { status: 'dismissed', note: '好' }, 400);
    await attempt(cast.inspectorToken, alert.id, { status: 'dismissed', note: '    ' }, 400, 'NOTE_REQUIRED');
    await attempt(cast.inspectorToken, alert.id, { status: 'dismissed', note: '长'.repeat(2001) }, 400);
    await attempt(cast.inspectorToken, alert.id, { status: 'open', note: '仍待核查' }, 409, 'ALERT_STATUS_UNCHANGED');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/inspector/alerts/${alert.id}/decision`, payload: good })).statusCode).toBe(401);
    expect(await rowOf(alert.id)).toEqual(before);
    expect((await entriesOf(alert.id)).map((entry) => entry.action)).toEqual(['alert.raised']);

    expect((await decide(cast.inspectorToken, alert.id, good)).statusCode).toBe(200);
    await attempt(cast.inspectorToken, alert.id, good, 409, 'ALERT_STATUS_UNCHANGED');
    expect((await entriesOf(alert.id)).map((entry) => entry.action)).toEqual(['alert.raised', 'alert.dismiss']);
  });

  it('lets every inspector decide an alert that concerns every inspector', async () => {
    const id = await createPublished(t, cast);
    const escrow = await raise({ recruitmentId: id, indicator: 'escrow_opening', subject: '密钥托管人参与开标' });
    const general = await raise({ recruitmentId: null, indicator: 'storage_full', severity: 'medium', subject: '存储空间已满' });
    expect((await decide(otherInspector.token, escrow.id, { status: 'escalated', note: '托管人开标理由不充分' })).statusCode).toBe(200);
    expect((await decide(otherInspector.token, general.id, { status: 'dismissed', note: '已扩容' })).statusCode).toBe(200);
    expect((await entriesOf(general.id))[1]).toMatchObject({ action: 'alert.dismiss', recruitmentId: null, actorId: otherInspector.id });
  });
});

describe('the alert filters', () => {
  it('filter by severity and indicator, and refuse an unknown severity (400)', async () => {
    const id = await createPublished(t, cast);
    const high = await raise({ recruitmentId: id });
    const low = await raise({ recruitmentId: id, indicator: 'bid_key_mismatch', severity: 'low', subject: '低' });
    const ids = async (query: string) => (await list(cast.inspectorToken, `?recruitmentId=${id}${query}`)).json().map((a: { id: string }) => a.id);
    expect(await ids('&severity=high')).toEqual([high.id]);
    expect(await ids('&severity=low')).toEqual([low.id]);
    expect(await ids('&indicator=bid_key_mismatch')).toEqual([low.id]);
    expect(await ids('&indicator=bids_from_one_address&severity=low')).toEqual([]);
    expect(await ids('&indicator=no_such_indicator')).toEqual([]);
    expect((await list(cast.inspectorToken, '?severity=grave')).statusCode).toBe(400);
    expect((await list(cast.inspectorToken, '?indicator=DROP%20TABLE')).statusCode).toBe(400);
  });
});

describe('deciding on the alerts page', () => {
  it('decides with a note, back to the same list; keeps the typed note on a refusal; refuses a form without its CSRF token', async () => {
    const id = await createPublished(t, cast);
    const alert = await raise({ recruitmentId: id, subject: '页面处理的预警' });
    const browser = new Browser(t.app);
    await browser.signIn(cast.inspector);
    const filter = `?recruitmentId=${id}&status=open`;
    const page = await browser.get(`/inspector/alerts${filter}`);
    expect(page.body).toContain(`action="/inspector/alerts/${alert.id}/decision?recruitmentId&#x3D;${id}&amp;status&#x3D;open#alert-${alert.id}"`);
    expect(page.body).toContain('预警指标说明');
    expect(page.body).toContain('scoreDeviationPoints');
    expect(page.body).toContain('SPEC §7 规定的评分异常标准');
    expect(page.body).toContain('不同单位的响应文件从同一 IP 地址');

    const tooShort = await browser.post(`/inspector/alerts/${alert.id}/decision${filter}`, { status: 'dismissed', note: '否' });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.body).toContain('至少 2 个字符');
    expect(tooShort.body).toMatch(/<textarea id="note-[^"]+" name="note"[^>]*>否<\/textarea>/);
    expect(tooShort.body).toMatch(/<details class="flag-decide" open>/);

    const same = await browser.post(`/inspector/alerts/${alert.id}/decision${filter}`, { status: 'open', note: '我写好的说明' });
    expect(same.statusCode).toBe(409);
    expect(same.body).toContain('我写好的说明');
    expect(same.body).toContain('该预警已是');

    expect((await browser.post(`/inspector/alerts/${alert.id}/decision`, { status: 'dismissed', note: '核查无问题' }, { csrf: false })).statusCode).toBe(403);
    const done = await browser.post(`/inspector/alerts/${alert.id}/decision${filter}`, { status: 'dismissed', note: '核查无问题' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/inspector/alerts${filter}&done=dismissed#alert-${alert.id}`);
    expect((await rowOf(alert.id)).status).toBe('dismissed');
    const dismissed = await browser.get(`/inspector/alerts?recruitmentId=${id}&status=dismissed&done=dismissed`);
    expect(dismissed.body).toContain('预警已排除');
    expect(dismissed.body).toContain(`已排除：${cast.inspector.name}`);
    expect(dismissed.body).toContain('说明：核查无问题');
    expect(dismissed.body).toContain('>重新打开</button>');

    const unseen = new Browser(t.app);
    await unseen.signIn(otherInspector);
    await unseen.get('/inspector/alerts');
    const refused = await unseen.post(`/inspector/alerts/${alert.id}/decision`, { status: 'open', note: '看不到的预警' });
    expect(refused.statusCode).toBe(404);
    expect(refused.body).toContain('预警不存在');
  });
});
