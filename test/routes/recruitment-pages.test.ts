import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { schemaErrors } from '../helpers/ocds-schema.ts';
import { createCast, createDraft, createPublished, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { registerOrganization } from '../helpers/organizations.ts';

let t: TestApp;
let cast: Cast;
let bidder: { email: string; password: string };
let inspector: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  inspector = cast.inspector;
  bidder = organizationInput();
  await registerOrganization(t, bidder);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

describe('public list and detail pages', () => {
  it('list published recruitments with a server-time countdown, filter them, and hide drafts', async () => {
    const id = await createPublished(t, cast);
    const draft = await createDraft(t, cast, { title: '内部草稿不可见' });
    const page = await new Browser(t.app).get('/recruitments');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/recruitments/${id}"`);
    expect(page.body).not.toContain(draft);
    expect(page.body).toMatch(/class="countdown" data-deadline="[^"]+">剩余 29 天 23 小时 59 分/);
    const filtered = await new Browser(t.app).get('/recruitments?status=cancelled');
    expect(filtered.body).not.toContain(`href="/recruitments/${id}"`);
    expect((await new Browser(t.app).get('/recruitments?status=bogus')).statusCode).toBe(400);
  });

  it('shows the detail: body as safe Markdown, terms, announcements with what changed, answered questions', async () => {
    const id = await createPublished(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, {
      title: '延期',
      body: '<script>alert(1)</script> **延期一周**',
      submissionDeadline: new Date(t.clock.now().getTime() + 37 * DAY_MS).toISOString(),
    });
    const asked = (await api('POST', `/api/v1/recruitments/${id}/questions`, cast.bidderToken, { text: '场地开放时间？' })).json();
    await api('POST', `/api/v1/questions/${asked.id}/answer`, cast.agentToken, { text: '每日 9:00-21:00。' });
    const page = await new Browser(t.app).get(`/recruitments/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>公益性</strong>');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;');
    expect(page.body).toContain('id="announcement-1"');
    expect(page.body).toMatch(/提交截止时间<\/td><td>[^<]+<\/td><td><strong>/);
    expect(page.body).toContain('文艺演出');
    expect(page.body).toContain('政治立场坚定');
    expect(page.body).toContain('场地开放时间？');
    expect(page.body).toContain('每日 9:00-21:00。');
    expect(page.body).toContain('class="countdown"');
    expect(page.body).not.toContain(cast.bidderEmail);
  });

  it('answers 404 for a draft and for an unknown recruitment', async () => {
    const draft = await createDraft(t, cast);
    expect((await new Browser(t.app).get(`/recruitments/${draft}`)).statusCode).toBe(404);
    expect((await new Browser(t.app).get('/recruitments/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('organisations on the detail page', () => {
  it('follow, ask a question and unfollow', async () => {
    const id = await createPublished(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(bidder);
    const page = await browser.get(`/recruitments/${id}`);
    expect(page.body).toContain('关注（邮件通知更正和答疑）');
    const followed = await browser.post(`/recruitments/${id}/follow`, { follow: '1' });
    expect(followed.statusCode).toBe(303);
    expect((await browser.get(`/recruitments/${id}?done=followed`)).body).toContain('取消关注');
    expect((await browser.get('/bidder')).body).toContain(`href="/recruitments/${id}"`);
    const empty = await browser.post(`/recruitments/${id}/questions`, { text: '' });
    expect(empty.statusCode).toBe(400);
    const asked = await browser.post(`/recruitments/${id}/questions`, { text: '能否提供场地平面图？' });
    expect(asked.statusCode).toBe(303);
    const questions = (await api('GET', `/api/v1/recruitments/${id}/questions`, cast.agentToken)).json();
    expect(questions).toEqual([expect.objectContaining({ text: '能否提供场地平面图？' })]);
    await browser.get(`/recruitments/${id}`);
    expect((await browser.post(`/recruitments/${id}/follow`, { follow: '0' })).statusCode).toBe(303);
    expect((await browser.get('/bidder')).body).not.toContain(`href="/recruitments/${id}"`);
  });

  it('shows QUESTIONS_CLOSED after the question deadline', async () => {
    const id = await createPublished(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(bidder);
    await browser.get(`/recruitments/${id}`);
    t.clock.advance(21 * DAY_MS);
    try {
      const late = await browser.post(`/recruitments/${id}/questions`, { text: '还能问吗？' });
      expect(late.statusCode).toBe(409);
      expect(late.body).toContain('提问已截止');
    } finally {
      t.clock.advance(-21 * DAY_MS);
    }
  });

  it('refuses forms without a CSRF token, and to other roles', async () => {
    const id = await createPublished(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(bidder);
    await browser.get(`/recruitments/${id}`);
    expect((await browser.post(`/recruitments/${id}/follow`, { follow: '1' }, { csrf: false })).statusCode).toBe(403);
    expect((await browser.post(`/recruitments/${id}/questions`, { text: '?' }, { csrf: false })).statusCode).toBe(403);
    expect((await browser.get('/inspector')).statusCode).toBe(403);
    const anonymous = new Browser(t.app);
    await anonymous.get(`/recruitments/${id}`);
    expect((await anonymous.post(`/recruitments/${id}/follow`, { follow: '1' })).statusCode).toBe(303);
    expect((await anonymous.get('/bidder')).headers.location).toBe('/login?next=%2Fbidder');
  });
});

describe('the inspector on the detail page', () => {
  it('suspends with a reason, resumes, and countersigns a cancellation', async () => {
    const id = await createPublished(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(inspector);
    expect((await browser.get('/inspector')).body).toContain(`href="/recruitments/${id}"`);
    await browser.get(`/recruitments/${id}`);
    const noReason = await browser.post(`/recruitments/${id}/suspend`, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('必填');
    expect((await browser.post(`/recruitments/${id}/suspend`, { reason: '收到举报' })).statusCode).toBe(303);
    const suspended = await browser.get(`/recruitments/${id}?done=suspended`);
    expect(suspended.body).toContain('已暂停');
    expect(suspended.body).toContain('恢复招募');
    expect((await browser.post(`/recruitments/${id}/resume`, {})).statusCode).toBe(303);
    await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '需求变更' });
    const cancelled = await browser.get(`/recruitments/${id}`);
    expect(cancelled.body).toContain('待纪检监督员会签');
    expect((await browser.post(`/recruitments/${id}/countersign`, {})).statusCode).toBe(303);
    expect((await browser.get(`/recruitments/${id}`)).body).toContain('纪检监督员已于');
    const again = await browser.post(`/recruitments/${id}/countersign`, {});
    expect(again.statusCode).toBe(409);
  });

  it('refuses the inspector\'s forms to others and without CSRF', async () => {
    const id = await createPublished(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(bidder);
    await browser.get(`/recruitments/${id}`);
    expect((await browser.post(`/recruitments/${id}/suspend`, { reason: 'x' })).statusCode).toBe(403);
    const inspectorBrowser = new Browser(t.app);
    await inspectorBrowser.signIn(inspector);
    await inspectorBrowser.get(`/recruitments/${id}`);
    expect((await inspectorBrowser.post(`/recruitments/${id}/suspend`, { reason: 'x' }, { csrf: false })).statusCode).toBe(403);
    expect((await api('GET', `/api/v1/recruitments/${id}`)).json().status).toBe('published');
  });
});

describe('an inspector not named on the recruitment', () => {
  it('sees no suspend, resume or countersign form, and is refused them (403)', async () => {
    const id = await createPublished(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(await createStaff(t, 'inspector'));
    const page = await browser.get(`/recruitments/${id}`);
    expect(page.body).not.toContain(`action="/recruitments/${id}/suspend"`);
    expect((await browser.post(`/recruitments/${id}/suspend`, { reason: '越权暂停' })).statusCode).toBe(403);
    await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: '核查' });
    expect((await browser.get(`/recruitments/${id}`)).body).not.toContain(`action="/recruitments/${id}/resume"`);
    expect((await browser.post(`/recruitments/${id}/resume`, {})).statusCode).toBe(403);
    await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '需求变更' });
    expect((await browser.get(`/recruitments/${id}`)).body).not.toContain(`action="/recruitments/${id}/countersign"`);
    expect((await browser.post(`/recruitments/${id}/countersign`, {})).statusCode).toBe(403);
    expect((await api('GET', `/api/v1/recruitments/${id}`)).json()).toMatchObject({ status: 'cancelled', cancelCountersignedAt: null });
  });
});

describe('Atom feed', () => {
  it('lists announcements and amendments, newest first', async () => {
    const id = await createPublished(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, { title: '补充说明', body: '内容', affectsPreparation: false });
    const feed = await t.app.inject({ url: '/recruitments/feed.atom' });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toMatch(/application\/atom\+xml/);
    expect(feed.body).toMatch(/^<\?xml/);
    expect(feed.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(feed.body).toContain(`/recruitments/${id}#announcement-1`);
    expect(feed.body.indexOf('#announcement-1')).toBeLessThan(feed.body.indexOf(`${id}#announcement-0`));
  });
});

describe('GET /api/v1/recruitments/:id/ocds', () => {
  it('validates against the official OCDS schema when published, amended and cancelled', async () => {
    const id = await createPublished(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/publications`, cast.agentToken, {
      channel: 'trading_platform',
      name: '浙江省公共资源交易平台',
      publishedOn: '2026-11-22',
      url: 'https://ggzy.zj.gov.cn/notice/123',
    });
    const published = (await api('GET', `/api/v1/recruitments/${id}/ocds`)).json();
    expect(schemaErrors(published)).toEqual([]);
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, {
      title: '延期',
      body: '延期一周',
      submissionDeadline: new Date(t.clock.now().getTime() + 37 * DAY_MS).toISOString(),
    });
    const amended = (await api('GET', `/api/v1/recruitments/${id}/ocds`)).json();
    expect(schemaErrors(amended)).toEqual([]);
    await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '需求变更' });
    const cancelled = (await api('GET', `/api/v1/recruitments/${id}/ocds`)).json();
    expect(schemaErrors(cancelled)).toEqual([]);
    expect(cancelled.releases.map((r: { tag: string[] }) => r.tag[0])).toEqual(['tender', 'tenderAmendment', 'tenderCancellation']);
    expect(cancelled.releases[0].tender.tenderPeriod.endDate).not.toBe(cancelled.releases[1].tender.tenderPeriod.endDate);
    expect(cancelled.releases[0].tender.awardCriteria).toBe('ratedCriteria');
  });

  it('answers 404 for a draft', async () => {
    const draft = await createDraft(t, cast);
    expect((await api('GET', `/api/v1/recruitments/${draft}/ocds`)).statusCode).toBe(404);
    expect((await api('GET', `/api/v1/recruitments/${draft}/ocds`, cast.agentToken)).statusCode).toBe(404);
  });
});

describe('navigation', () => {
  it('links each role to its work pages', async () => {
    const agent = await createStaff(t, 'agent');
    const browser = new Browser(t.app);
    await browser.signIn(agent);
    expect((await browser.get('/')).body).toContain('href="/agent"');
  });
});

describe('announcement headings', () => {
  it('name the kind once, on the page and in the feed, for the portal’s own notices and for amendments', async () => {
    const id = await createPublished(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, { title: '补充说明', body: '内容', affectsPreparation: false });
    await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: '接到举报，暂停核查' });
    const { title } = (await api('GET', `/api/v1/recruitments/${id}`)).json();
    const page = (await t.app.inject({ url: `/recruitments/${id}` })).body;
    expect(page).toContain('第 1 号更正/澄清公告：补充说明</h3>');
    expect(page).toContain(`第 2 号暂停公告：${title}</h3>`);
    expect(page).not.toContain('暂停公告：暂停公告');
    const feed = (await t.app.inject({ url: '/recruitments/feed.atom' })).body;
    expect(feed).toContain(`【更正/澄清公告·第 1 号】${title}：补充说明`);
    expect(feed).toContain(`【暂停公告·第 2 号】${title}`);
    expect(feed).not.toContain('：暂停公告');
  });
});
