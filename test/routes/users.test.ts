import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp();
  adminToken = await apiToken(t, await createStaff(t, 'admin'));
});
afterAll(() => t.close());

const createUser = (payload: object, token = adminToken) =>
  t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(token), payload });

const expertInput = () => ({
  email: `expert-${Math.random().toString(36).slice(2)}@example.org`,
  name: '王专家',
  role: 'expert',
  password: 'expert-password-1',
  specialties: ['文艺演出', '公益活动策划'],
  affiliationUscc: '91330100716105852f',
});

describe('POST /api/v1/users', () => {
  it('creates an expert with specialties and a normalised affiliation code', async () => {
    const input = expertInput();
    const response = await createUser(input);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      id: expect.any(String),
      role: 'expert',
      email: input.email,
      specialties: ['文艺演出', '公益活动策划'],
      affiliationUscc: '91330100716105852F',
    });
    expect(response.json()).not.toHaveProperty('passwordHash');
  });

  it.each(['agent', 'inspector', 'admin'])('creates an %s who can sign in at once', async (role) => {
    const input = { email: `${role}-new-${Date.now()}@example.org`, name: '新用户', role, password: 'long-enough-1' };
    const response = await createUser(input);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ role, specialties: [], affiliationUscc: null });
    expect(await apiToken(t, input)).toEqual(expect.any(String));
  });

  it('records the creation in the audit log', async () => {
    const input = expertInput();
    const created = (await createUser(input)).json();
    const inspector = await apiToken(t, await createStaff(t, 'inspector'));
    const entries = (await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: bearer(inspector) })).json();
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'user.create', target: `user:${created.id}`, actor: expect.objectContaining({ role: 'admin' }) }),
    );
  });

  it.each([
    [{ ...expertInput(), role: 'bidder' }, 'bidders register themselves'],
    [{ ...expertInput(), role: 'root' }, 'unknown role'],
    [{ ...expertInput(), password: 'short' }, 'password under 10 characters'],
    [{ ...expertInput(), email: 'nope' }, 'bad e-mail'],
    [{ ...expertInput(), name: '' }, 'empty name'],
    [{ ...expertInput(), specialties: [{ name: 'music' }] }, 'specialties not strings'],
  ])('answers 400 for %j (%s)', async (payload, _case) => {
    const response = await createUser(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers 400 INVALID_USCC for an affiliation code with a wrong check digit', async () => {
    const response = await createUser({ ...expertInput(), affiliationUscc: '91330100716105852E' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_USCC' });
  });

  it('answers 409 DUPLICATE_EMAIL and creates nothing', async () => {
    const input = expertInput();
    expect((await createUser(input)).statusCode).toBe(201);
    const again = await createUser({ ...input, email: input.email.toUpperCase(), name: '另一人' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'DUPLICATE_EMAIL' });
    const users = (await t.app.inject({ url: '/api/v1/users', headers: bearer(adminToken) })).json();
    expect(users.filter((u: { email: string }) => u.email === input.email)).toHaveLength(1);
  });

  it('is refused without a token (401) and to every other role (403)', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: expertInput() })).statusCode).toBe(401);
    for (const role of ['agent', 'inspector', 'expert'] as const) {
      const token = await apiToken(t, await createStaff(t, role));
      const response = await createUser(expertInput(), token);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('checks the role before the body: a bidder sending garbage gets 403, not 400', async () => {
    const token = await apiToken(t, await createStaff(t, 'agent'));
    expect((await createUser({}, token)).statusCode).toBe(403);
  });
});

describe('GET /api/v1/users', () => {
  it('lists users for the admin only', async () => {
    const response = await t.app.inject({ url: '/api/v1/users', headers: bearer(adminToken) });
    expect(response.statusCode).toBe(200);
    expect(response.json().length).toBeGreaterThan(0);
    expect(response.json()[0]).not.toHaveProperty('passwordHash');
    const agent = await apiToken(t, await createStaff(t, 'agent'));
    expect((await t.app.inject({ url: '/api/v1/users', headers: bearer(agent) })).statusCode).toBe(403);
  });
});

describe('PUT /api/v1/users/:id/active', () => {
  it('deactivates an expert, who can no longer sign in, and activates again; admins only', async () => {
    const input = expertInput();
    const { id } = (await createUser(input)).json();
    const toggle = (active: boolean, token = adminToken) =>
      t.app.inject({ method: 'PUT', url: `/api/v1/users/${id}/active`, headers: bearer(token), payload: { active } });
    const expertToken = await apiToken(t, input);
    expect((await toggle(false, expertToken)).statusCode).toBe(403);
    expect((await toggle(false)).json()).toMatchObject({ id, role: 'expert', active: false });
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: input.email, password: input.password } });
    expect(refused.statusCode).toBe(401);
    expect((await toggle(true)).json()).toMatchObject({ active: true });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/users/00000000-0000-4000-8000-000000000000/active', headers: bearer(adminToken), payload: { active: true } })).statusCode).toBe(404);
  });
});
