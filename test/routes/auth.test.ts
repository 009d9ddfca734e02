import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_ADDRESS, SIGN_IN_PAIR } from '../../server/domain/accounts/rate-limit.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createStorage } from '../../server/lib/storage.ts';
import { apiToken, bearer, createStaff, createTestApp, testSigner, type TestApp, type TestUser } from '../helpers/app.ts';

let t: TestApp;
let agent: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  agent = await createStaff(t, 'agent');
});
afterAll(() => t.close());

const login = (payload: unknown, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: payload as object, remoteAddress });

describe('POST /api/v1/auth/login', () => {
  it('answers a token and the user', async () => {
    const response = await login({ email: agent.email.toUpperCase(), password: agent.password });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual({ id: agent.id, role: 'agent', name: agent.name });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a wrong password and an unknown account alike', async () => {
    for (const payload of [
      { email: agent.email, password: 'wrong-password' },
      { email: 'nobody@example.org', password: agent.password },
    ]) {
      const response = await login(payload, '10.9.9.9');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: '邮箱或密码错误' });
    }
  });

  it.each([
    [{}, 'missing fields'],
    [{ email: 'not-an-email', password: 'x' }, 'bad e-mail'],
    [{ email: 'a@example.org', password: '' }, 'empty password'],
    [{ email: 'a@example.org', password: { text: 'x' } }, 'password of the wrong type'],
  ])('answers 400 VALIDATION_FAILED for %j (%s)', async (payload, _case) => {
    const response = await login(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(response.json().message).toMatch(/请求参数无效/);
  });

  it('rate-limits failed sign-ins per account and address, not per address alone', async () => {
    const victim = await createStaff(t, 'expert');
    const hall = '10.1.1.1';
    for (let i = 0; i < SIGN_IN_PAIR.max; i++) {
      expect((await login({ email: victim.email, password: 'guess-guess' }, hall)).statusCode).toBe(401);
    }
    const blocked = await login({ email: victim.email, password: victim.password }, hall);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // another organisation in the same hall, and the same person from elsewhere, still get in
    expect((await login({ email: agent.email, password: agent.password }, hall)).statusCode).toBe(200);
    expect((await login({ email: victim.email, password: victim.password }, '10.2.2.2')).statusCode).toBe(200);
  });

  it('checks at most 5 wrong passwords per account and address however many arrive at once', async () => {
    const victim = await createStaff(t, 'inspector');
    const address = '10.4.4.4';
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login({ email: victim.email, password: `wrong-guess-${i}` }, address)),
    );
    const statuses = replies.map((reply) => reply.statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(SIGN_IN_PAIR.max);
    expect(statuses.filter((status) => status === 429)).toHaveLength(100 - SIGN_IN_PAIR.max);
    // the right password after them is not even checked
    expect((await login({ email: victim.email, password: victim.password }, address)).statusCode).toBe(429);
    const failed = await t.rawRows(`select count(*)::int as n from audit_log where action = 'auth.login_failed' and ip = '${address}'`);
    expect(failed[0]?.n).toBe(SIGN_IN_PAIR.max);
  });

  it('shares the sign-in counts between server instances on one database', async () => {
    const victim = await createStaff(t, 'agent');
    const address = '10.5.5.5';
    for (let i = 0; i < SIGN_IN_PAIR.max; i++) {
      expect((await login({ email: victim.email, password: 'wrong-wrong' }, address)).statusCode).toBe(401);
    }
    const second = await buildApp({
      config: loadConfig({ STORAGE_DIR: t.storageDir }),
      db: t.database.db,
      clock: t.clock,
      storage: createStorage(t.storageDir),
      signer: testSigner(),
    });
    try {
      const reply = await second.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: victim.email, password: victim.password }, remoteAddress: address });
      expect(reply.statusCode).toBe(429);
    } finally {
      await second.close();
    }
  });

  it('limits failed sign-ins from one address over all accounts', async () => {
    const address = '10.6.6.6';
    const replies = await Promise.all(
      Array.from({ length: SIGN_IN_ADDRESS.max + 10 }, (_, i) => login({ email: `nobody-${i}@example.org`, password: 'wrong-guess' }, address)),
    );
    const statuses = replies.map((reply) => reply.statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(SIGN_IN_ADDRESS.max);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    // elsewhere, the same accounts are still checked
    expect((await login({ email: 'nobody-1@example.org', password: 'wrong-guess' }, '10.6.6.7')).statusCode).toBe(401);
  }, 60_000);

  it('records privileged sign-ins and failed sign-ins in the audit log', async () => {
    await login({ email: agent.email, password: agent.password }, '10.3.3.3');
    await login({ email: agent.email, password: 'nope-nope' }, '10.3.3.4');
    const inspector = await createStaff(t, 'inspector');
    const entries = (
      await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: bearer(await apiToken(t, inspector)) })
    ).json<{ action: string; ip: string; actor: { id: string } | null; details: Record<string, unknown> }[]>();
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'auth.login', ip: '10.3.3.3', actor: expect.objectContaining({ id: agent.id }) }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'auth.login_failed',
        ip: '10.3.3.4',
        actor: null,
        details: { email: agent.email, reason: 'wrong_password' },
      }),
    );
  });
});

describe('bearer tokens', () => {
  it('GET /api/v1/me answers the signed-in user', async () => {
    const token = await apiToken(t, agent);
    const response = await t.app.inject({ url: '/api/v1/me', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: agent.id, role: 'agent', email: agent.email, organization: null });
  });

  it('GET /api/v1/me refuses a missing, malformed or unknown token with 401', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, bearer('x'.repeat(43))]) {
      const response = await t.app.inject({ url: '/api/v1/me', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('logout revokes the token and only that token', async () => {
    const first = await apiToken(t, agent);
    const second = await apiToken(t, agent);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(first) });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(first) })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(second) })).statusCode).toBe(200);
  });

  it('logout without a token is 401', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(response.statusCode).toBe(401);
  });

  it('stores only a hash of the token', async () => {
    const token = await apiToken(t, agent);
    const rows = await t.database.db.query.sessions.findMany();
    expect(rows.some((row) => row.tokenHash === token)).toBe(false);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.tokenHash))).toBe(true);
  });

  it('expires on real time, whatever the test clock says', async () => {
    const token = await apiToken(t, agent);
    t.clock.advance(-365 * 24 * 3600 * 1000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    t.clock.set(new Date());
  });
});
