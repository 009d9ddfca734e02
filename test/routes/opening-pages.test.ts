import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, unlockBody, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { registerOrganization } from '../helpers/organizations.ts';

let t: TestApp;
let cast: Cast;
let id: string;
const organizations: { email: string; password: string; name: string }[] = [];


beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  id = await createPublished(t, cast);
  for (const ratio of ['21', '32', '43']) {
    const organization = organizationInput();
    await registerOrganization(t, organization);
    organizations.push(organization);
    const body = multipart({ lot: 'arts', publicBenefitRatio: ratio, declarations: ALL_DECLARED }, [{ filename: 'a.pdf', content: pdfWith(ratio) }]);
    await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(await apiToken(t, organization)), ...body.headers }, payload: body.payload });
  }
  const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
  t.clock.set(new Date(deadline + 1000));
});
afterAll(() => t.close());

describe('opening pages', () => {
  it('take the agent, the inspector and a bidder through the whole session', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/recruitments/${id}`)).body).toContain(`href="/recruitments/${id}/opening"`);
    expect((await agent.get(`/recruitments/${id}/opening`)).body).toContain('开始开标');
    expect((await agent.post(`/recruitments/${id}/opening/start`, {}, { csrf: false })).statusCode).toBe(403);
    expect((await agent.post(`/recruitments/${id}/opening/start`, {})).statusCode).toBe(303);

    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    await inspector.get(`/recruitments/${id}/opening`);
    expect((await inspector.post(`/recruitments/${id}/opening/attend`, {})).statusCode).toBe(303);

    const bidder = new Browser(t.app);
    await bidder.signIn(organizations[0]!);
    const waiting = await bidder.get(`/recruitments/${id}/opening`);
    expect(waiting.body).toContain('响应文件开启前不显示任何内容');
    expect(waiting.body).not.toContain(organizations[1]!.name);
    expect((await bidder.post(`/recruitments/${id}/opening/attend`, {})).statusCode).toBe(303);

    await agent.get(`/recruitments/${id}/opening`);
    const wrong = await agent.post(`/recruitments/${id}/opening/unlock`, await unlockBody(t, id, 'wrong passphrase'));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('开标密钥口令不正确');
    expect((await agent.post(`/recruitments/${id}/opening/unlock`, await unlockBody(t, id))).statusCode).toBe(303);
    expect((await inspector.post(`/recruitments/${id}/opening/unlock`, await unlockBody(t, id))).statusCode).toBe(303);

    const opened = await bidder.get(`/recruitments/${id}/opening`);
    for (const organization of organizations) expect(opened.body).toContain(organization.name);
    expect(opened.body).toContain('43%');
    expect(opened.body).not.toContain('不一致');

    expect((await bidder.post(`/recruitments/${id}/opening/objection`, { text: '' })).statusCode).toBe(400);
    expect((await bidder.post(`/recruitments/${id}/opening/objection`, { text: '请公布开启时间' })).statusCode).toBe(303);
    const withObjection = await agent.get(`/recruitments/${id}/opening`);
    const objectionId = /opening\/objections\/([0-9a-f-]{36})\/answer/.exec(withObjection.body)?.[1];
    expect(objectionId).toBeTruthy();
    const refused = await inspector.post(`/recruitments/${id}/opening/signoff`, { comment: '同意' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('尚有未答复的异议');
    expect((await agent.post(`/recruitments/${id}/opening/objections/${objectionId}/answer`, { text: '开启时间见上表' })).statusCode).toBe(303);
    await inspector.get(`/recruitments/${id}/opening`);
    expect((await inspector.post(`/recruitments/${id}/opening/signoff`, { comment: '开标程序合规' })).statusCode).toBe(303);
    const signed = await bidder.get(`/recruitments/${id}/opening`);
    expect(signed.body).toContain('开标程序合规');
    expect(signed.body).toContain('评审中');
  });

  it('15.5 and 15.6: the agent finds the opening from its pages; the page says what it waits for and keeps typed text', async () => {
    const other = await createPublished(t, cast);
    for (const [index, organization] of organizations.entries()) {
      const body = multipart({ lot: 'arts', publicBenefitRatio: `${30 + index}`, declarations: ALL_DECLARED }, [
        { filename: 'a.pdf', content: pdfWith(organization.name) },
      ]);
      const headers = { ...bearer(await apiToken(t, organization)), ...body.headers };
      await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${other}/bids`, headers, payload: body.payload });
    }
    const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${other}` })).json().submissionDeadline);
    t.clock.set(new Date(deadline + 1000));

    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/agent/recruitments/${other}`)).body).toContain(`href="/recruitments/${other}/opening"`);
    await agent.get(`/recruitments/${other}/opening`);
    expect((await agent.post(`/recruitments/${other}/opening/start`, {})).statusCode).toBe(303);
    // 15.5: while the recruitment is 开标中, the agent's pages lead into the opening
    expect((await agent.get(`/agent/recruitments/${other}`)).body).toMatch(new RegExp(`href="/recruitments/${other}/opening">进入开标现场`));
    expect((await agent.get('/agent')).body).toContain(`href="/recruitments/${other}/opening"`);

    const bidder = new Browser(t.app);
    await bidder.signIn(organizations[0]!);
    const sealed = await bidder.get(`/recruitments/${other}/opening`);
    expect(sealed.body).toContain('开标解密后公布');
    expect(sealed.body).not.toMatch(/<td>0<\/td>/);

    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    await inspector.get(`/recruitments/${other}/opening`);
    await inspector.post(`/recruitments/${other}/opening/attend`, {});
    await agent.post(`/recruitments/${other}/opening/unlock`, await unlockBody(t, other));
    await inspector.post(`/recruitments/${other}/opening/unlock`, await unlockBody(t, other));
    expect((await inspector.get(`/recruitments/${other}/opening`)).body).toContain(`action="/recruitments/${other}/opening/signoff"`);

    expect((await bidder.post(`/recruitments/${other}/opening/objection`, { text: '请说明开启顺序' })).statusCode).toBe(303);
    const waits = await inspector.get(`/recruitments/${other}/opening`);
    expect(waits.body).not.toContain(`action="/recruitments/${other}/opening/signoff"`);
    expect(waits.body).toContain('尚有未答复的异议：“请说明开启顺序”');
    expect(waits.body).toContain('等待经办人答复异议（1 条）');
    // a sign-off sent from a page loaded before the objection is refused, and what was typed stays
    const refused = await inspector.post(`/recruitments/${other}/opening/signoff`, { comment: '程序合规，同意开标结果' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('程序合规，同意开标结果');

    const withObjection = await agent.get(`/recruitments/${other}/opening`);
    const objectionId = /opening\/objections\/([0-9a-f-]{36})\/answer/.exec(withObjection.body)?.[1] ?? '';
    const blank = await agent.post(`/recruitments/${other}/opening/objections/${objectionId}/answer`, { text: '' });
    expect(blank.statusCode).toBe(400);
    expect((await agent.post(`/recruitments/${other}/opening/objections/${objectionId}/answer`, { text: '按提交顺序开启' })).statusCode).toBe(303);
    const ready = await inspector.get(`/recruitments/${other}/opening`);
    expect(ready.body).toContain(`action="/recruitments/${other}/opening/signoff"`);
    expect(ready.body).not.toContain('尚有未答复的异议');
    expect((await inspector.post(`/recruitments/${other}/opening/signoff`, { comment: '开标程序合规' })).statusCode).toBe(303);
    // 15.5: in evaluation, the agent's list leads to the evaluation
    expect((await agent.get('/agent')).body).toContain(`href="/recruitments/${other}/evaluation"`);
  });

  it('is refused to organisations without a bid and sends visitors to sign in', async () => {
    const stranger = organizationInput();
    await registerOrganization(t, stranger);
    const browser = new Browser(t.app);
    await browser.signIn(stranger);
    expect((await browser.get(`/recruitments/${id}/opening`)).statusCode).toBe(403);
    expect((await new Browser(t.app).get(`/recruitments/${id}/opening`)).statusCode).toBe(303);
  });
});
