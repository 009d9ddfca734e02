import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../server/db/schema.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import type { Bidder } from '../helpers/evaluation.ts';
import { organisationP12, signAgreement } from '../helpers/partnerships.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';

// The published services (issue 17): the partner's own catalogue once its agreement is signed,
// every version kept and each change audited, the site's public page and JSON, the refusals, and
// the inspector's alert when the catalogue's public-benefit share drops below the bid's.

interface Partnership {
  id: string;
  bidId: string;
  signBy: string;
}
interface Catalogue {
  share: number | null;
  bidShare: number | null;
  offers: { id: string; versions: { number: number; listPrice: number; freePlaces: number; prices: Record<string, number> }[] }[];
}

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let signed: Partnership;
let unsigned: Partnership;
let own: Bidder;
let offerId: string;

type Method = 'GET' | 'POST' | 'PUT';
const api = (method: Method, url: string, token: string | null, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
const bidderOf = (partnership: Partnership) => bidders.find((b) => b.bidId === partnership.bidId)!;

/** A service with `free` + `discounted` of 100 places a month: its share is their sum in %. */
const offer = (free: number, discounted: number, overrides: object = {}) => ({
  service: '职工书法培训',
  openingHours: '周二至周日 9:00–17:00',
  procedure: '凭工会会员证或职工证明到前台登记，按预约时间参加。',
  listPrice: 200,
  prices: { modelWorker: 0, hardship: 0, unionMember: 100, allWorkers: 160 },
  placesPerMonth: 100,
  freePlaces: free,
  discountedPlaces: discounted,
  ...overrides,
});

async function auditEntries() {
  return (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json<{ action: string; details: Record<string, unknown> }[]>();
}
const shareAlerts = async () => (await t.database.db.select().from(alerts).where(eq(alerts.recruitmentId, id))).filter((a) => a.indicator === 'offer_share_below_bid');

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
  const all = (await api('GET', `/recruitments/${id}/partnerships`, cast.agentToken)).json<Partnership[]>();
  signed = all.find((p) => bidderOf(p).ratio === 40)!;
  unsigned = all.find((p) => p.id !== signed.id)!;
  own = bidderOf(signed);
}, 240_000);
afterAll(() => t.close());

describe('before the agreement is signed', () => {
  it('no service can be published (409 OFFERS_NOT_OPEN)', async () => {
    const response = await api('POST', `/partnerships/${signed.id}/offers`, own.token, offer(30, 20));
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('OFFERS_NOT_OPEN');
  });
});

