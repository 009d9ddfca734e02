import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { mailedToken, outbox } from '../helpers/mail.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { VERIFICATION_SUBJECT } from '../helpers/organizations.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

let t: TestApp;
let cast: Cast;
let recruitmentId: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  recruitmentId = await createPublished(t, cast);
});
afterAll(() => t.close());

let address = 0;
const register = (payload: object, remoteAddress = `10.77.0.${++address}`) =>
  t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload, remoteAddress });
const verify = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload });

async function bid(token: string) {
  const body = multipart({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED, summary: '方案' }, [
    { filename: 'a.pdf', content: pdfWith('bid') },
  ]);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/recruitments/${recruitmentId}/bids`,
    headers: { ...bearer(token), ...body.headers },
    payload: body.payload,
  });
}

describe('e-mail verification of a new organisation', () => {
  it('signs in at once, but bids only once its mailed link is followed (403 EMAIL_NOT_VERIFIED before)', async () => {
    const organization = organizationInput();
    expect((await register(organization)).statusCode).toBe(201);
    const token = await apiToken(t, organization);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).json().organization).toMatchObject({ emailVerified: false });
    const refused = await bid(token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });

    const mail = (await outbox(t)).find((m) => m.to === organization.email && m.subject === VERIFICATION_SUBJECT);
    expect(mail?.text).toMatch(/\/verify-email\?token=[A-Za-z0-9_-]{43}/);
    const verified = await verify({ token: await mailedToken(t, organization.email, VERIFICATION_SUBJECT) });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ verified: true });
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).json().organization).toMatchObject({ emailVerified: true });
    expect((await bid(token)).statusCode).toBe(201);
  });

  it('refuses a wrong, reused or expired token and malformed input', async () => {
    const organization = organizationInput();
    await register(organization);
    const token = await mailedToken(t, organization.email, VERIFICATION_SUBJECT);
    expect((await verify({ token: 'x'.repeat(43) })).json()).toMatchObject({ statusCode: 400, code: 'INVALID_TOKEN' });
    for (const payload of [{}, { token: '' }, { token: 'x'.repeat(201) }]) {
      expect((await verify(payload)).json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await verify({ token })).statusCode).toBe(200);
    expect((await verify({ token })).json()).toMatchObject({ statusCode: 400, code: 'INVALID_TOKEN' });

    const late = organizationInput();
    await register(late);
    await t.rawSql(`update account_tokens set expires_at = now() - interval '1 second' where purpose = 'verify_email' and used_at is null`);
    const expired = await verify({ token: await mailedToken(t, late.email, VERIFICATION_SUBJECT) });
    expect(expired.json()).toMatchObject({ statusCode: 400, code: 'INVALID_TOKEN' });
  });

  it('stores only a hash of the token, with an expiry', async () => {
    const organization = organizationInput();
    await register(organization);
    const token = await mailedToken(t, organization.email, VERIFICATION_SUBJECT);
    const rows = await t.rawRows(`select token_hash, expires_at from account_tokens`);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(String(row.token_hash)) && row.expires_at !== null)).toBe(true);
  });

  it('mails a new link on request to a signed-in organisation not yet verified', async () => {
    const organization = organizationInput();
    await register(organization);
    const token = await apiToken(t, organization);
    const resend = await t.app.inject({ method: 'POST', url: '/api/v1/me/verification-mail', headers: bearer(token) });
    expect(resend.json()).toEqual({ verified: false });
    expect((await outbox(t)).filter((m) => m.to === organization.email && m.subject === VERIFICATION_SUBJECT)).toHaveLength(2);
    expect((await verify({ token: await mailedToken(t, organization.email, VERIFICATION_SUBJECT) })).statusCode).toBe(200);
  });
});

describe('the verification page', () => {
  it('verifies only on the form post with its CSRF token, never on the GET a mail scanner follows', async () => {
    const organization = organizationInput();
    await register(organization);
    const token = await mailedToken(t, organization.email, VERIFICATION_SUBJECT);
    const browser = new Browser(t.app);
    const page = await browser.get(`/verify-email?token=${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`name="token" value="${token}"`);
    const [before] = await t.rawRows(`select email_verified_at from organizations where email = '${organization.email}'`);
    expect(before?.email_verified_at).toBeNull();
    expect((await browser.post('/verify-email', { token }, { csrf: false })).statusCode).toBe(403);
    const done = await browser.post('/verify-email', { token });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('电子邮箱已验证');
    const again = await browser.post('/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('链接无效');
  });
});

describe('registration per address', () => {
  it('answers 429 after 30 registrations from one address in an hour, and a staff e-mail looks like any taken one', async () => {
    const hall = '10.78.0.1';
    const staff = await createStaff(t, 'inspector');
    const taken = organizationInput();
    expect((await register(taken, hall)).statusCode).toBe(201);
    // a staff address and an organisation's answer alike
    const probeStaff = await register(organizationInput({ email: staff.email }), hall);
    const probeOrganization = await register(organizationInput({ email: taken.email }), hall);
    expect(probeStaff.statusCode).toBe(409);
    expect(probeStaff.json()).toEqual(probeOrganization.json());
    for (let i = 3; i < 30; i++) expect((await register(organizationInput(), hall)).statusCode).toBe(201);
    const refused = await register(organizationInput(), hall);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await register(organizationInput({ email: staff.email }), hall)).statusCode).toBe(429);
    // another address is not held up
    expect((await register(organizationInput(), '10.78.0.2')).statusCode).toBe(201);
  }, 120_000);
});
