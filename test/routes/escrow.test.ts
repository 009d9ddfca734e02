import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createDraft, outbox, setOpeningKey, unlockBody, type Cast } from '../helpers/recruitments.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// The escrow key holder (SPEC §4.1): designated by an administrator, never by the agent; an
// opening with the escrow's share needs a recorded reason and alerts every inspector.

let t: TestApp;
let cast: Cast;
let admin: TestUser;
let adminToken: string;
let escrow: TestUser;
let escrowToken: string;
let otherInspector: TestUser;
let otherInspectorToken: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  admin = await createStaff(t, 'admin');
  adminToken = await apiToken(t, admin);
  escrow = await createStaff(t, 'admin');
  escrowToken = await apiToken(t, escrow);
  await setOpeningKey(t, escrowToken);
  otherInspector = await createStaff(t, 'inspector');
  otherInspectorToken = await apiToken(t, otherInspector);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
const designate = (userId: string | null, token = adminToken) => api('PUT', '/api/v1/settings/escrow-holder', token, { userId });
const shareHolders = (id: string) => t.rawRows(`select holder_id, holder_role from bid_key_shares where recruitment_id = '${id}' order by holder_role`);

describe('the administrator designates the escrow holder', () => {
  it('designates an active administrator with an opening key, audited; refuses anyone else', async () => {
    const designated = await designate(escrow.id);
    expect(designated.statusCode).toBe(200);
    expect(designated.json()).toMatchObject({ holder: { id: escrow.id, name: escrow.name } });
    const keyless = await createStaff(t, 'admin');
    expect((await designate(keyless.id)).json()).toMatchObject({ statusCode: 409, code: 'KEY_HOLDER_WITHOUT_KEY' });
    expect((await designate(cast.agent.id)).json()).toMatchObject({ statusCode: 400, code: 'INVALID_ESCROW_HOLDER' });
    expect((await designate('00000000-0000-4000-8000-000000000000')).json()).toMatchObject({ statusCode: 400, code: 'INVALID_ESCROW_HOLDER' });
    expect((await designate(escrow.id, cast.agentToken)).statusCode).toBe(403);
    expect((await designate(escrow.id, cast.inspectorToken)).statusCode).toBe(403);
    expect((await api('PUT', '/api/v1/settings/escrow-holder', adminToken, { userId: 'nope' })).statusCode).toBe(400);
    const [entry] = await t.rawRows(`select actor_id, details from audit_log where action = 'escrow.designate' order by seq desc limit 1`);
    expect(entry).toMatchObject({ actor_id: admin.id, details: { holderId: escrow.id } });
  });

  it('through the form on /admin', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    const page = await browser.get('/admin');
    expect(page.body).toContain('action="/admin/escrow-holder"');
    expect(page.body).toContain(`<option value="${escrow.id}"`);
    const refused = await browser.post('/admin/escrow-holder', { userId: cast.agent.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('密钥托管人须为');
    const saved = await browser.post('/admin/escrow-holder', { userId: escrow.id });
    expect(saved.statusCode).toBe(303);
    expect((await browser.get('/admin')).body).toMatch(new RegExp(`<option value="${escrow.id}" selected>`));
  });
});

describe('publication', () => {
  it('refuses an escrow holder named by the agent (400) and publishes nothing', async () => {
    const accomplice = await createStaff(t, 'admin');
    await setOpeningKey(t, await apiToken(t, accomplice));
    const id = await createDraft(t, cast);
    const response = await api('POST', `/api/v1/recruitments/${id}/publish`, cast.agentToken, { inspectorId: cast.inspector.id, escrowHolderId: accomplice.id });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('escrowHolderId');
    expect((await api('GET', `/api/v1/recruitments/${id}`, cast.agentToken)).json().status).toBe('draft');
    expect(await shareHolders(id)).toEqual([]);
  });

  it('ignores an escrow holder slipped into the agent\'s publish form', async () => {
    await designate(escrow.id);
    const accomplice = await createStaff(t, 'admin');
    await setOpeningKey(t, await apiToken(t, accomplice));
    const id = await createDraft(t, cast);
    const browser = new Browser(t.app);
    await browser.signIn(cast.agent);
    const manage = await browser.get(`/agent/recruitments/${id}`);
    expect(manage.body).not.toContain('name="escrowHolderId"');
    expect((await browser.post(`/agent/recruitments/${id}/publish`, { inspectorId: cast.inspector.id, escrowHolderId: accomplice.id })).statusCode).toBe(303);
    expect((await shareHolders(id)).map((row) => row.holder_id)).not.toContain(accomplice.id);
    expect((await api('GET', `/api/v1/recruitments/${id}`)).json().escrowHolderId).toBe(escrow.id);
  });

  it('seals the third share to the escrow holder designated at that moment, and records who it was', async () => {
    await designate(escrow.id);
    const first = await createDraft(t, cast);
    await api('POST', `/api/v1/recruitments/${first}/publish`, cast.agentToken, { inspectorId: cast.inspector.id });
    expect(await shareHolders(first)).toEqual([
      expect.objectContaining({ holder_role: 'agent' }),
      expect.objectContaining({ holder_role: 'inspector' }),
      { holder_id: escrow.id, holder_role: 'escrow' },
    ]);
    const [published] = await t.rawRows(`select details from audit_log where action = 'recruitment.publish' and recruitment_id = '${first}'`);
    expect(published?.details).toMatchObject({ escrowHolderId: escrow.id });
    // without a designation, no escrow share; the earlier recruitment keeps its holder
    await designate(null);
    const second = await createDraft(t, cast);
    await api('POST', `/api/v1/recruitments/${second}/publish`, cast.agentToken, { inspectorId: cast.inspector.id });
    expect((await shareHolders(second)).map((row) => row.holder_role)).toEqual(['agent', 'inspector']);
    expect((await api('GET', `/api/v1/recruitments/${second}`)).json().escrowHolderId).toBeNull();
    expect((await api('GET', `/api/v1/recruitments/${first}`)).json().escrowHolderId).toBe(escrow.id);
  });
});

describe('opening with the escrow holder', () => {
  async function openingReady() {
    await designate(escrow.id);
    t.clock.set(new Date());
    const id = await createDraft(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/publish`, cast.agentToken, { inspectorId: cast.inspector.id });
    const organization = await registerOrganization(t, organizationInput());
    const body = multipart({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED, summary: '方案' }, [{ filename: 'a.pdf', content: pdfWith('x', 5000) }]);
    const bid = await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(await apiToken(t, organization)), ...body.headers }, payload: body.payload });
    expect(bid.statusCode).toBe(201);
    t.clock.set(new Date(Date.parse((await api('GET', `/api/v1/recruitments/${id}`)).json().submissionDeadline)));
    await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    await api('POST', `/api/v1/recruitments/${id}/opening/attend`, cast.inspectorToken);
    return id;
  }

  it('agent + escrow without a reason is refused (400); with one it opens, records the reason, alerts and mails every inspector', async () => {
    const id = await openingReady();
    await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id));
    const bare = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, await unlockBody(t, id));
    expect(bare.statusCode).toBe(400);
    expect(bare.json()).toMatchObject({ code: 'REASON_REQUIRED' });
    const blank = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, { ...(await unlockBody(t, id)), reason: '   ' });
    expect(blank.statusCode).toBe(400);
    expect((await api('GET', `/api/v1/recruitments/${id}/opening`, cast.agentToken)).json().phase).toBe('waiting_for_keys');

    const reason = '纪检监督员突发疾病无法输入口令，经中心主任同意由托管人代为解密';
    const opened = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, { ...(await unlockBody(t, id)), reason });
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({ phase: 'opened', escrowReason: reason });
    const [unlock] = await t.rawRows(`select details from audit_log where action = 'opening.unlock' and actor_id = '${escrow.id}' and recruitment_id = '${id}'`);
    expect(unlock?.details).toMatchObject({ escrow: true, reason });
    const [open] = await t.rawRows(`select details from audit_log where action = 'opening.open' and recruitment_id = '${id}'`);
    expect(open?.details).toMatchObject({ escrowReason: reason });

    // every inspector sees the alert, not only the one named on the recruitment
    for (const token of [cast.inspectorToken, otherInspectorToken]) {
      const alerts = (await api('GET', `/api/v1/inspector/alerts?recruitmentId=${id}`, token)).json();
      expect(alerts).toEqual([expect.objectContaining({ indicator: 'escrow_opening', severity: 'high', status: 'open', subject: expect.stringContaining(reason) })]);
      expect(alerts[0].evidence).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'user', id: escrow.id })]));
    }
    const mails = (await outbox(t)).filter((mail) => mail.subject.includes('密钥托管人参与开标'));
    expect(mails.map((mail) => mail.to).sort()).toEqual([cast.inspector.email, otherInspector.email].sort());
    expect(mails[0]!.text).toContain(reason);
  });

  it('asks the escrow holder for its reason on the opening page, and shows it once given', async () => {
    const id = await openingReady();
    await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id));
    const browser = new Browser(t.app);
    await browser.signIn(escrow);
    expect((await browser.get(`/recruitments/${id}/opening`)).body).toContain('name="reason"');
    const bare = await browser.post(`/recruitments/${id}/opening/unlock`, { ...(await unlockBody(t, id)), reason: '' });
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain('密钥托管人参与开标须说明理由');
    expect((await browser.post(`/recruitments/${id}/opening/unlock`, { ...(await unlockBody(t, id)), reason: '经办人口令遗失' })).statusCode).toBe(303);
    expect((await browser.get(`/recruitments/${id}/opening`)).body).toContain('密钥托管人参与开标，理由：经办人口令遗失');
  });

  it('the agent and the named inspector open without any reason or alert', async () => {
    const id = await openingReady();
    await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id));
    const opened = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.inspectorToken, await unlockBody(t, id));
    expect(opened.json()).toMatchObject({ phase: 'opened', escrowReason: null });
    expect((await api('GET', `/api/v1/inspector/alerts?recruitmentId=${id}`, cast.inspectorToken)).json()).toEqual([]);
  });
});
