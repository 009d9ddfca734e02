import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_ELIGIBILITY } from '../../server/domain/recruitments/rules.ts';
import { toBeijingLocal } from '../../server/lib/datetime.ts';
import { bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createCast, createDraft, createPublished, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { registerOrganization } from '../helpers/organizations.ts';

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

/** A datetime-local value `days` after the test clock's now, in Beijing time, to the minute. */
const localIn = (days: number) => toBeijingLocal(new Date(t.clock.now().getTime() + days * DAY_MS)).slice(0, 16);

const INLINE_CODE = /<script>|<style>| style=|on(click|load|submit)=/;

const LOTS = [
  { key: 'arts', name: '文艺演出', quota: '3', description: '剧场演出与艺术培训' },
  { key: 'sports', name: '体育组织', quota: '2', description: '' },
];
const CRITERIA = [
  { key: 'plan', name: '公益服务方案', maxScore: '30' },
  { key: 'ability', name: '资质与专业能力', maxScore: '20' },
  { key: 'record', name: '业绩与信誉', maxScore: '20' },
  { key: 'share', name: '免费/优惠名额比例', maxScore: '15' },
  { key: 'revenue', name: '合作与收益方案', maxScore: '15' },
];

/** The draft form as a browser posts it: rows flattened to `group[i][field]`, every value a string. */
function draftForm(overrides: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = {
    title: '浙江省职工服务中心社会化运营合作伙伴招募',
    owner: '浙江省职工服务中心',
    summary: '公开招募文艺演出、体育组织合作伙伴。',
    body: '## 招募内容\n\n在职工服务中心开展**公益性**服务。',
    decisionRef: '浙职服〔2026〕12 号 党委会议纪要',
    submissionDeadline: localIn(30),
    questionsDeadline: '',
    publicityDays: '3',
    agreementTermMonths: '36',
    minPublicBenefitRatio: '20',
    op: 'save',
  };
  const rows = { lots: LOTS, eligibility: DEFAULT_ELIGIBILITY, criteria: CRITERIA.map((c) => ({ ...c, description: '' })) };
  for (const [group, list] of Object.entries(rows)) {
    list.forEach((row, index) => {
      for (const [name, value] of Object.entries(row)) fields[`${group}[${index}][${name}]`] = String(value);
    });
  }
  return { ...fields, ...overrides };
}

async function signedIn(user: { email: string; password: string }) {
  const browser = new Browser(t.app);
  await browser.signIn(user);
  return browser;
}

const getRecruitment = async (id: string) =>
  (await t.app.inject({ url: `/api/v1/recruitments/${id}`, headers: bearer(cast.agentToken) })).json();

/** The recruitments the agent can see through the API: every own draft, every published one. */
const visibleCount = async () =>
  (await t.app.inject({ url: '/api/v1/recruitments', headers: bearer(cast.agentToken) })).json<unknown[]>().length;

describe('agent pages: the whole flow', () => {
  it('drafts, edits, publishes, registers a publication, amends, answers and cancels through pages only', async () => {
    const browser = await signedIn(cast.agent);
    const before = await visibleCount();

    const index = await browser.get('/agent');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('href="/agent/recruitments/new"');

    const blank = await browser.get('/agent/recruitments/new');
    expect(blank.statusCode).toBe(200);
    for (const { text } of DEFAULT_ELIGIBILITY) expect(blank.body).toContain(`value="${text}"`);
    expect(blank.body).toContain('value="公益服务方案"');
    expect(blank.body).toContain('满分合计 <strong>100</strong> 分');
    // the CSP allows no inline script or style: the form must work without either
    expect(blank.body).not.toMatch(INLINE_CODE);

    // A row button shows the form again with everything typed, the row added, and saves nothing.
    const added = await browser.post('/agent/recruitments/new', draftForm({ op: 'add-lot', title: '尚未保存的标题' }));
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('name="lots[2][key]"');
    expect(added.body).toContain('value="尚未保存的标题"');
    expect(added.body).toContain('value="剧场演出与艺术培训"');
    expect(added.body).not.toContain('class="alert error"');

    const removed = await browser.post('/agent/recruitments/new', draftForm({ op: 'remove-criterion:1', title: '' }));
    expect(removed.statusCode).toBe(200);
    expect(removed.body).not.toContain('value="资质与专业能力"');
    expect(removed.body).toContain('value="合作与收益方案"');
    expect(removed.body).not.toContain('name="criteria[4][key]"');
    expect(removed.body).toContain('满分合计 <strong>80</strong> 分');
    // an empty title is not an error yet: nothing was meant to be saved
    expect(removed.body).not.toContain('id="e-title"');
    expect(await visibleCount()).toBe(before);

    const created = await browser.post('/agent/recruitments/new', draftForm());
    expect(created.statusCode).toBe(303);
    const location = String(created.headers.location);
    const id = /^\/agent\/recruitments\/([0-9a-f-]{36})\?done=create$/.exec(location)?.[1] ?? '';
    expect(id).not.toBe('');
    const draft = await getRecruitment(id);
    expect(draft).toMatchObject({ status: 'draft', lots: [{ key: 'arts', quota: 3 }, { key: 'sports', quota: 2 }] });
    expect(draft.criteria.map((c: { maxScore: number }) => c.maxScore)).toEqual([30, 20, 20, 15, 15]);
    // left empty, the questions deadline is ten days before the submission deadline
    expect(Date.parse(draft.submissionDeadline) - Date.parse(draft.questionsDeadline)).toBe(10 * DAY_MS);

    const manage = await browser.get(location);
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toContain('草稿已保存');
    expect(manage.body).not.toMatch(INLINE_CODE);
    expect(manage.body).toContain(`href="/agent/recruitments/${id}/edit"`);
    expect(manage.body).toContain(`<option value="${cast.inspector.id}">`);
    expect((await browser.get('/agent')).body).toContain(`href="/agent/recruitments/${id}"`);

    const editForm = await browser.get(`/agent/recruitments/${id}/edit`);
    expect(editForm.statusCode).toBe(200);
    expect(editForm.body).toContain('value="浙职服〔2026〕12 号 党委会议纪要"');
    // the Markdown is shown exactly as saved: no indentation slips into its lines
    expect(editForm.body).toContain(`>${draftForm().body}</textarea>`);
    expect(editForm.body).toContain(`value="${toBeijingLocal(new Date(draft.submissionDeadline))}"`);
    const questionsDeadline = localIn(15);
    const edited = await browser.post(
      `/agent/recruitments/${id}/edit`,
      draftForm({ title: '修改后的招募项目', questionsDeadline, 'lots[1][quota]': '4' }),
    );
    expect(edited.statusCode).toBe(303);
    expect(edited.headers.location).toBe(`/agent/recruitments/${id}?done=update`);
    const updated = await getRecruitment(id);
    expect(updated.title).toBe('修改后的招募项目');
    expect(updated.lots[1].quota).toBe(4);
    expect(toBeijingLocal(new Date(updated.questionsDeadline))).toBe(questionsDeadline);

    await browser.get(`/agent/recruitments/${id}`);
    const published = await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: cast.inspector.id, escrowHolderId: '' });
    expect(published.statusCode).toBe(303);
    expect(published.headers.location).toBe(`/agent/recruitments/${id}?done=publish`);
    expect((await getRecruitment(id)).status).toBe('published');
    expect((await browser.get(`/agent/recruitments/${id}/edit`)).statusCode).toBe(409);

    const publicationPage = await browser.get(`/agent/recruitments/${id}`);
    expect(publicationPage.body).toContain('<option value="trading_platform" selected>公共资源交易平台</option>');
    const publication = await browser.post(`/agent/recruitments/${id}/publications`, {
      channel: 'newspaper',
      name: '浙江工人日报',
      publishedOn: '2026-03-02',
      url: '',
    });
    expect(publication.headers.location).toBe(`/agent/recruitments/${id}?done=publication`);
    expect((await getRecruitment(id)).publications).toMatchObject([{ channel: 'newspaper', name: '浙江工人日报', url: null }]);

    const newDeadline = localIn(40);
    const amendment = await browser.post(`/agent/recruitments/${id}/amendments`, {
      title: '关于体育组织类别的更正公告',
      body: '体育组织类别入选名额调整为 3 家。',
      submissionDeadline: newDeadline,
      questionsDeadline: '',
      affectsPreparation: 'true',
    });
    expect(amendment.headers.location).toBe(`/agent/recruitments/${id}?done=amendment`);
    const amended = await getRecruitment(id);
    expect(amended.announcements.map((a: { kind: string }) => a.kind)).toEqual(['announcement', 'amendment']);
    expect(toBeijingLocal(new Date(amended.submissionDeadline))).toBe(newDeadline);

    const asked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${id}/questions`,
      headers: bearer(cast.bidderToken),
      payload: { text: '体育组织类别是否接受民办非企业单位？' },
    });
    expect(asked.statusCode).toBe(201);
    const questionId = asked.json<{ id: string }>().id;
    const withQuestion = await browser.get(`/agent/recruitments/${id}`);
    expect(withQuestion.body).toContain('体育组织类别是否接受民办非企业单位？');
    expect(withQuestion.body).toContain(`action="/agent/questions/${questionId}/answer"`);
    const emptyAnswer = await browser.post(`/agent/questions/${questionId}/answer`, { recruitmentId: id, text: '' });
    expect(emptyAnswer.statusCode).toBe(400);
    expect(emptyAnswer.body).toContain(`<p class="error" id="answer-error-${questionId}">必填</p>`);
    const answered = await browser.post(`/agent/questions/${questionId}/answer`, { recruitmentId: id, text: '接受，须具备相应资质。' });
    expect(answered.headers.location).toBe(`/agent/recruitments/${id}?done=answer`);
    const afterAnswer = await browser.get(`/agent/recruitments/${id}?done=answer`);
    expect(afterAnswer.body).toContain('接受，须具备相应资质。');
    expect(afterAnswer.body).not.toContain(`action="/agent/questions/${questionId}/answer"`);

    const noReason = await browser.post(`/agent/recruitments/${id}/cancel`, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('<p class="error" id="e-reason">必填</p>');
    const cancelled = await browser.post(`/agent/recruitments/${id}/cancel`, { reason: '场地改造，项目延期另行招募。' });
    expect(cancelled.headers.location).toBe(`/agent/recruitments/${id}?done=cancel`);
    expect((await getRecruitment(id)).status).toBe('cancelled');
    const final = await browser.get(`/agent/recruitments/${id}?done=cancel`);
    expect(final.body).toContain('已终止');
    expect(final.body).not.toContain(`action="/agent/recruitments/${id}/cancel"`);
    expect(final.body).not.toContain(`action="/agent/recruitments/${id}/amendments"`);
  });
});

describe('refused forms', () => {
  it('shows rule errors beside their field or row group with 400, keeping what was typed', async () => {
    const browser = await signedIn(cast.agent);
    await browser.get('/agent/recruitments/new');
    const before = await visibleCount();
    const response = await browser.post(
      '/agent/recruitments/new',
      draftForm({ 'criteria[0][maxScore]': '25', agreementTermMonths: '61' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<p class="error" id="e-criteria" role="alert">评分因素满分合计必须为 100 分（当前 95 分）</p>');
    expect(response.body).toContain('<p class="error" id="e-agreementTermMonths">合作期限最长 60 个月（5 年）</p>');
    expect(response.body).toContain('满分合计 <strong>95</strong> 分');
    expect(response.body).toContain('value="61"');
    expect(await visibleCount()).toBe(before);
  });

  it('answers 400 for schema errors and for a day the calendar does not have', async () => {
    const browser = await signedIn(cast.agent);
    await browser.get('/agent/recruitments/new');
    const response = await browser.post(
      '/agent/recruitments/new',
      draftForm({ title: '', 'lots[0][key]': '文艺', submissionDeadline: '2026-12-01 10:00' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<p class="error" id="e-title">必填</p>');
    expect(response.body).toContain('<p class="error" id="e-lots" role="alert">格式不正确</p>');
    expect(response.body).toContain('<p class="error" id="e-submissionDeadline">格式不正确</p>');
    const impossible = await browser.post('/agent/recruitments/new', draftForm({ submissionDeadline: '2027-02-29T10:00' }));
    expect(impossible.statusCode).toBe(400);
    expect(impossible.body).toContain('<p class="error" id="e-submissionDeadline">没有这个日期或时间</p>');
  });

  it('refuses to publish without the collective decision or an inspector, at the publish form', async () => {
    const browser = await signedIn(cast.agent);
    const id = await createDraft(t, cast, { decisionRef: '' });
    await browser.get(`/agent/recruitments/${id}`);
    const noInspector = await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: '', escrowHolderId: '' });
    expect(noInspector.statusCode).toBe(400);
    expect(noInspector.body).toMatch(/<select id="f-inspectorId"[\s\S]*?<p class="error">必填<\/p>/);
    const noDecision = await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: cast.inspector.id, escrowHolderId: '' });
    expect(noDecision.statusCode).toBe(409);
    expect(noDecision.body).toContain('发布前须记录集体决策（“三重一大”）文号');
    expect(noDecision.body).toContain(`<option value="${cast.inspector.id}" selected>`);
    expect((await getRecruitment(id)).status).toBe('draft');
  });

  it('15.4: a blank question deadline follows a corrected submission deadline, and publishing succeeds', async () => {
    const browser = await signedIn(cast.agent);
    await browser.get('/agent/recruitments/new');
    const created = await browser.post('/agent/recruitments/new', draftForm({ submissionDeadline: localIn(5) }));
    expect(created.statusCode).toBe(303);
    const id = /recruitments\/([0-9a-f-]{36})\?/.exec(String(created.headers.location))?.[1] ?? '';
    const tooSoon = await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: cast.inspector.id, escrowHolderId: '' });
    expect(tooSoon.statusCode).toBe(409);
    expect(tooSoon.body).toContain('未填写，按提交截止前 10 天计算');

    const editForm = await browser.get(`/agent/recruitments/${id}/edit`);
    expect(editForm.body).toMatch(/id="f-questionsDeadline"[^>]*value=""/);
    const corrected = await browser.post(`/agent/recruitments/${id}/edit`, draftForm({ submissionDeadline: localIn(30) }));
    expect(corrected.statusCode).toBe(303);
    const draft = await getRecruitment(id);
    expect(Date.parse(draft.submissionDeadline) - Date.parse(draft.questionsDeadline)).toBe(10 * DAY_MS);

    await browser.get(`/agent/recruitments/${id}`);
    const published = await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: cast.inspector.id, escrowHolderId: '' });
    expect(published.statusCode).toBe(303);
    expect((await getRecruitment(id)).status).toBe('published');
  });

  it('15.4: through the API too, a derived question deadline moves with the submission deadline; a typed one stays', async () => {
    const id = await createDraft(t, cast);
    const later = new Date(t.clock.now().getTime() + 40 * DAY_MS).toISOString();
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/recruitments/${id}`,
      headers: bearer(cast.agentToken),
      payload: { submissionDeadline: later },
    });
    expect(moved.statusCode).toBe(200);
    expect(Date.parse(later) - Date.parse(moved.json().questionsDeadline)).toBe(10 * DAY_MS);
    const typed = new Date(t.clock.now().getTime() + 25 * DAY_MS).toISOString();
    await t.app.inject({ method: 'PATCH', url: `/api/v1/recruitments/${id}`, headers: bearer(cast.agentToken), payload: { questionsDeadline: typed } });
    const kept = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/recruitments/${id}`,
      headers: bearer(cast.agentToken),
      payload: { submissionDeadline: new Date(t.clock.now().getTime() + 45 * DAY_MS).toISOString() },
    });
    expect(Date.parse(kept.json().questionsDeadline)).toBe(Date.parse(typed));
  });

  it('refuses to publish to an inspector who has set no opening passphrase, beside the inspector', async () => {
    const browser = await signedIn(cast.agent);
    const keyless = await createStaff(t, 'inspector');
    const id = await createDraft(t, cast);
    await browser.get(`/agent/recruitments/${id}`);
    const response = await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: keyless.id, escrowHolderId: '' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatch(/<select id="f-inspectorId"[\s\S]*?<p class="error">以下开标密钥持有人尚未设置开标口令：纪检监督员<\/p>/);
    expect((await getRecruitment(id)).status).toBe('draft');
  });

  it('shows DEADLINE_TOO_CLOSE beside the new deadline of the amendment form (409)', async () => {
    const browser = await signedIn(cast.agent);
    const id = await createPublished(t, cast, 30);
    t.clock.advance(20 * DAY_MS);
    try {
      await browser.get(`/agent/recruitments/${id}`);
      const response = await browser.post(`/agent/recruitments/${id}/amendments`, {
        title: '资格条件更正',
        body: '增加一项资格条件。',
        submissionDeadline: '',
        questionsDeadline: '',
        affectsPreparation: 'true',
      });
      expect(response.statusCode).toBe(409);
      expect(response.body).toMatch(/<p class="error" id="e-submissionDeadline">该更正影响响应文件编制，提交截止时间须顺延/);
      expect(response.body).toContain('value="资格条件更正"');
      expect(response.body).toMatch(/name="affectsPreparation" value="true" checked/);
      expect((await getRecruitment(id)).announcements).toHaveLength(1);
    } finally {
      t.clock.advance(-20 * DAY_MS);
    }
  });
});

describe('who may use the agent pages', () => {
  it('sends a signed-out visitor to the sign-in page (303)', async () => {
    const browser = new Browser(t.app);
    for (const url of ['/agent', '/agent/recruitments/new']) {
      const response = await browser.get(url);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
  });

  it('refuses organisations and inspectors (403)', async () => {
    const organization = organizationInput();
    await registerOrganization(t, organization);
    for (const user of [organization, cast.inspector]) {
      const browser = await signedIn(user);
      expect((await browser.get('/agent')).statusCode).toBe(403);
      expect((await browser.get('/agent/recruitments/new')).statusCode).toBe(403);
    }
  });

  it("answers 404 for another agent's draft, and 403 for another agent's published recruitment", async () => {
    const other = await createStaff(t, 'agent');
    const browser = await signedIn(other);
    const draft = await createDraft(t, cast);
    expect((await browser.get(`/agent/recruitments/${draft}`)).statusCode).toBe(404);
    expect((await browser.get(`/agent/recruitments/${draft}/edit`)).statusCode).toBe(404);
    await browser.get('/agent');
    expect((await browser.post(`/agent/recruitments/${draft}/cancel`, { reason: '越权' })).statusCode).toBe(404);
    expect((await browser.post(`/agent/recruitments/${draft}/edit`, draftForm({ op: 'add-lot' }))).statusCode).toBe(404);
    expect((await getRecruitment(draft)).status).toBe('draft');
    const published = await createPublished(t, cast);
    expect((await browser.get(`/agent/recruitments/${published}`)).statusCode).toBe(403);
    expect((await browser.get('/agent')).body).not.toContain(`/agent/recruitments/${published}"`);
  });

  it('refuses a form without its CSRF token (403) and changes nothing', async () => {
    const browser = await signedIn(cast.agent);
    const id = await createDraft(t, cast);
    await browser.get(`/agent/recruitments/${id}`);
    const before = await visibleCount();
    const cancel = await browser.post(`/agent/recruitments/${id}/cancel`, { reason: '伪造的请求' }, { csrf: false });
    expect(cancel.statusCode).toBe(403);
    expect(cancel.body).toContain('CSRF');
    expect((await getRecruitment(id)).status).toBe('draft');
    const create = await browser.post('/agent/recruitments/new', draftForm(), { csrf: false });
    expect(create.statusCode).toBe(403);
    expect(await visibleCount()).toBe(before);
  });
});
