import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import type { Bidder } from '../helpers/evaluation.ts';
import { organisationP12, signAgreement } from '../helpers/partnerships.ts';
import { pdfsig, pdfText, run, writePdf } from '../helpers/pdf-tools.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';
import { SAMPLE_OFFER } from '../helpers/reviews.ts';

// Worker satisfaction (issue 17): the partner issues a proof-of-use code with each service; a
// worker rates once with it, without signing in, within the limits against stuffing; the partner
// sees figures, the agent and the inspector also the comments; the poster is a signed PDF.

interface Partnership {
  id: string;
  bidId: string;
}

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let mine: Partnership;
let theirs: Partnership;
let waiting: Partnership;
let own: Bidder;
let other: Bidder;
let offerId: string;
let otherOfferId: string;
let lastAddress = 0;

type Method = 'GET' | 'POST';
const api = (method: Method, url: string, token: string | null, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
const bidderOf = (partnership: Partnership) => bidders.find((b) => b.bidId === partnership.bidId)!;
/** a fresh address for each test, so the limits of one never reach the next */
const nextAddress = () => `198.51.100.${++lastAddress}`;
const deviceToken = (n: number) => `device${String(n).padStart(16, '0')}`;

async function issue(partnership = mine, body: object = {}, token = own.token) {
  return api('POST', `/partnerships/${partnership.id}/service-uses`, token, { offerId: partnership === mine ? offerId : otherOfferId, group: 'unionMember', place: 'free', ...body });
}
async function code(partnership = mine): Promise<string> {
  const response = await issue(partnership, {}, partnership === mine ? own.token : other.token);
  expect(response.statusCode).toBe(201);
  return response.json().code;
}
let lastDevice = 10_000;
/** a rating from `ip` and a device of its own unless given */
function rate(body: object, { ip = '203.0.113.1', device = deviceToken(++lastDevice) }: { ip?: string; device?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/ratings',
    remoteAddress: ip,
    headers: { cookie: `rating_device=${device}` },
    payload: { partnershipId: mine.id, score: 5, group: 'unionMember', ...body },
  });
}

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
  const all = (await api('GET', `/recruitments/${id}/partnerships`, cast.agentToken)).json<Partnership[]>();
  [mine, theirs, waiting] = [all[0]!, all[1]!, all[2]!];
  [own, other] = [bidderOf(mine), bidderOf(theirs)];
  for (const [partnership, bidder] of [[mine, own], [theirs, other]] as const) {
    expect((await api('POST', `/partnerships/${partnership.id}/accept`, bidder.token, { version: 1 })).statusCode).toBe(200);
    expect((await signAgreement(t, partnership.id, bidder.token, organisationP12(bidder.name))).statusCode).toBe(200);
    const published = await api('POST', `/partnerships/${partnership.id}/offers`, bidder.token, SAMPLE_OFFER);
    expect(published.statusCode).toBe(201);
    if (partnership === mine) offerId = published.json().offerId;
    else otherOfferId = published.json().offerId;
  }
}, 240_000);
afterAll(() => t.close());

