import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert, raiseAlertOnce } from '../../server/domain/inspection/alerts.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

let t: TestApp;
let cast: Cast;
let otherInspector: { email: string; password: string; token: string };

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