describe('the partner’s catalogue', () => {
  beforeAll(async () => {
    expect((await api('POST', `/partnerships/${signed.id}/accept`, own.token, { version: 1 })).statusCode).toBe(200);
    expect((await signAgreement(t, signed.id, own.token, organisationP12(own.name))).statusCode).toBe(200);
  });

  it('its own organisation publishes a service: the catalogue’s share beside the bid’s, in the audit log', async () => {
    const response = await api('POST', `/partnerships/${signed.id}/offers`, own.token, offer(30, 20));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ version: 1, share: 50, bidShare: 40 });
    offerId = response.json().offerId;
    const entry = (await auditEntries()).find((e) => e.action === 'offer.publish');
    expect(entry?.details).toMatchObject({ offerId, version: 1, share: 50, bidShare: 40 });
  });

  it('refuses another organisation, the agent, the inspector and a visitor', async () => {
    const other = bidderOf(unsigned);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, other.token, offer(30, 20))).statusCode).toBe(403);
    expect((await api('PUT', `/offers/${offerId}`, other.token, offer(30, 10))).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, cast.agentToken, offer(30, 20))).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, cast.inspectorToken, offer(30, 20))).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, null, offer(30, 20))).statusCode).toBe(401);
    expect((await api('GET', `/partnerships/${signed.id}/offers`, other.token)).statusCode).toBe(404);
  });

  it.each([
    ['a negative price', { listPrice: -1 }, 'PRICE_INVALID', '标准价格须为不小于 0 的金额，最多两位小数'],
    ['a price in thousandths', { listPrice: 12.345 }, 'PRICE_INVALID', '标准价格'],
    ['a group price above the list price', { prices: { modelWorker: 0, hardship: 0, unionMember: 100, allWorkers: 201 } }, 'GROUP_PRICE_ABOVE_LIST', '全体职工价格（201 元）不得高于标准价格（200 元）'],
    ['a negative group price', { prices: { modelWorker: -5, hardship: 0, unionMember: 100, allWorkers: 160 } }, 'PRICE_INVALID', '劳模工匠价格'],
    ['places in fractions', { freePlaces: 1.5 }, 'PLACES_INVALID', '每月免费名额须为不小于 0 的整数'],
    ['negative places', { placesPerMonth: -1, freePlaces: 0, discountedPlaces: 0 }, 'PLACES_INVALID', '每月服务名额'],
    ['more free and discounted places than places', { placesPerMonth: 40 }, 'PLACES_EXCEED_TOTAL', '免费名额与优惠名额之和不得超过每月服务名额'],
  ])('refuses %s (400 with its code and a zh-CN message naming the field)', async (_name, overrides, code, label) => {
    const response = await api('POST', `/partnerships/${signed.id}/offers`, own.token, offer(30, 20, overrides));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code });
    expect(response.json().message).toContain(label);
  });

  it('refuses a missing or blank required field (400)', async () => {
    const { openingHours: _dropped, ...missing } = offer(30, 20);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, own.token, missing)).statusCode).toBe(400);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, own.token, offer(30, 20, { service: '   ' }))).statusCode).toBe(400);
    expect((await api('POST', `/partnerships/${signed.id}/offers`, own.token, offer(30, 20, { listPrice: '两百' }))).statusCode).toBe(400);
  });

  it('a change is a new version, the old one kept and shown to the agent and the inspector, the change in the audit log', async () => {
    const response = await api('PUT', `/offers/${offerId}`, own.token, offer(30, 15, { listPrice: 180 }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ version: 2, share: 45, bidShare: 40 });
    for (const token of [cast.agentToken, cast.inspectorToken, own.token]) {
      const catalogue = (await api('GET', `/partnerships/${signed.id}/offers`, token)).json<Catalogue>();
      expect(catalogue.offers[0]!.versions.map((v) => [v.number, v.listPrice])).toEqual([
        [1, 200],
        [2, 180],
      ]);
    }
    const entry = (await auditEntries()).find((e) => e.action === 'offer.change');
    expect(entry?.details).toMatchObject({ version: 2, changes: { listPrice: [200, 180], discountedPlaces: [20, 15] }, share: 45 });
  });

  it('a change that changes nothing is refused (409 OFFER_UNCHANGED)', async () => {
    const response = await api('PUT', `/offers/${offerId}`, own.token, offer(30, 15, { listPrice: 180 }));
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('OFFER_UNCHANGED');
  });
});

