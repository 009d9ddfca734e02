import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import type { Bidder } from '../helpers/evaluation.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';
import { completeStageReview, failRectification, rate, scheduleReview, signAndActivate } from '../helpers/reviews.ts';

// The inspector's console for partnerships (issue 17): the partnerships of the recruitments the
// inspector oversees, with their reviews, the workers' satisfaction, the open alerts about them
// and the termination notice — as JSON and as a page — and nothing of recruitments it does not oversee.

interface Item {
  id: string;
  recruitmentId: string;
  organization: { name: string };
  lotName: string;
  status: string;
  statusLabel: string;
  signBy: string;
  endsAt: string | null;
  reviews: { kind: string; dueAt: string; result: string | null }[];
  satisfaction: { ratings: number; mean: number | null; satisfiedShare: number | null };
  alerts: { indicator: string }[];
  terminationNotice: { id: string; verifyCode: string } | null;
}

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let rated: string;
let terminated: string;
let lapsed: string;
let otherInspector: TestUser;
let otherInspectorToken: string;

const api = (url: string, token: string | null) => t.app.inject({ url: `/api/v1${url}`, headers: token ? bearer(token) : {} });
const post = (url: string, token: string, payload?: object) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const list = async (token = cast.inspectorToken, query = '') => (await api(`/inspector/partnerships${query}`, token)).json<Item[]>();

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40] }));
  await t.app.services.documents.idle();
  const all = (await api(`/recruitments/${id}/partnerships`, cast.agentToken)).json<{ id: string; bidId: string; signedAt: string | null }[]>();
  const bidderOf = (partnershipId: string) => bidders.find((b) => b.bidId === all.find((p) => p.id === partnershipId)!.bidId)!;
  [rated, terminated, lapsed] = all.map((p) => p.id) as [string, string, string];

  // the first two sign and start operating; the third never signs
  await signAndActivate(t, rated, bidderOf(rated), cast.agentToken);
  await signAndActivate(t, terminated, bidderOf(terminated), cast.agentToken);

  // a service published below the bid's share, four ratings in the first year (满意率 50%:
  // 40 × 0.5 + 60 = 80, a pass), the stage review passed a year on, and the final one due
  const published = await post(`/partnerships/${rated}/offers`, bidderOf(rated).token, {
    service: '职工书法培训',
    openingHours: '周二至周日 9:00–17:00',
    procedure: '凭工会会员证登记。',
    listPrice: 200,
    prices: { modelWorker: 0, hardship: 0, unionMember: 100, allWorkers: 160 },
    placesPerMonth: 100,
    freePlaces: 5,
    discountedPlaces: 5,
  });
  expect(published.statusCode).toBe(201);
  await rate(t, rated, bidderOf(rated), [5, 4, 3, 2], t.clock.now(), 'discounted');
  await completeStageReview(t, rated, cast.agentToken, 'pass');
  const signedAt = Date.parse((await api(`/partnerships/${rated}`, cast.agentToken)).json().signedAt);
  await scheduleReview(t, rated, cast.agentToken, { kind: 'final', periodFrom: new Date(signedAt + 365 * DAY_MS) });

  // a failed rectification, terminated
  await failRectification(t, terminated, cast.agentToken);
  expect((await post(`/partnerships/${terminated}/terminate`, cast.agentToken, { reason: '整改复核不合格。' })).statusCode).toBe(200);

  // the third, long past its signing deadline, lapses on the inspector's first read
  await list();
  await t.app.services.inspection.review.reviewNewEntries();

  otherInspector = await createStaff(t, 'inspector');
  otherInspectorToken = await apiToken(t, otherInspector);
}, 240_000);
afterAll(() => t.close());

