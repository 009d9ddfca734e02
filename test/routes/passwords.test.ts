import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { mailedToken, outbox } from '../helpers/mail.ts';
import { organizationInput } from '../helpers/uscc.ts';

let t: TestApp;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp();
  adminToken = await apiToken(t, await createStaff(t, 'admin'));
});
afterAll(() => t.close());

const RESET_SUBJECT = '重置密码';
const WEAK = ['          ', '1111111111', 'password12', 'qwertyuiop', 'abcdefghij'];
const me = (token: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(token) });
const changePassword = (token: string, payload: object) =>
  t.app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: bearer(token), payload });
const requestReset = (email: string, remoteAddress = '10.30.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email }, remoteAddress });
const confirmReset = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload });
const auditActions = async () => (await t.rawRows(`select action, target from audit_log order by seq`)) as { action: string; target: string }[];

describe('weak passwords are refused wherever a password is set', () => {
  it.each(WEAK)('an administrator creating any account, admins too: %j → 400 WEAK_PASSWORD', async (password) => {
    for (const role of ['admin', 'agent', 'expert']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(adminToken),
        payload: { email: `weak-${role}-${Date.now()}@example.org`, name: '新用户', role, password, specialties: ['财务'] },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'WEAK_PASSWORD', message: expect.stringContaining('password') });
    }
  });

  it('an organisation registering', async () => {
    for (const password of WEAK) {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: organizationInput({ password }), remoteAddress: '10.31.0.1' });
      expect(response.json()).toMatchObject({ statusCode: 400, code: 'WEAK_PASSWORD' });
    }
  });

  it('a password made of the account’s own e-mail', async () => {
    const email = `zhang.wei.partner@example.org`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(adminToken),
      payload: { email, name: '张伟', role: 'agent', password: 'zhang.wei.partner' },
    });
    expect(response.json()).toMatchObject({ statusCode: 400, code: 'WEAK_PASSWORD' });
  });
});

describe('the first administrator', () => {
  it('is refused an easily guessed ADMIN_PASSWORD; a generated one passes the estimator', async () => {
    const empty = await createTestApp();
    try {
      for (const password of ['1111111111', 'password12', 'qwertyuiop']) {
        await expect(empty.app.services.accounts.ensureAdmin({ email: null, password })).rejects.toThrow(/ADMIN_PASSWORD 太容易被猜中/);
      }
      const created = await empty.app.services.accounts.ensureAdmin({ email: null, password: null });
      expect(created).toMatchObject({ generated: true, email: 'admin@portal.local' });
    } finally {
      await empty.close();
    }
  });
});

describe('PUT /api/v1/me/password', () => {
  it('changes the password with the current one, ends the other sessions and keeps this one, and is audited', async () => {
    const user = await createStaff(t, 'expert');
    const current = await apiToken(t, user);
    const other = await apiToken(t, user);
    const response = await changePassword(current, { oldPassword: user.password, newPassword: 'a brand new passphrase' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ changed: true });
    expect((await me(current)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })).statusCode).toBe(401);
    expect((await apiToken(t, { email: user.email, password: 'a brand new passphrase' })).length).toBeGreaterThan(40);
    expect(await auditActions()).toContainEqual({ action: 'auth.password_change', target: `user:${user.id}` });
  });

  it('refuses a wrong current password (400 WRONG_PASSWORD), a weak new one, bad input, and no sign-in', async () => {
    const user = await createStaff(t, 'agent');
    const token = await apiToken(t, user);
    expect((await changePassword(token, { oldPassword: 'not-my-password', newPassword: 'a brand new passphrase' })).json()).toMatchObject({
      statusCode: 400,
      code: 'WRONG_PASSWORD',
    });
    expect((await changePassword(token, { oldPassword: user.password, newPassword: '1111111111' })).json()).toMatchObject({
      statusCode: 400,
      code: 'WEAK_PASSWORD',
      message: expect.stringContaining('newPassword'),
    });
    for (const payload of [{}, { oldPassword: user.password }, { oldPassword: user.password, newPassword: 'short' }]) {
      expect((await changePassword(token, payload)).json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/me/password', payload: { oldPassword: 'x', newPassword: 'a brand new passphrase' } })).statusCode).toBe(401);
  });

  it('checks at most 5 wrong current passwords in 15 minutes, then answers 429', async () => {
    const user = await createStaff(t, 'inspector');
    const token = await apiToken(t, user);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => changePassword(token, { oldPassword: `guess-number-${i}`, newPassword: 'a brand new passphrase' })),
    );
    const statuses = replies.map((reply) => reply.statusCode);
    expect(statuses.filter((status) => status === 400)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    expect((await changePassword(token, { oldPassword: user.password, newPassword: 'a brand new passphrase' })).statusCode).toBe(429);
  });
});

