import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { registerOrganization } from '../helpers/organizations.ts';

let t: TestApp;
let inspectorToken: string;

beforeAll(async () => {
  t = await createTestApp();
  inspectorToken = await apiToken(t, await createStaff(t, 'inspector'));
  const admin = await createStaff(t, 'admin');
  await apiToken(t, admin);
  await registerOrganization(t, organizationInput());
});
afterAll(() => t.close());

const verify = () => t.app.inject({ url: '/api/v1/audit/verify', headers: bearer(inspectorToken) });

describe('GET /api/v1/audit', () => {
  it('lists entries in order, each linked to the previous one', async () => {
    const response = await t.app.inject({ url: '/api/v1/audit', headers: bearer(inspectorToken) });
    expect(response.statusCode).toBe(200);
    const entries = response.json();
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(entries[0]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i].seq).toBe(i + 1);
      expect(entries[i].prevHash).toBe(entries[i - 1].hash);
    }
    expect(entries[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('pages with afterSeq and limit', async () => {
    const response = await t.app.inject({ url: '/api/v1/audit?afterSeq=2&limit=2', headers: bearer(inspectorToken) });
    expect(response.json().map((e: { seq: number }) => e.seq)).toEqual([3, 4]);
  });

  it.each(['limit=0', 'limit=5000', 'afterSeq=-1', 'recruitmentId=not-a-uuid'])('answers 400 for ?%s', async (query) => {
    const response = await t.app.inject({ url: `/api/v1/audit?${query}`, headers: bearer(inspectorToken) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('is for the inspector: 401 without a token, 403 for every other role', async () => {
    expect((await t.app.inject({ url: '/api/v1/audit' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/audit/verify' })).statusCode).toBe(401);
    for (const role of ['admin', 'agent', 'expert'] as const) {
      const token = await apiToken(t, await createStaff(t, role));
      expect((await t.app.inject({ url: '/api/v1/audit', headers: bearer(token) })).statusCode).toBe(403);
      expect((await t.app.inject({ url: '/api/v1/audit/verify', headers: bearer(token) })).statusCode).toBe(403);
    }
    const org = organizationInput();
    await registerOrganization(t, org);
    const bidder = await apiToken(t, org);
    expect((await t.app.inject({ url: '/api/v1/audit', headers: bearer(bidder) })).statusCode).toBe(403);
  });
});

describe('the database keeps the log append-only', () => {
  it.each([
    ['UPDATE', "update audit_log set action = 'forged' where seq = 1"],
    ['DELETE', 'delete from audit_log where seq = 1'],
    ['TRUNCATE', 'truncate audit_log'],
  ])('refuses %s', async (_op, statement) => {
    await expect(t.rawSql(statement)).rejects.toThrow();
    expect((await verify()).json()).toMatchObject({ ok: true });
  });
});

describe('GET /api/v1/audit/verify', () => {
  it('keeps the chain intact under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `x${i}@example.org`, password: 'wrong-one' } }),
      ),
    );
    const check = (await verify()).json();
    expect(check.ok).toBe(true);
    const entries = (await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: bearer(inspectorToken) })).json();
    expect(check.entries).toBe(entries.length);
    expect(check.head).toBe(entries.at(-1).hash);
  });

  // Runs last: it breaks the chain of this file's database on purpose.
  it('fails after a superuser alters a row behind the application\'s back', async () => {
    await t.rawSql(
      'alter table audit_log disable trigger audit_log_no_update_delete',
      `update audit_log set details = '{"email":"someone-else@example.org"}' where seq = 3`,
      'alter table audit_log enable trigger audit_log_no_update_delete',
    );
    const response = await verify();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash', entries: 2 });
  });
});
