import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createInEvaluation, type Bidder } from '../helpers/evaluation.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';

let t: TestApp;
let cast: Cast;
let admin: TestUser;
let id: string;
let bidders: Bidder[];

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  admin = await createStaff(t, 'admin');
  ({ id, bidders } = await createInEvaluation(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
});
afterAll(() => t.close());

const SPECIALTY = '公益活动策划';
const experts: { email: string; password: string; name: string }[] = [];
const browsers = new Map<string, Browser>();
const page = (expertEmail: string) => browsers.get(expertEmail)!;
const evaluationUrl = () => `/recruitments/${id}/evaluation`;

describe('the expert pool', () => {
  it('the administrator adds experts, and deactivates one, through the pages', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    await browser.get('/admin/experts');
    const forged = await browser.post('/admin/experts', { name: 'x', email: 'x@example.org', password: 'long-enough-pw', specialties: SPECIALTY }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    const bad = await browser.post('/admin/experts', { name: '专家', email: 'bad@example.org', password: 'long-enough-pw', specialties: SPECIALTY, affiliationUscc: '123' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('统一社会信用代码无效');
    for (let i = 1; i <= 6; i++) {
      const expert = { name: `评审专家${i}`, email: `expert-pages-${i}@example.org`, password: 'expert-password-1' };
      expect((await browser.post('/admin/experts', { ...expert, specialties: `${SPECIALTY}，体育` })).statusCode).toBe(303);
      experts.push(expert);
    }
    const listed = await browser.get('/admin/experts');
    expect(listed.body).toContain('评审专家6');
    const sixth = (await t.app.services.accounts.listUsers('expert')).find((u) => u.email === experts[5]!.email)!;
    expect((await browser.post(`/admin/users/${sixth.id}/active`, { active: '0', back: 'experts' })).statusCode).toBe(303);
    expect((await browser.get('/admin/experts')).body).toMatch(/评审专家6<\/td>.*停用<\/td>/s);
    experts.pop();
  });
});

describe('a panel of five does the whole evaluation through the pages', () => {
  let chair: string;

  it('the agent draws the panel; an even size is refused beside the field', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/agent/recruitments/${id}`)).body).toContain(`/recruitments/${id}/evaluation#draw`);
    expect((await agent.get(evaluationUrl())).body).toContain('随机抽取');
    const even = await agent.post(`/recruitments/${id}/panel/draw`, { size: '4', specialties: SPECIALTY });
    expect(even.statusCode).toBe(400);
    expect(even.body).toContain('不少于 5 的单数');
    const drawn = await agent.post(`/recruitments/${id}/panel/draw`, { size: '5', specialties: SPECIALTY });
    expect(drawn.statusCode).toBe(303);
    const shown = await agent.get(evaluationUrl());
    for (const expert of experts) expect(shown.body).toContain(expert.name);
    const panel = (await t.app.inject({ url: `/api/v1/recruitments/${id}/panel`, headers: bearer(cast.agentToken) })).json();
    chair = panel.members.find((m: { order: number }) => m.order === 1).name;
  });

  it('15.8: the conflict declaration has no answer chosen; without one it is refused beside the field, recording nothing', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(experts[0]!);
    const form = await browser.get(evaluationUrl());
    expect(form.body).toMatch(/name="conflict" value="0" required>/);
    expect(form.body).not.toMatch(/name="conflict"[^>]*checked/);
    const unchosen = await browser.post(`/recruitments/${id}/panel/declaration`, { note: '' });
    expect(unchosen.statusCode).toBe(400);
    expect(unchosen.body).toContain('<p class="error" id="e-conflict">请选择是否与上述响应单位存在利害关系</p>');
    expect((await browser.get('/expert')).body).toContain('待声明');
  });

  it('each expert sees the bidders and declares no conflict, then the documents', async () => {
    for (const expert of experts) {
      const browser = new Browser(t.app);
      browsers.set(expert.email, browser);
      await browser.signIn(expert);
      expect((await browser.get('/expert')).body).toContain(`/recruitments/${id}/evaluation`);
      const before = await browser.get(evaluationUrl());
      for (const bidder of bidders) expect(before.body).toContain(bidder.name);
      expect(before.body).not.toContain('/files/');
      expect((await browser.post(`/recruitments/${id}/panel/declaration`, { conflict: '0', note: '' })).statusCode).toBe(303);
      const after = await browser.get(evaluationUrl());
      const link = new RegExp(`/recruitments/${id}/bids/${bidders[0]!.bidId}/files/[0-9a-f-]{36}`).exec(after.body)![0];
      const file = await browser.get(link);
      expect(file.statusCode).toBe(200);
      expect(file.body).toContain(`bid of ${bidders[0]!.name}`);
    }
  });

  it('the chair reviews qualification; a fail needs a reason', async () => {
    const chairBrowser = page(experts.find((e) => e.name === chair)!.email);
    const form = await chairBrowser.get(evaluationUrl());
    expect(form.body).toContain('保存资格审查结果');
    const other = page(experts.find((e) => e.name !== chair)!.email);
    expect((await other.get(evaluationUrl())).body).not.toContain('保存资格审查结果');
    const conditions = [...new Set([...form.body.matchAll(/name="results\[([^\]]+)\]"/g)].map((m) => m[1]!))];
    expect(conditions).toHaveLength(6);
    const verdicts = (verdict: (key: string) => string) => Object.fromEntries(conditions.map((key) => [`results[${key}]`, verdict(key)]));
    const last = bidders[5]!;
    const noReason = await chairBrowser.post(`/recruitments/${id}/qualification/${last.bidId}`, { ...verdicts((k) => (k === conditions[0] ? 'fail' : 'pass')), reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('判定不通过须说明理由');
    expect(
      (await chairBrowser.post(`/recruitments/${id}/qualification/${last.bidId}`, { ...verdicts((k) => (k === conditions[0] ? 'fail' : 'pass')), reason: '缺少社保缴纳证明' })).statusCode,
    ).toBe(303);
    for (const bidder of bidders.slice(0, 5)) {
      expect((await chairBrowser.post(`/recruitments/${id}/qualification/${bidder.bidId}`, { ...verdicts(() => 'pass'), reason: '' })).statusCode).toBe(303);
    }
  });

  it('15.8: the chair is told, beside the bid, that the qualification review was saved', async () => {
    const chairBrowser = page(experts.find((e) => e.name === chair)!.email);
    const form = await chairBrowser.get(evaluationUrl());
    const conditions = [...new Set([...form.body.matchAll(/name="results\[([^\]]+)\]"/g)].map((m) => m[1]!))];
    const bidId = bidders[0]!.bidId;
    const saved = await chairBrowser.post(`/recruitments/${id}/qualification/${bidId}`, {
      ...Object.fromEntries(conditions.map((key) => [`results[${key}]`, 'pass'])),
      reason: '',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/recruitments/${id}/evaluation?done=qualify&bid=${bidId}#bid-${bidId}`);
    const shown = await chairBrowser.get(String(saved.headers.location));
    expect(shown.body).toMatch(new RegExp(`id="bid-${bidId}">[\\s\\S]*?<p class="alert success" role="status">资格审查结果已保存。</p>`));
  });

  it('15.8: every scoring error is shown beside its criterion; the form shows the running total of saved scores', async () => {
    const browser = page(experts[0]!.email);
    const bidId = bidders[0]!.bidId;
    const faulty = await browser.post(`/recruitments/${id}/scores/${bidId}`, {
      'scores[plan]': '20.3', 'scores[ability]': '', 'scores[record]': '25', 'scores[share]': '10', 'scores[revenue]': '10', comment: '',
    });
    expect(faulty.statusCode).toBe(400);
    for (const message of ['“公益服务方案”的分值以 0.5 分为单位', '请为“资质与专业能力”评分', '“业绩与信誉”的分值须在 0 至 20 之间']) {
      expect(faulty.body).toContain(`<p class="error">${message}</p>`);
    }
    expect(faulty.body).toContain('<script src="/static/score-total.js" defer></script>');
    const saved = await browser.post(`/recruitments/${id}/scores/${bidId}`, {
      'scores[plan]': '20.5', 'scores[ability]': '12', 'scores[record]': '12', 'scores[share]': '10', 'scores[revenue]': '12', comment: '',
    });
    expect(saved.statusCode).toBe(303);
    const shown = await browser.get(String(saved.headers.location));
    expect(shown.body).toContain('合计 <output data-score-total>66.5</output> 分');
    expect((await browser.get('/static/score-total.js')).statusCode).toBe(200);
  });

  it('each expert scores the qualified bids, drafts first, then submits; nobody sees a result before all have', async () => {
    for (const [i, expert] of experts.entries()) {
      const browser = page(expert.email);
      const form = await browser.get(evaluationUrl());
      expect(form.body).toContain('公益服务方案');
      expect(form.body).toContain('max="30"');
      expect(form.body).not.toContain(`action="/recruitments/${id}/scores/${bidders[5]!.bidId}"`);
      const offStep = await browser.post(`/recruitments/${id}/scores/${bidders[0]!.bidId}`, {
        'scores[plan]': '20.3', 'scores[ability]': '15', 'scores[record]': '15', 'scores[share]': '10', 'scores[revenue]': '10', comment: '',
      });
      expect(offStep.statusCode).toBe(400);
      expect(offStep.body).toContain('以 0.5 分为单位');
      for (const [j, bidder] of bidders.slice(0, 5).entries()) {
        // the fifth expert marks the first bid down to 5 points in all: an outlier
        const plan = i === 4 && j === 0 ? '0' : String(20 + j + (i % 3) * 0.5);
        const rest = i === 4 && j === 0 ? '0' : '12';
        const response = await browser.post(`/recruitments/${id}/scores/${bidder.bidId}`, {
          'scores[plan]': plan, 'scores[ability]': rest, 'scores[record]': rest, 'scores[share]': i === 4 && j === 0 ? '5' : '10', 'scores[revenue]': rest, comment: j === 1 ? '方案完整' : '',
        });
        expect(response.statusCode).toBe(303);
      }
      const agent = await t.app.inject({ url: `/api/v1/recruitments/${id}/evaluation`, headers: bearer(cast.agentToken) });
      expect(agent.statusCode).toBe(409);
      expect((await browser.get(evaluationUrl())).body).not.toContain('评审结果</h2>');
      expect((await browser.post(`/recruitments/${id}/scores/submit`, {})).statusCode).toBe(303);
      const locked = await browser.post(`/recruitments/${id}/scores/${bidders[0]!.bidId}`, {
        'scores[plan]': '1', 'scores[ability]': '1', 'scores[record]': '1', 'scores[share]': '1', 'scores[revenue]': '1', comment: '',
      });
      expect(locked.statusCode).toBe(409);
    }
  });

  it('the result shows per-criterion scores, ranking, flags and an SVG chart per lot; the outlier justifies, all confirm, the inspector signs off', async () => {
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    const result = await inspector.get(evaluationUrl());
    expect(result.body).toContain('评审结果</h2>');
    expect(result.body.match(/<svg /g)).toHaveLength(2);
    expect(result.body).not.toMatch(/\sstyle=/);
    expect(result.body).toContain('class="dot outlier"');
    expect(result.body).toContain('推荐入选');
    expect(result.body).toContain('资格审查未通过：缺少社保缴纳证明');
    expect(result.body).toContain('公益服务方案（30）');
    expect(result.body).not.toContain('签字确认评审</button>');

    for (const expert of experts.slice(0, 4)) expect((await page(expert.email).post(`/recruitments/${id}/evaluation/confirm`, {})).statusCode).toBe(303);
    const outlier = page(experts[4]!.email);
    const shown = await outlier.get(evaluationUrl());
    expect(shown.body).toContain('请写明理由');
    const refused = await outlier.post(`/recruitments/${id}/evaluation/confirm`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('请先填写书面理由');
    expect((await outlier.post(`/recruitments/${id}/scores/${bidders[0]!.bidId}/comment`, { comment: '公益服务方案与招募要求不符' })).statusCode).toBe(303);
    expect((await outlier.post(`/recruitments/${id}/evaluation/confirm`, {})).statusCode).toBe(303);

    const ready = await inspector.get(evaluationUrl());
    expect(ready.body).toContain('签字确认评审</button>');
    expect(ready.body).toContain('公益服务方案与招募要求不符');
    expect((await inspector.post(`/recruitments/${id}/evaluation/signoff`, { comment: '评审过程规范' }, { csrf: false })).statusCode).toBe(403);
    expect((await inspector.post(`/recruitments/${id}/evaluation/signoff`, { comment: '评审过程规范' })).statusCode).toBe(303);
    const signed = await page(experts[0]!.email).get(evaluationUrl());
    expect(signed.body).toContain('纪检监督员已于');
    expect(signed.body).toMatch(/<code class="hash">[0-9a-f]{64}<\/code>（核验通过）/);
    expect(signed.body).toContain('评审中');
  });

  it('is refused to bidders and to experts not on the panel', async () => {
    const bidder = new Browser(t.app);
    await bidder.signIn(bidders[0]!);
    expect((await bidder.get(evaluationUrl())).statusCode).toBe(403);
    const outsider = await createStaff(t, 'expert');
    const browser = new Browser(t.app);
    await browser.signIn(outsider);
    expect((await browser.get(evaluationUrl())).statusCode).toBe(403);
    expect((await new Browser(t.app).get(evaluationUrl())).statusCode).toBe(303);
  });
});
