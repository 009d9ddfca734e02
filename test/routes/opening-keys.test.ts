import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createCast, createDraft, PASSPHRASE, setOpeningKey, type Cast } from '../helpers/recruitments.ts';

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const put = (token: string | undefined, payload: object) =>
  t.app.inject({ method: 'PUT', url: '/api/v1/me/opening-key', headers: token ? bearer(token) : {}, payload });

describe('PUT /api/v1/me/opening-key', () => {
  it('sets a key once, then changes it only with the old passphrase', async () => {
    const token = await apiToken(t, await createStaff(t, 'inspector'));
    const first = await put(token, { passphrase: 'twelve chars' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ changed: false, publicKey: expect.any(String) });
    const missingOld = await put(token, { passphrase: 'another passphrase' });
    expect(missingOld.json()).toMatchObject({ statusCode: 400, code: 'OLD_PASSPHRASE_REQUIRED' });
    const wrongOld = await put(token, { passphrase: 'another passphrase', oldPassphrase: 'not the one' });
    expect(wrongOld.json()).toMatchObject({ statusCode: 400, code: 'WRONG_PASSPHRASE' });
    const changed = await put(token, { passphrase: 'another passphrase', oldPassphrase: 'twelve chars' });
    expect(changed.json()).toEqual({ changed: true, publicKey: first.json().publicKey });
  });

  it('refuses a passphrase under 12 characters', async () => {
    const token = await apiToken(t, await createStaff(t, 'agent'));
    const response = await put(token, { passphrase: 'eleven char' });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION_FAILED');
  });

  it('refuses an easily guessed passphrase (400 WEAK_PASSPHRASE)', async () => {
    const token = await apiToken(t, await createStaff(t, 'agent'));
    for (const passphrase of ['aaaaaaaaaaaa', '123456789012', 'passwordpassword']) {
      const response = await put(token, { passphrase });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'WEAK_PASSPHRASE', message: expect.stringContaining('passphrase') });
    }
  });

  it('checks at most 5 wrong old passphrases per holder however many arrive at once; then even the right one waits', async () => {
    const token = await apiToken(t, await createStaff(t, 'inspector'));
    expect((await put(token, { passphrase: 'twelve chars' })).statusCode).toBe(200);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => put(token, { passphrase: 'another passphrase', oldPassphrase: `not the one ${i}` })),
    );
    const codes = replies.map((reply) => reply.json().code);
    expect(codes.filter((code) => code === 'WRONG_PASSPHRASE')).toHaveLength(5);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(35);
    const right = await put(token, { passphrase: 'another passphrase', oldPassphrase: 'twelve chars' });
    expect(right.statusCode).toBe(429);
  });

  it('is for agents, inspectors and the admin only', async () => {
    expect((await put(undefined, { passphrase: PASSPHRASE })).statusCode).toBe(401);
    expect((await put(cast.bidderToken, { passphrase: PASSPHRASE })).statusCode).toBe(403);
    expect((await put(await apiToken(t, await createStaff(t, 'expert')), { passphrase: PASSPHRASE })).statusCode).toBe(403);
    expect((await put(await apiToken(t, await createStaff(t, 'admin')), { passphrase: PASSPHRASE })).statusCode).toBe(200);
  });

  it('stores neither the passphrase nor a usable private key', async () => {
    const token = await apiToken(t, await createStaff(t, 'agent'));
    await put(token, { passphrase: 'a very particular passphrase' });
    const rows = JSON.stringify(await t.database.db.query.openingKeys.findMany());
    expect(rows).not.toContain('a very particular passphrase');
    expect(rows).toContain('wrappedPrivateKey');
  });

  it('is recorded in the audit log', async () => {
    const entries = (await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: bearer(cast.inspectorToken) })).json();
    expect(entries.filter((e: { action: string }) => e.action === 'opening_key.set').length).toBeGreaterThanOrEqual(2);
  });
});

describe('the bid key at publication', () => {
  it('refuses publication while a key holder has no opening key', async () => {
    const inspector = await createStaff(t, 'inspector');
    const id = await createDraft(t, cast);
    const publish = () =>
      t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/publish`, headers: bearer(cast.agentToken), payload: { inspectorId: inspector.id } });
    const refused = await publish();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'KEY_HOLDER_WITHOUT_KEY', message: expect.stringContaining('纪检监督员') });
    expect(await t.database.db.query.bidKeyShares.findMany({ where: (s, { eq }) => eq(s.recruitmentId, id) })).toEqual([]);
    await setOpeningKey(t, await apiToken(t, inspector));
    expect((await publish()).statusCode).toBe(200);
  });

  it('seals one share to each holder, the escrow holder designated by an administrator included, and keeps only the public key', async () => {
    const admin = await createStaff(t, 'admin');
    const adminToken = await apiToken(t, admin);
    await setOpeningKey(t, adminToken);
    const designated = await t.app.inject({ method: 'PUT', url: '/api/v1/settings/escrow-holder', headers: bearer(adminToken), payload: { userId: admin.id } });
    expect(designated.statusCode).toBe(200);
    const id = await createDraft(t, cast);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${id}/publish`,
      headers: bearer(cast.agentToken),
      payload: { inspectorId: cast.inspector.id },
    });
    expect(response.statusCode).toBe(200);
    const shares = await t.database.db.query.bidKeyShares.findMany({ where: (s, { eq }) => eq(s.recruitmentId, id) });
    expect(shares.map((s) => s.holderRole).sort()).toEqual(['agent', 'escrow', 'inspector']);
    const recruitment = await t.database.db.query.recruitments.findFirst({ where: (r, { eq }) => eq(r.id, id) });
    expect(recruitment?.bidPublicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});

describe('opening key page', () => {
  it('sets the passphrase through the form, checking the confirmation', async () => {
    const agent = await createStaff(t, 'agent');
    const browser = new Browser(t.app);
    await browser.signIn(agent);
    expect((await browser.get('/me/opening-key')).body).toContain('您尚未设置开标口令');
    const mismatch = await browser.post('/me/opening-key', { passphrase: 'twelve chars', confirmation: 'twelve chars!' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('两次输入的口令不一致');
    const short = await browser.post('/me/opening-key', { passphrase: 'short', confirmation: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('id="e-passphrase"');
    const saved = await browser.post('/me/opening-key', { passphrase: 'twelve chars', confirmation: 'twelve chars' });
    expect(saved.statusCode).toBe(303);
    const page = await browser.get('/me/opening-key?done=1');
    expect(page.body).toContain('开标密钥口令已保存');
    expect(page.body).toContain('name="oldPassphrase"');
    const wrong = await browser.post('/me/opening-key', { oldPassphrase: 'wrong one!', passphrase: 'new passphrase', confirmation: 'new passphrase' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('开标密钥口令不正确');
  });

  it('refuses other roles and forms without CSRF token', async () => {
    const agent = await createStaff(t, 'agent');
    const browser = new Browser(t.app);
    await browser.signIn(agent);
    await browser.get('/me/opening-key');
    expect((await browser.post('/me/opening-key', { passphrase: 'twelve chars', confirmation: 'twelve chars' }, { csrf: false })).statusCode).toBe(403);
    const expert = new Browser(t.app);
    await expert.signIn(await createStaff(t, 'expert'));
    expect((await expert.get('/me/opening-key')).statusCode).toBe(403);
  });
});