describe('the site’s public page', () => {
  it('lists the signed partners and the current version of their offers as JSON, without sign-in', async () => {
    const response = await api('GET', `/sites/${id}/offers`, null);
    expect(response.statusCode).toBe(200);
    const site = response.json<{ partners: { partnershipId: string; share: number; bidShare: number; offers: { listPrice: number; prices: Record<string, number> }[] }[] }>();
    expect(site.partners.map((p) => p.partnershipId)).toEqual([signed.id]);
    expect(site.partners[0]).toMatchObject({ share: 45, bidShare: 40 });
    expect(site.partners[0]!.offers).toHaveLength(1);
    expect(site.partners[0]!.offers[0]).toMatchObject({ listPrice: 180, prices: { modelWorker: 0, unionMember: 100 } });
  });

  it('as a page in zh-CN, linked from the awarded recruitment', async () => {
    const visitor = new Browser(t.app);
    const page = await visitor.get(`/sites/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('职工书法培训');
    expect(page.body).toContain('劳模工匠');
    expect(page.body).toContain('180.00 元');
    expect(page.body).toContain('45%');
    expect((await visitor.get(`/recruitments/${id}`)).body).toContain(`href="/sites/${id}"`);
  });
});

describe('the partner’s catalogue page', () => {
  it('publishes by its form (303), shows a refused one again with the message beside the field', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(own);
    expect((await browser.get(`/partnerships/${signed.id}/offers`)).statusCode).toBe(200);
    const form = {
      service: '职工心理咨询',
      openingHours: '每周六 9:00–12:00',
      procedure: '电话预约后到场。',
      listPrice: '100',
      'prices.modelWorker': '0',
      'prices.hardship': '0',
      'prices.unionMember': '50',
      'prices.allWorkers': '120',
      placesPerMonth: '100',
      freePlaces: '30',
      discountedPlaces: '15',
    };
    const refused = await browser.post(`/partnerships/${signed.id}/offers`, form);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('全体职工价格（120 元）不得高于标准价格（100 元）');
    const saved = await browser.post(`/partnerships/${signed.id}/offers`, { ...form, 'prices.allWorkers': '80' });
    expect(saved.statusCode).toBe(303);
    const page = await browser.get(`/partnerships/${signed.id}/offers?done=saved`);
    expect(page.body).toContain('职工心理咨询');
    expect(page.body).toContain('45%');
  });

  it('shows the agent the history without the form', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/partnerships/${signed.id}/offers`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('第 2 版');
    expect(page.body).not.toContain('发布一项服务');
  });
});

describe('a promised share below the bid’s', () => {
  it('raises an alert for the inspector once per drop, however many changes follow', async () => {
    await t.app.services.inspection.review.reviewNewEntries();
    expect(await shareAlerts()).toHaveLength(0);
    // with the page's service (45 of 100 places), 20 + 45 of 200 places
    expect((await api('PUT', `/offers/${offerId}`, own.token, offer(10, 10, { listPrice: 180 }))).json()).toMatchObject({ share: 32.5 });
    await t.app.services.inspection.review.reviewNewEntries();
    const raised = await shareAlerts();
    expect(raised).toHaveLength(1);
    expect(raised[0]!.subject).toContain('32.5% 低于响应文件承诺的 40%');
    expect((await api('PUT', `/offers/${offerId}`, own.token, offer(5, 10, { listPrice: 180 }))).statusCode).toBe(200);
    await t.app.services.inspection.review.reviewNewEntries();
    expect(await shareAlerts()).toHaveLength(1);
  });

  it('is shown beside the share on the public page and the catalogue', async () => {
    const site = (await api('GET', `/sites/${id}/offers`, null)).json<{ partners: { shortOfBid: boolean }[] }>();
    expect(site.partners[0]!.shortOfBid).toBe(true);
    expect((await new Browser(t.app).get(`/sites/${id}`)).body).toContain('低于承诺');
    expect((await api('GET', `/partnerships/${signed.id}/offers`, cast.inspectorToken)).json()).toMatchObject({ shortOfBid: true });
  });

  it('raises a new alert when the share drops again after it recovered', async () => {
    expect((await api('PUT', `/offers/${offerId}`, own.token, offer(40, 30, { listPrice: 180 }))).json()).toMatchObject({ share: 57.5 });
    await t.app.services.inspection.review.reviewNewEntries();
    expect(await shareAlerts()).toHaveLength(1);
    expect((await api('PUT', `/offers/${offerId}`, own.token, offer(10, 0, { listPrice: 180 }))).json()).toMatchObject({ share: 27.5 });
    await t.app.services.inspection.review.reviewNewEntries();
    expect(await shareAlerts()).toHaveLength(2);
  });

  it('describes the change in words on the record', async () => {
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    const page = await inspector.get(`/inspector/recruitments/${id}/audit`);
    expect(page.body).toContain('合作伙伴修改服务项目');
    expect(page.body).toContain('每月免费名额：10 个 → 5 个');
  });
});

describe('after the partnership ends', () => {
  it('a lapsed award can publish nothing (409 OFFERS_CLOSED)', async () => {
    t.clock.set(new Date(Date.parse(unsigned.signBy) + 1000));
    const response = await api('POST', `/partnerships/${unsigned.id}/offers`, bidderOf(unsigned).token, offer(30, 20));
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('OFFERS_CLOSED');
  });
});