describe('GET /api/v1/inspector/partnerships', () => {
  it('lists the partnerships of the inspector’s recruitment with organisation, lot, status and deadlines', async () => {
    const items = await list();
    expect(items.map((item) => item.id).sort()).toEqual([rated, terminated, lapsed].sort());
    const byId = new Map(items.map((item) => [item.id, item]));
    expect(byId.get(rated)).toMatchObject({ recruitmentId: id, lotName: '文艺演出', status: 'active', statusLabel: '合作中' });
    expect(byId.get(rated)!.endsAt).not.toBeNull();
    expect(byId.get(terminated)).toMatchObject({ status: 'terminated', statusLabel: '已终止' });
    expect(byId.get(lapsed)).toMatchObject({ status: 'lapsed', endsAt: null });
    expect(await list(cast.inspectorToken, `?recruitmentId=${id}`)).toHaveLength(3);
  });

  it('gives each its reviews, the satisfaction figures, its open partnership alerts and its termination notice', async () => {
    const byId = new Map((await list()).map((item) => [item.id, item]));
    const active = byId.get(rated)!;
    expect(active.reviews.map((r) => [r.kind, r.result])).toEqual([
      ['stage', 'pass'],
      ['final', null],
    ]);
    expect(active.satisfaction).toEqual({ ratings: 4, mean: 3.5, satisfiedShare: 0.5 });
    expect(active.alerts.map((a) => a.indicator)).toEqual(['offer_share_below_bid']);
    expect(active.terminationNotice).toBeNull();

    const ended = byId.get(terminated)!;
    expect(ended.reviews.map((r) => [r.kind, r.result])).toEqual([
      ['stage', 'rectify'],
      ['rectification', 'fail'],
    ]);
    expect(ended.satisfaction).toEqual({ ratings: 0, mean: null, satisfiedShare: null });
    expect(ended.terminationNotice?.verifyCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect((await api(`/documents/${ended.terminationNotice!.id}`, cast.inspectorToken)).statusCode).toBe(200);

    expect(byId.get(lapsed)!.alerts.map((a) => a.indicator)).toEqual(['award_lapsed']);
  });

  it('shows another inspector nothing of a recruitment it does not oversee, and refuses it that recruitment (403)', async () => {
    expect(await list(otherInspectorToken)).toEqual([]);
    const refused = await api(`/inspector/partnerships?recruitmentId=${id}`, otherInspectorToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN');
  });

  it('shows a supervising inspector every recruitment’s partnerships', async () => {
    await t.rawSql(`update users set supervises_all = true where id = '${otherInspector.id}'`);
    try {
      expect(await list(otherInspectorToken)).toHaveLength(3);
    } finally {
      await t.rawSql(`update users set supervises_all = false where id = '${otherInspector.id}'`);
    }
  });

  it('refuses other roles (403), a visitor (401), a malformed recruitment (400) and an unknown one (404)', async () => {
    expect((await api('/inspector/partnerships', cast.agentToken)).statusCode).toBe(403);
    expect((await api('/inspector/partnerships', bidders[0]!.token)).statusCode).toBe(403);
    expect((await api('/inspector/partnerships', null)).statusCode).toBe(401);
    expect((await api('/inspector/partnerships?recruitmentId=nope', cast.inspectorToken)).statusCode).toBe(400);
    expect((await api('/inspector/partnerships?recruitmentId=00000000-0000-4000-8000-000000000000', cast.inspectorToken)).statusCode).toBe(404);
  });
});

describe('the page /inspector/partnerships', () => {
  it('is linked from the desk and shows status, reviews, satisfaction, alerts and the termination notice', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(cast.inspector);
    expect((await browser.get('/inspector')).body).toContain('href="/inspector/partnerships"');
    const page = await browser.get('/inspector/partnerships');
    expect(page.statusCode).toBe(200);
    for (const text of ['合作中', '已终止', '逾期未签（已失效）', '阶段考核', '合格', '终期考核', '待考核', '4 条评价 · 满意率 50%', '服务目录公益名额比例低于响应文件承诺', '入选单位逾期未签订合作协议']) {
      expect(page.body).toContain(text);
    }
    const notice = (await list()).find((item) => item.id === terminated)!.terminationNotice!;
    expect(page.body).toContain(`/documents/${notice.id}`);
  });

  it('shows another inspector none of them, and refuses the agent (403)', async () => {
    const other = new Browser(t.app);
    await other.signIn(otherInspector);
    expect((await other.get('/inspector/partnerships')).body).toContain('暂无合作关系');
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get('/inspector/partnerships')).statusCode).toBe(403);
  });
});

// last: the clock moves past the term's end
describe('after the term', () => {
  it('shows the final review left outstanding among the partnership’s alerts', async () => {
    const endsAt = Date.parse((await list()).find((item) => item.id === rated)!.endsAt!);
    t.clock.set(new Date(endsAt + DAY_MS));
    expect((await api(`/partnerships/${rated}/reviews`, cast.agentToken)).statusCode).toBe(200);
    const active = (await list()).find((item) => item.id === rated)!;
    expect(active.alerts.map((a) => a.indicator).sort()).toEqual(['final_review_outstanding', 'offer_share_below_bid']);
  });
});