describe('issuing proof-of-use codes', () => {
  it('is refused before the partner runs the site (409 SERVICE_USES_CLOSED)', async () => {
    const response = await issue();
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('SERVICE_USES_CLOSED');
    for (const partnership of [mine, theirs]) {
      expect((await api('POST', `/partnerships/${partnership.id}/activate`, cast.agentToken)).json().status).toBe('active');
    }
  });

  it('gives the partner a grouped code, the time and the rating address; audits it without the code', async () => {
    const response = await issue();
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(body.rateUrl).toMatch(new RegExp(`/rate/${mine.id}$`));
    expect(body.usedAt).toBeTruthy();
    const stored = await t.rawRows(`select code_hash from service_uses where id = '${body.serviceUseId}'`);
    expect(stored[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(body.code.replace('-', ''));
    const entries = (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json<{ action: string; details: object }[]>();
    const entry = entries.find((e) => e.action === 'service_use.issue');
    expect(entry?.details).toMatchObject({ serviceUseId: body.serviceUseId, offerId, group: 'unionMember', place: 'free' });
    expect(JSON.stringify(entries)).not.toContain(body.code);
  });

  it('refuses another organisation, the agent, the inspector and a visitor', async () => {
    expect((await issue(mine, {}, other.token)).statusCode).toBe(403);
    expect((await issue(mine, {}, cast.agentToken)).statusCode).toBe(403);
    expect((await issue(mine, {}, cast.inspectorToken)).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${mine.id}/service-uses`, null, { offerId, group: 'unionMember', place: 'free' })).statusCode).toBe(401);
  });

  it('refuses an offer not its own, a partnership not yet signed, a bad group or place', async () => {
    const foreign = await issue(mine, { offerId: otherOfferId });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().code).toBe('UNKNOWN_OFFER');
    const unsigned = await api('POST', `/partnerships/${waiting.id}/service-uses`, bidderOf(waiting).token, { offerId, group: 'unionMember', place: 'free' });
    expect(unsigned.statusCode).toBe(409);
    expect((await issue(mine, { group: 'everyone' })).json()).toMatchObject({ statusCode: 400, code: 'GROUP_INVALID' });
    expect((await issue(mine, { place: 'gift' })).json()).toMatchObject({ statusCode: 400, code: 'PLACE_INVALID' });
    expect((await issue(mine, { offerId: 'not-an-offer' })).json()).toMatchObject({ statusCode: 400, code: 'UNKNOWN_OFFER' });
    const paid = await api('POST', `/partnerships/${mine.id}/offers`, own.token, { ...SAMPLE_OFFER, service: '职工摄影课', freePlaces: 0, discountedPlaces: 0 });
    const none = await issue(mine, { offerId: paid.json().offerId, place: 'free' });
    expect(none.json()).toMatchObject({ statusCode: 400, code: 'PLACE_NOT_OFFERED' });
    expect(none.json().message).toContain('“职工摄影课”没有免费名额');
    expect((await issue(mine, { offerId: paid.json().offerId, place: 'regular' })).statusCode).toBe(201);
  });
});

describe('rating without signing in', () => {
  it('takes one rating per code, typed in any case and without its dash', async () => {
    const given = await code();
    const typed = given.toLowerCase().replace('-', '');
    const response = await rate({ code: typed, score: 4, comment: '老师很耐心' }, { ip: nextAddress() });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ partnershipId: mine.id, score: 4, group: 'unionMember' });
    const again = await rate({ code: given }, { ip: nextAddress() });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('RATING_CODE_INVALID');
  });

  it('refuses an unknown, a used and another partnership’s code alike, and a code of no shape', async () => {
    const ip = nextAddress();
    const theirsCode = await code(theirs);
    const used = await code();
    expect((await rate({ code: used }, { ip })).statusCode).toBe(201);
    const refusals = [await rate({ code: 'ZZZZ-ZZZZ' }, { ip }), await rate({ code: used }, { ip }), await rate({ code: theirsCode }, { ip }), await rate({ code: '12' }, { ip })];
    for (const response of refusals) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'RATING_CODE_INVALID', message: refusals[0]!.json().message });
    }
    const closed = await rate({ partnershipId: waiting.id, code: await code() }, { ip });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('RATINGS_CLOSED');
    // the other partnership's code is still good on its own page
    expect((await rate({ partnershipId: theirs.id, code: theirsCode }, { ip: nextAddress() })).statusCode).toBe(201);
  });

  it.each([
    ['a score of 0', { score: 0 }, 'SCORE_INVALID'],
    ['a score of 6', { score: 6 }, 'SCORE_INVALID'],
    ['a score of 3.5', { score: 3.5 }, 'SCORE_INVALID'],
    ['an unknown group', { group: 'everyone' }, 'GROUP_INVALID'],
    ['a comment of 501 characters', { comment: '好'.repeat(501) }, 'COMMENT_TOO_LONG'],
  ])('refuses %s (400 with its code), leaving the code usable', async (_name, body, errorCode) => {
    const given = await code();
    const response = await rate({ code: given, ...body }, { ip: nextAddress() });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(errorCode);
    expect((await rate({ code: given, comment: '好'.repeat(500) }, { ip: nextAddress() })).statusCode).toBe(201);
  });

  it('stops guessing: the 11th wrong code within an hour from one address is 429 with Retry-After', async () => {
    const ip = nextAddress();
    for (let n = 0; n < 10; n++) expect((await rate({ code: `WRNG-${String(n).padStart(4, '0')}` }, { ip })).statusCode).toBe(400);
    const stopped = await rate({ code: 'WRNG-9999' }, { ip });
    expect(stopped.statusCode).toBe(429);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(3000);
    // even a right code waits: the address is not to test more codes
    expect((await rate({ code: await code() }, { ip })).statusCode).toBe(429);
    // right codes from another address are not held up
    expect((await rate({ code: await code() }, { ip: nextAddress() })).statusCode).toBe(201);
  });

  it('limits one device to 5 ratings a day, whatever its address', async () => {
    for (let n = 0; n < 5; n++) expect((await rate({ code: await code() }, { ip: nextAddress(), device: deviceToken(1) })).statusCode).toBe(201);
    const given = await code();
    const stopped = await rate({ code: given }, { ip: nextAddress(), device: deviceToken(1) });
    expect(stopped.statusCode).toBe(429);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
    // the code was right, so it stays good, from another device
    expect((await rate({ code: given }, { ip: nextAddress(), device: deviceToken(2) })).statusCode).toBe(201);
  });

  it('limits one address to 50 ratings a day, whatever its devices', async () => {
    const ip = nextAddress();
    for (let n = 0; n < 50; n++) expect((await rate({ code: await code() }, { ip, device: deviceToken(100 + n) })).statusCode).toBe(201);
    const stopped = await rate({ code: await code() }, { ip, device: deviceToken(999) });
    expect(stopped.statusCode).toBe(429);
    expect(stopped.json().message).toContain('该网络地址今天的评价次数已达上限');
  });

  it('gives a device cookie (HttpOnly) to a client without one; stores only keyed hashes', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ratings',
      remoteAddress: '192.0.2.77',
      payload: { partnershipId: mine.id, code: await code(), score: 3, group: 'hardship' },
    });
    expect(response.statusCode).toBe(201);
    const cookie = response.cookies.find((c) => c.name === 'rating_device');
    expect(cookie?.httpOnly).toBe(true);
    const rows = await t.rawRows(`select address_key, device_key from satisfaction_ratings where id = '${response.json().ratingId}'`);
    expect(rows[0]!.address_key).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain('192.0.2.77');
    expect(JSON.stringify(rows)).not.toContain(cookie!.value);
  });

  it('the public page rates by its form and thanks; a refused form comes back with the message', async () => {
    const browser = new Browser(t.app);
    const page = await browser.get(`/rate/${mine.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(own.name);
    expect(page.body).toContain('职工书法培训');
    expect(page.body).toContain('很不满意');
    expect(page.body).toContain('非常满意');
    const refused = await browser.post(`/rate/${mine.id}`, { code: 'ZZZZ-ZZZZ', score: '5', group: 'modelWorker', comment: '' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('评价码无效');
    const thanked = await browser.post(`/rate/${mine.id}`, { code: await code(), score: '5', group: 'modelWorker', comment: '环境很好' });
    expect(thanked.statusCode).toBe(200);
    expect(thanked.body).toContain('感谢您的评价');
    expect(browser.cookie('rating_device')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await browser.get(`/rate/${waiting.id}`)).statusCode).toBe(404);
  });
});

describe('the figures each party sees', () => {
  it('the partner: figures and places, never a comment or a key', async () => {
    const response = await api('GET', `/partnerships/${mine.id}/satisfaction`, own.token);
    expect(response.statusCode).toBe(200);
    const view = response.json();
    expect(view.figures.ratings).toBeGreaterThan(60);
    expect(view.figures.distribution.reduce((a: number, b: number) => a + b, 0)).toBe(view.figures.ratings);
    expect(view.figures.byGroup.modelWorker.ratings).toBe(1);
    expect(view.comments).toBeNull();
    expect(view.promisedPerMonth).toEqual({ free: 30, discounted: 20 });
    expect(view.months).toHaveLength(1);
    expect(view.months[0].delivered.free).toBe(view.delivered.byKind.free);
    const text = JSON.stringify(view);
    expect(text).not.toContain('老师很耐心');
    expect(text).not.toMatch(/addressKey|deviceKey/);
  });

  it('the agent and the inspector: the same with the comments, without keys', async () => {
    for (const token of [cast.agentToken, cast.inspectorToken]) {
      const view = (await api('GET', `/partnerships/${mine.id}/satisfaction`, token)).json();
      expect(view.comments.map((c: { comment: string }) => c.comment)).toContain('老师很耐心');
      expect(view.comments[0]).toEqual(expect.objectContaining({ score: expect.any(Number), group: expect.any(String), ratedAt: expect.any(String) }));
      expect(JSON.stringify(view)).not.toMatch(/addressKey|deviceKey|address_key/);
    }
  });

  it('refuses another organisation (404) and a bad period (400)', async () => {
    expect((await api('GET', `/partnerships/${mine.id}/satisfaction`, other.token)).statusCode).toBe(404);
    expect((await api('GET', `/partnerships/${mine.id}/satisfaction?from=2026-02-30`, own.token)).json().code).toBe('PERIOD_INVALID');
    expect((await api('GET', `/partnerships/${mine.id}/satisfaction?from=2030-01-02&to=2030-01-01`, own.token)).statusCode).toBe(400);
    const empty = (await api('GET', `/partnerships/${mine.id}/satisfaction?from=2020-01-01&to=2020-12-31`, own.token)).json();
    expect(empty.figures).toMatchObject({ ratings: 0, mean: null, satisfiedShare: null });
  });

  it('the pages: the partner issues a code shown once and sees no comments; the agent sees them', async () => {
    const partner = new Browser(t.app);
    await partner.signIn(own);
    const page = await partner.get(`/partnerships/${mine.id}/ratings`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('发放评价码');
    expect(page.body).not.toContain('老师很耐心');
    const issued = await partner.post(`/partnerships/${mine.id}/service-uses`, { offerId, group: 'hardship', place: 'discounted' });
    expect(issued.statusCode).toBe(200);
    expect(issued.body).toMatch(/<strong>[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}<\/strong>/);
    const refused = await partner.post(`/partnerships/${mine.id}/service-uses`, { offerId: otherOfferId, group: 'hardship', place: 'free' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('请选择本单位已发布的服务项目');
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const agentPage = await agent.get(`/partnerships/${mine.id}/ratings`);
    expect(agentPage.body).toContain('老师很耐心');
    expect(agentPage.body).not.toContain('发放评价码</button>');
    // before signing there is nothing to rate yet, but the page answers
    const waitingPartner = new Browser(t.app);
    await waitingPartner.signIn(bidderOf(waiting));
    expect((await waitingPartner.get(`/partnerships/${waiting.id}/ratings`)).statusCode).toBe(200);
  });
});

describe('the poster', () => {
  it('is one signed A4 page with the rating address that passes the outside check, issued once', async () => {
    const first = await api('GET', `/partnerships/${mine.id}/poster.pdf`, own.token);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    const second = await api('GET', `/partnerships/${mine.id}/poster.pdf`, cast.agentToken);
    expect(second.headers['x-content-sha256']).toBe(first.headers['x-content-sha256']);
    const file = writePdf(mkdtempSync(path.join(tmpdir(), 'poster-')), 'poster.pdf', first.rawPayload);
    const script = path.resolve(import.meta.dirname, '../tools/check-signed-pdf.sh');
    const { status, output } = run('bash', [script, file, own.name, '扫码评价', `/rate/${mine.id}`]);
    expect(output).not.toContain('FAIL');
    expect(status).toBe(0);
    expect(pdfsig(file)).not.toContain('Signature #2');
    expect(run('pdfinfo', [file]).output).toMatch(/Pages:\s+1\n/);
    expect(pdfText(file)).toContain('职工书法培训');
    expect((await api('GET', `/partnerships/${mine.id}/poster.pdf`, other.token)).statusCode).toBe(404);
  });
});

describe('ratings concentrated on one source', () => {
  it('raise the inspector’s alert once, naming the share, not the key', async () => {
    await t.app.services.inspection.review.reviewNewEntries();
    const alerts = async () => (await t.rawRows(`select subject, evidence, finding_key from alerts where indicator = 'ratings_concentrated'`)) as { subject: string; evidence: unknown }[];
    const raised = await alerts();
    expect(raised).toHaveLength(1);
    expect(raised[0]!.subject).toContain(own.name);
    expect(raised[0]!.subject).toMatch(/50 条（\d+%）来自同一网络地址/);
    const keys = await t.rawRows(`select address_key from satisfaction_ratings limit 1`);
    expect(JSON.stringify(raised)).not.toContain(String(keys[0]!.address_key));
    await code();
    await t.app.services.inspection.review.reviewNewEntries();
    expect(await alerts()).toHaveLength(1);
  });

  it('the record says in words what each code recorded', async () => {
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    const page = await inspector.get(`/inspector/recruitments/${id}/audit`);
    expect(page.body).toContain('合作伙伴发放评价码（记录一次服务）');
    expect(page.body).toContain('名额类型：免费名额');
  });
});

describe('after 30 days', () => {
  it('a code can no longer be used', async () => {
    const given = await code();
    t.clock.advance(31 * 24 * 60 * 60 * 1000);
    const response = await rate({ code: given }, { ip: nextAddress(), device: deviceToken(5000) });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('RATING_CODE_INVALID');
  });
});
