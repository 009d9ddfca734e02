import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import type { Bidder } from '../helpers/evaluation.ts';
import { organisationP12, P12_PASSWORD } from '../helpers/partnerships.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';

// The partnership pages: the organisation asks for changes, the agent revises, the organisation
// accepts and signs with its certificate, each by a form that posts and redirects back (303), a
// refused one shown again with its message, every form with its CSRF token.

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let partnershipId: string;
let own: Bidder;
let organisation: Browser;
let agent: Browser;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
  const [first] = (await t.app.inject({ method: 'GET', url: `/api/v1/recruitments/${id}/partnerships`, headers: bearer(cast.agentToken) })).json<
    { id: string; bidId: string }[]
  >();
  partnershipId = first!.id;
  own = bidders.find((b) => b.bidId === first!.bidId)!;
  organisation = new Browser(t.app);
  await organisation.signIn(own);
  agent = new Browser(t.app);
  await agent.signIn(cast.agent);
}, 240_000);
afterAll(() => t.close());

const p12Form = (p12: Buffer, password = P12_PASSWORD) => {
  const form = new FormData();
  form.append('password', password);
  form.append('p12', new Blob([new Uint8Array(p12)], { type: 'application/x-pkcs12' }), 'org.p12');
  return form;
};

describe('the partnership page', () => {
  it('shows the organisation its draft, the deadline and the review forms; the list links it', async () => {
    const page = await organisation.get(`/partnerships/${partnershipId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('签约期限');
    expect(page.body).toContain('确认第 1 版协议文本');
    expect(page.body).toContain('提出修改申请');
    expect(page.body).not.toContain('签署正式协议');
    const list = await organisation.get('/partnerships');
    expect(list.body).toContain(`/partnerships/${partnershipId}`);
  });

  it('refuses a form without its CSRF token (403)', async () => {
    await organisation.get(`/partnerships/${partnershipId}`);
    const response = await organisation.post(`/partnerships/${partnershipId}/change-requests`, { text: '改' }, { csrf: false });
    expect(response.statusCode).toBe(403);
  });

  it('takes a request for changes, which the agent answers with a revised version', async () => {
    await organisation.get(`/partnerships/${partnershipId}`);
    const empty = await organisation.post(`/partnerships/${partnershipId}/change-requests`, { text: ' ' });
    expect(empty.statusCode).toBe(400);
    const asked = await organisation.post(`/partnerships/${partnershipId}/change-requests`, { text: '希望增加周末开放时段。' });
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe(`/partnerships/${partnershipId}?done=request`);
    const agentPage = await agent.get(`/partnerships/${partnershipId}`);
    expect(agentPage.body).toContain('发布答复');
    const requestId = /change-requests\/([0-9a-f-]{36})\/answer/.exec(agentPage.body)![1]!;
    const tooLong = await agent.post(`/partnerships/${partnershipId}/change-requests/${requestId}/answer`, { answer: 'revised', text: '增加周末开放', termMonths: '61' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('合作期限最长 60 个月');
    const answered = await agent.post(`/partnerships/${partnershipId}/change-requests/${requestId}/answer`, { answer: 'revised', text: '周六、周日各开放 4 小时。', termMonths: '' });
    expect(answered.statusCode).toBe(303);
    const page = await organisation.get(`/partnerships/${partnershipId}`);
    expect(page.body).toContain('第 2 版');
    expect(page.body).toContain('周六、周日各开放 4 小时。');
  });

  it('accepts the current version, then signs with the organisation’s certificate; a wrong password is shown again (400)', async () => {
    await organisation.get(`/partnerships/${partnershipId}`);
    expect((await organisation.post(`/partnerships/${partnershipId}/accept`, { version: '2' })).statusCode).toBe(303);
    const page = await organisation.get(`/partnerships/${partnershipId}`);
    expect(page.body).toContain('签署正式协议');
    const p12 = organisationP12(own.name);
    const wrong = await organisation.postMultipart(`/partnerships/${partnershipId}/sign`, p12Form(p12, 'wrong'));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('无法读取数字证书文件');
    await organisation.get(`/partnerships/${partnershipId}`);
    const signed = await organisation.postMultipart(`/partnerships/${partnershipId}/sign`, p12Form(p12));
    expect(signed.statusCode).toBe(303);
    const after = await organisation.get(`/partnerships/${partnershipId}?done=sign`);
    expect(after.body).toContain('协议已签订');
    expect(after.body).toContain('合作期至');
  });

  it('lets the agent record the start of operation', async () => {
    await agent.get(`/partnerships/${partnershipId}`);
    expect((await agent.post(`/partnerships/${partnershipId}/activate`, {})).statusCode).toBe(303);
    expect((await agent.get(`/partnerships/${partnershipId}`)).body).toContain('合作中');
  });
});