describe('password reset by e-mail', () => {
  it('answers 202 whatever the address, and mails a link only to an existing account', async () => {
    const user = await createStaff(t, 'agent');
    const known = await requestReset(user.email.toUpperCase());
    const unknown = await requestReset('nobody-here@example.org');
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.json()).toEqual(unknown.json());
    const mails = (await outbox(t)).filter((m) => m.subject === RESET_SUBJECT);
    expect(mails.map((m) => m.to)).toContain(user.email);
    expect(mails.map((m) => m.to)).not.toContain('nobody-here@example.org');
    expect(mails.find((m) => m.to === user.email)?.text).toMatch(/\/password-reset\/confirm\?token=[A-Za-z0-9_-]{43}/);
  });

  it('sets the new password once with the mailed token, ends every session, and is audited', async () => {
    const user = await createStaff(t, 'inspector');
    const session = await apiToken(t, user);
    await requestReset(user.email, '10.30.0.2');
    const token = await mailedToken(t, user.email, RESET_SUBJECT);
    const weak = await confirmReset({ token, newPassword: 'password12' });
    expect(weak.json()).toMatchObject({ statusCode: 400, code: 'WEAK_PASSWORD' });
    // a weak choice leaves the link usable
    const done = await confirmReset({ token, newPassword: 'reset to a good phrase' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ reset: true });
    expect((await me(session)).statusCode).toBe(401);
    expect((await apiToken(t, { email: user.email, password: 'reset to a good phrase' })).length).toBeGreaterThan(40);
    expect(await auditActions()).toContainEqual({ action: 'auth.password_reset', target: `user:${user.id}` });
    // single use
    expect((await confirmReset({ token, newPassword: 'another good phrase here' })).json()).toMatchObject({ statusCode: 400, code: 'INVALID_TOKEN' });
  });

  it('refuses a wrong or expired token and bad input', async () => {
    const user = await createStaff(t, 'expert');
    await requestReset(user.email, '10.30.0.3');
    const token = await mailedToken(t, user.email, RESET_SUBJECT);
    expect((await confirmReset({ token: 'y'.repeat(43), newPassword: 'reset to a good phrase' })).json()).toMatchObject({ code: 'INVALID_TOKEN' });
    for (const payload of [{}, { token }, { token, newPassword: 'short' }, { newPassword: 'reset to a good phrase' }]) {
      expect((await confirmReset(payload)).json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await requestReset('not-an-email')).json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    await t.rawSql(`update account_tokens set expires_at = now() - interval '1 second' where purpose = 'password_reset' and used_at is null`);
    expect((await confirmReset({ token, newPassword: 'reset to a good phrase' })).json()).toMatchObject({ statusCode: 400, code: 'INVALID_TOKEN' });
  });

  it('expires its link after one hour and stores only its hash', async () => {
    const user = await createStaff(t, 'agent');
    await requestReset(user.email, '10.30.0.4');
    const token = await mailedToken(t, user.email, RESET_SUBJECT);
    const [row] = await t.rawRows(
      `select token_hash, extract(epoch from expires_at - created_at)::int as ttl from account_tokens where purpose = 'password_reset' order by created_at desc limit 1`,
    );
    expect(row?.ttl).toBeGreaterThan(3590);
    expect(row?.ttl).toBeLessThanOrEqual(3600);
    expect(JSON.stringify(await t.rawRows(`select * from account_tokens`))).not.toContain(token);
  });

  it('limits requests per address (429) and mails one account at most 3 links an hour, answering alike', async () => {
    const user = await createStaff(t, 'agent');
    const address = '10.32.0.1';
    for (let i = 0; i < 5; i++) expect((await requestReset(user.email, address)).statusCode).toBe(202);
    const mailed = (await outbox(t)).filter((m) => m.to === user.email && m.subject === RESET_SUBJECT);
    expect(mailed).toHaveLength(3);
    for (let i = 5; i < 10; i++) expect((await requestReset(`someone-${i}@example.org`, address)).statusCode).toBe(202);
    const refused = await requestReset('someone-else@example.org', address);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('password pages', () => {
  it('the sign-in page links to the reset; the reset pages work through their forms and need the CSRF token', async () => {
    const user = await createStaff(t, 'inspector');
    const browser = new Browser(t.app);
    expect((await browser.get('/login')).body).toContain('href="/password-reset">忘记密码？</a>');
    await browser.get('/password-reset');
    expect((await browser.post('/password-reset', { email: user.email }, { csrf: false })).statusCode).toBe(403);
    const asked = await browser.post('/password-reset', { email: user.email });
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/password-reset?sent=1');
    const token = await mailedToken(t, user.email, RESET_SUBJECT);
    const form = await browser.get(`/password-reset/confirm?token=${token}`);
    expect(form.body).toContain(`name="token" value="${token}"`);
    expect((await browser.post('/password-reset/confirm', { token, newPassword: 'page reset phrase ok', confirmation: 'page reset phrase ok' }, { csrf: false })).statusCode).toBe(403);
    const mismatch = await browser.post('/password-reset/confirm', { token, newPassword: 'page reset phrase ok', confirmation: 'something else' });
    expect(mismatch.statusCode).toBe(400);
    const weak = await browser.post('/password-reset/confirm', { token, newPassword: '1111111111', confirmation: '1111111111' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('太容易被猜中');
    const done = await browser.post('/password-reset/confirm', { token, newPassword: 'page reset phrase ok', confirmation: 'page reset phrase ok' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/login?reset=1');
    const reused = await browser.post('/password-reset/confirm', { token, newPassword: 'page reset phrase ok', confirmation: 'page reset phrase ok' });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('链接无效');
    await browser.signIn({ email: user.email, password: 'page reset phrase ok' });
  });

  it('a signed-in user changes the password at /me/password, linked from every page', async () => {
    const user = await createStaff(t, 'agent');
    const elsewhere = await apiToken(t, user);
    const browser = new Browser(t.app);
    await browser.signIn(user);
    expect((await browser.get('/')).body).toContain('href="/me/password"');
    await browser.get('/me/password');
    expect((await browser.post('/me/password', { oldPassword: user.password, newPassword: 'changed on the page', confirmation: 'changed on the page' }, { csrf: false })).statusCode).toBe(403);
    const wrong = await browser.post('/me/password', { oldPassword: 'not-my-password', newPassword: 'changed on the page', confirmation: 'changed on the page' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('原密码不正确');
    const done = await browser.post('/me/password', { oldPassword: user.password, newPassword: 'changed on the page', confirmation: 'changed on the page' });
    expect(done.statusCode).toBe(303);
    expect((await browser.get('/me/password?done=1')).body).toContain('密码已修改');
    expect((await me(elsewhere)).statusCode).toBe(401);
  });

  it('/me/password sends a visitor to sign in', async () => {
    const response = await new Browser(t.app).get('/me/password');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toContain('/login?next=');
  });
});
