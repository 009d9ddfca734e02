import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../server/lib/datetime.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { Browser } from '../helpers/browser.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

// The per-recruitment record page (/inspector/recruitments/:id/audit), the whole log's page, and
// GET /api/v1/audit's filters: who may read a record, newest first, pages, filters, ?seq=N.
// The live stream is in audit-record-live.test.ts.

let t: TestApp;
let cast: Cast;
let id: string;
let otherId: string;
let bidder: Awaited<ReturnType<typeof createBidder>>;
let supervisor: TestUser;
let stranger: TestUser;
const browsers = new Map<string, Browser>();

async function as(user: { email: string; password: string }) {
  let browser = browsers.get(user.email);
  if (!browser) {
    browser = new Browser(t.app);
    await browser.signIn(user);
    browsers.set(user.email, browser);
  }
  return browser;
}

const recordUrl = (query = '') => `/inspector/recruitments/${id}/audit${query}`;
const seqs = (body: string) => [...body.matchAll(/<li class="audit-entry[^"]*" id="seq-(\d+)"/g)].map((match) => Number(match[1]));
const ask = (recruitmentId: string, text = '请问场地由谁提供？') =>
  t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${recruitmentId}/questions`, headers: bearer(bidder.token), payload: { text } });
const api = (query: string, token = cast.inspectorToken) => t.app.inject({ url: `/api/v1/audit?${query}`, headers: bearer(token) });

let questionDay: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  id = await createPublished(t, cast);
  otherId = await createPublished(t, cast);
  bidder = await createBidder(t);
  supervisor = await createStaff(t, 'inspector');
  stranger = await createStaff(t, 'inspector');
  await t.rawSql(`update users set supervises_all = true where id = '${supervisor.id}'`);
  await submitBid(t, id, bidder.token, 'arts', 'bidder-a');
  // two days later, 55 questions: more than a page
  t.clock.set(new Date(t.clock.now().getTime() + 2 * 24 * 3600 * 1000));
  questionDay = beijingDate(t.clock.now());
  for (let i = 0; i < 55; i++) expect((await ask(id, `问题 ${i}`)).statusCode).toBe(201);
  await ask(otherId);
}, 120_000);
afterAll(() => t.close());

describe('who reads a recruitment\'s record', () => {
  it('is open to its named inspector and to a supervising inspector', async () => {
    for (const user of [cast.inspector, supervisor]) {
      const page = await (await as(user)).get(recordUrl());
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('操作日志');
    }
  });

  it('is refused to another inspector, the agent and a bidder (403), and sends visitors to sign in', async () => {
    for (const user of [stranger, cast.agent, bidder]) {
      const page = await (await as(user)).get(recordUrl());
      expect(page.statusCode).toBe(403);
    }
    expect((await new Browser(t.app).get(recordUrl())).statusCode).toBe(303);
  });

  it('answers 404 for a recruitment that does not exist, 400 for an id that is not one', async () => {
    const browser = await as(cast.inspector);
    expect((await browser.get('/inspector/recruitments/00000000-0000-4000-8000-000000000000/audit')).statusCode).toBe(404);
    expect((await browser.get('/inspector/recruitments/nope/audit')).statusCode).toBe(400);
  });

  it.each(['action=DROP%20TABLE', 'actorId=someone', 'from=2026-13-01', 'to=yesterday', 'before=0', 'seq=abc', 'from=2026-03-02&to=2026-03-01'])(
    'answers 400 for a bad filter ?%s',
    async (query) => {
      expect((await (await as(cast.inspector)).get(recordUrl(`?${query}`))).statusCode).toBe(400);
    },
  );
});

describe('the record page', () => {
  it('shows the recruitment\'s entries newest first, fifty a page, in words, with the chain status', async () => {
    const page = await (await as(cast.inspector)).get(recordUrl());
    const shown = seqs(page.body);
    expect(shown).toHaveLength(50);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    const ours = (await api(`recruitmentId=${id}&limit=1000`)).json<{ seq: number }[]>().map((entry) => entry.seq);
    expect(shown).toEqual(ours.reverse().slice(0, 50));
    expect(page.body).toContain('哈希链核验通过');
    expect(page.body).toContain('提出问题');
    expect(page.body).toContain('内容 4 字');
    expect(page.body).not.toMatch(/\{&quot;|\{"/);
    expect(page.body).toContain('data-audit-stream=');
    expect(page.body).toContain('/static/audit-live.js');
  });

  it('pages back with ?before, the cursor of the "更早的记录" link, and forward again', async () => {
    const browser = await as(cast.inspector);
    const first = await browser.get(recordUrl());
    const older = /<a href="([^"]+)">更早的记录<\/a>/.exec(first.body)?.[1]?.replaceAll('&#x3D;', '=');
    expect(older).toBe(recordUrl(`?before=${seqs(first.body).at(-1)}`));
    const second = await browser.get(older!);
    const shown = seqs(second.body);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0]).toBeLessThan(seqs(first.body).at(-1)!);
    expect(second.body).toContain('提交响应文件');
    expect(second.body).toContain('第 1 版，类别：文艺演出');
    expect(second.body).not.toContain('data-audit-stream=');
    expect(second.body).not.toContain('更早的记录');
    expect(second.body).toContain(`href="${recordUrl()}">最新记录`);
  });

  it('filters by action, with the actions present offered by name', async () => {
    const page = await (await as(cast.inspector)).get(recordUrl('?action=bid.submit'));
    expect(page.body).toContain('<option value="bid.submit" selected>提交响应文件</option>');
    expect(page.body).toContain('<option value="question.ask">提出问题</option>');
    expect(page.body).not.toContain('value="auth.login"');
    expect(seqs(page.body)).toHaveLength(1);
    expect(page.body).toMatch(/文件 1 个/);
  });

  it('filters by actor, with the actors present offered by name and role', async () => {
    const page = await (await as(cast.inspector)).get(recordUrl(`?actorId=${cast.agent.id}`));
    expect(page.body).toContain(`<option value="${cast.agent.id}" selected>${cast.agent.name}（招标代理）</option>`);
    const shown = seqs(page.body);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(page.body).toContain('创建招募项目');
    expect(page.body).not.toContain('提出问题</strong>');
  });

  it('filters by Beijing date, from and to', async () => {
    const browser = await as(cast.inspector);
    const fromDay = await browser.get(recordUrl(`?from=${questionDay}`));
    expect(fromDay.body).not.toContain('提交响应文件</strong>');
    expect(seqs(fromDay.body)).toHaveLength(50);
    const before = await browser.get(recordUrl(`?to=${beijingDate(new Date(Date.parse(`${questionDay}T00:00:00+08:00`) - 1))}`));
    expect(before.body).toContain('提交响应文件</strong>');
    expect(before.body).not.toContain('提出问题</strong>');
    const api200 = await api(`recruitmentId=${id}&from=${questionDay}&action=bid.submit`);
    expect(api200.json()).toEqual([]);
  });

  it('?seq=N shows the page that holds entry N, highlighted', async () => {
    const browser = await as(cast.inspector);
    const first = await browser.get(recordUrl());
    const second = await browser.get(recordUrl(`?before=${seqs(first.body).at(-1)}`));
    const target = seqs(second.body).at(-2)!;
    const page = await browser.get(recordUrl(`?seq=${target}`));
    expect(seqs(page.body)).toEqual(seqs(second.body));
    expect(page.body).toContain(`<li class="audit-entry highlighted" id="seq-${target}" aria-current="true">`);
    const onFirst = seqs(first.body)[3]!;
    expect(seqs((await browser.get(recordUrl(`?seq=${onFirst}`))).body)).toEqual(seqs(first.body));
  });

  it('?seq=N of another recruitment\'s entry answers 404', async () => {
    const theirs = (await api(`recruitmentId=${otherId}&limit=1`)).json<{ seq: number }[]>()[0]!.seq;
    expect((await (await as(cast.inspector)).get(recordUrl(`?seq=${theirs}`))).statusCode).toBe(404);
  });
});

describe('the whole log\'s page', () => {
  it('is newest first, in words, for any inspector, each entry naming its recruitment', async () => {
    const page = await (await as(stranger)).get('/inspector/audit');
    expect(page.statusCode).toBe(200);
    const shown = seqs(page.body);
    expect(shown).toHaveLength(50);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(page.body).toContain('立即签发检查点');
    expect(page.body).toContain(`项目：<a href="/recruitments/${otherId}">`);
    expect(page.body).not.toContain('data-audit-stream=');
  });

  it('filters as the record does', async () => {
    const page = await (await as(stranger)).get('/inspector/audit?action=recruitment.publish');
    expect(seqs(page.body)).toHaveLength(2);
    expect(page.body).toContain('状态：草稿 → 公告中');
    expect(page.body).toContain(`纪检监督员：${cast.inspector.name}`);
  });
});

describe('GET /api/v1/audit with filters', () => {
  it('keeps its default: oldest first from the start', async () => {
    const entries = (await api('limit=3')).json<{ seq: number }[]>();
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });

  it('lists newest first with order=desc and pages with before', async () => {
    const page = (await api(`recruitmentId=${id}&order=desc&limit=10`)).json<{ seq: number; recruitmentId: string }[]>();
    expect(page).toHaveLength(10);
    expect(page.every((entry) => entry.recruitmentId === id)).toBe(true);
    const next = (await api(`recruitmentId=${id}&order=desc&limit=10&before=${page.at(-1)!.seq}`)).json<{ seq: number }[]>();
    expect(next[0]!.seq).toBeLessThan(page.at(-1)!.seq);
    expect([...page, ...next].map((entry) => entry.seq)).toEqual([...page, ...next].map((entry) => entry.seq).sort((a, b) => b - a));
  });

  it('filters by action, actor and time', async () => {
    const asked = (await api(`recruitmentId=${id}&action=question.ask&actorId=${(await me(bidder.token)).id}&limit=1000`)).json<{ action: string }[]>();
    expect(asked).toHaveLength(55);
    const inTime = (await api(`recruitmentId=${id}&from=${questionDay}T00:00:00%2B08:00&to=${questionDay}&limit=1000`)).json();
    expect(inTime).toHaveLength(55);
    expect((await api('from=2026-03-02&to=2026-03-01')).statusCode).toBe(400);
    expect((await api('action=bid')).statusCode).toBe(400);
  });

  it('with recruitmentId, answers only its inspector or a supervising one', async () => {
    expect((await api(`recruitmentId=${id}`, await apiToken(t, supervisor))).statusCode).toBe(200);
    const refused = await api(`recruitmentId=${id}`, await apiToken(t, stranger));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await api('recruitmentId=00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await api(`recruitmentId=${id}`, cast.agentToken)).statusCode).toBe(403);
  });
});

describe('links to the record', () => {
  it('are on the recruitment\'s pages for an inspector, not for others', async () => {
    const link = `href="/inspector/recruitments/${id}/audit"`;
    expect((await (await as(cast.inspector)).get(`/recruitments/${id}`)).body).toContain(link);
    expect((await (await as(bidder)).get(`/recruitments/${id}`)).body).not.toContain(link);
    expect((await new Browser(t.app).get(`/recruitments/${id}`)).body).not.toContain(link);
    for (const page of ['opening', 'evaluation', 'publicity']) {
      const shown = await (await as(cast.inspector)).get(`/recruitments/${id}/${page}`);
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain(link);
      expect((await (await as(cast.agent)).get(`/recruitments/${id}/${page}`)).body).not.toContain(link);
    }
  });
});

async function me(token: string) {
  return (await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).json<{ id: string }>();
}
