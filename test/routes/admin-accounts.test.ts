import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { mailedToken, outbox } from '../helpers/mail.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// Issue 15.7: password recovery from the sign-in page, and the administrator's hold on every
// account — disable, enable, mail a reset link — audited.

let t: TestApp;
let admin: TestUser;
let adminPages: Browser;
let inspectorToken: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createStaff(t, 'admin');
  adminPages = new Browser(t.app);
  await adminPages.signIn(admin);
  inspectorToken = await apiToken(t, await createStaff(t, 'inspector'));
});
afterAll(() => t.close());

const auditOf = async (target: string) =>
  (await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: bearer(inspectorToken) }))
    .json<{ action: string; target: string; actor: { id: string } | null }[]>()
    .filter((entry) => entry.target === target);

const userId = async (email: string) => (await t.rawRows(`select id from users where email = '${email}'`))[0]?.id as string;

describe('15.7: password recovery and the administrator’s hold on accounts', () => {
  it('15.7: the sign-in page links to the e-mailed password reset', async () => {
    const page = await new Browser(t.app).get('/login');
    expect(page.body).toContain('<a href="/password-reset">忘记密码？</a>');
  });

  it('15.7: the user list offers disable and a reset mail for every other account, none for oneself', async () => {
    const page = (await adminPages.get('/admin')).body;
    const own = page.slice(page.indexOf(admin.email));
    expect(own.slice(0, own.indexOf('</tr>'))).toContain('本人');
    expect(own.slice(0, own.indexOf('</tr>'))).not.toContain(`/admin/users/${admin.id}/active`);
    expect(page).toMatch(/<button type="submit" class="small secondary">停用<\/button>/);
    expect(page).toContain('发送重设密码邮件');
  });

  it('15.7: disabling an organisation’s account ends its sessions and its sign-in, audited; enabling lets it back', async () => {
    const organization = await registerOrganization(t, organizationInput());
    const bidder = new Browser(t.app);
    await bidder.signIn(organization);
    const bidderToken = await apiToken(t, organization);
    const id = await userId(organization.email);

    await adminPages.get('/admin');
    const disabled = await adminPages.post(`/admin/users/${id}/active`, { active: '0' });
    expect(disabled.statusCode).toBe(303);
    expect(disabled.headers.location).toBe('/admin?done=active#users');
    expect((await adminPages.get('/admin?done=active')).body).toContain('账号状态已更新');

    expect((await bidder.get('/bidder')).headers.location).toMatch(/^\/login\?next=/);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(bidderToken) })).statusCode).toBe(401);
    const open = await t.rawRows(`select count(*)::int as n from sessions where user_id = '${id}' and revoked_at is null`);
    expect(open[0]?.n).toBe(0);
    const stranger = new Browser(t.app);
    await stranger.get('/login');
    const again = await stranger.post('/login', { email: organization.email, password: organization.password });
    expect(again.statusCode).toBe(401);
    expect(again.body).toContain('邮箱或密码错误');

    await adminPages.get('/admin');
    expect((await adminPages.post(`/admin/users/${id}/active`, { active: '1' })).statusCode).toBe(303);
    await bidder.signIn(organization);
    expect((await bidder.get('/bidder')).statusCode).toBe(200);
    expect((await auditOf(`user:${id}`)).map((entry) => entry.action)).toEqual(expect.arrayContaining(['user.deactivate', 'user.activate']));
  });

  it('15.7: an administrator cannot disable itself (409 CANNOT_DISABLE_SELF), and the page says why', async () => {
    const token = await apiToken(t, admin);
    const refused = await t.app.inject({ method: 'PUT', url: `/api/v1/users/${admin.id}/active`, headers: bearer(token), payload: { active: false } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CANNOT_DISABLE_SELF' });
    await adminPages.get('/admin');
    const page = await adminPages.post(`/admin/users/${admin.id}/active`, { active: '0' });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('不能停用自己的账号');
    expect((await t.rawRows(`select active from users where id = '${admin.id}'`))[0]?.active).toBe(true);
  });

  it('15.7: the last active administrator cannot be disabled (409 LAST_ACTIVE_ADMIN), even by one disabled meanwhile', async () => {
    const other = await createStaff(t, 'admin');
    const otherSignedIn = { id: other.id, role: other.role, name: other.name, email: other.email, sessionId: 'stale' };
    await t.rawSql(`update users set active = false where role = 'admin' and id not in ('${admin.id}', '${other.id}')`);
    // the other administrator is disabled while it still holds the page that disables the first
    const token = await apiToken(t, admin);
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/users/${other.id}/active`, headers: bearer(token), payload: { active: false } })).statusCode).toBe(200);
    await expect(t.app.services.accounts.setUserActive(admin.id, false, otherSignedIn, { ip: 'test' })).rejects.toMatchObject({
      code: 'LAST_ACTIVE_ADMIN',
      statusCode: 409,
    });
    expect((await t.rawRows(`select active from users where id = '${admin.id}'`))[0]?.active).toBe(true);
  });

  it('15.7: “发送重设密码邮件” mails the account the reset link, audited; the link sets a new password', async () => {
    const expert = await createStaff(t, 'expert', { specialties: ['体育'] });
    await adminPages.get('/admin');
    const sent = await adminPages.post(`/admin/users/${expert.id}/password-reset`, {});
    expect(sent.headers.location).toBe('/admin?done=reset#users');
    expect((await adminPages.get('/admin?done=reset')).body).toContain('重设密码邮件已发送');
    const mail = (await outbox(t)).filter((m) => m.to === expert.email).at(-1);
    expect(mail?.text).toContain('系统管理员为您');
    const token = await mailedToken(t, expert.email, '重置密码');
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token, newPassword: 'a-new-expert-passphrase-7' },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(await apiToken(t, { email: expert.email, password: 'a-new-expert-passphrase-7' })).toEqual(expect.any(String));
    expect(await auditOf(`user:${expert.id}`)).toContainEqual(expect.objectContaining({ action: 'user.password_reset_sent', actor: expect.objectContaining({ id: admin.id }) }));
  });

  it('15.7: no reset mail for a disabled account (409 ACCOUNT_DISABLED), nothing sent', async () => {
    const agent = await createStaff(t, 'agent');
    const token = await apiToken(t, admin);
    await t.app.inject({ method: 'PUT', url: `/api/v1/users/${agent.id}/active`, headers: bearer(token), payload: { active: false } });
    const refused = await t.app.inject({ method: 'POST', url: `/api/v1/users/${agent.id}/password-reset`, headers: bearer(token) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'ACCOUNT_DISABLED' });
    expect((await outbox(t)).filter((m) => m.to === agent.email && m.subject === '重置密码')).toEqual([]);
    expect(await auditOf(`user:${agent.id}`)).not.toContainEqual(expect.objectContaining({ action: 'user.password_reset_sent' }));
  });
});
