import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { organizationInput } from '../helpers/uscc.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const register = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload });

async function countOrganizations() {
  return (await t.database.db.query.organizations.findMany()).length;
}

describe('POST /api/v1/organizations', () => {
  it('registers an organisation whose user is a bidder and can sign in at once', async () => {
    const input = organizationInput({ uscc: '51100000500010993L' });
    const response = await register(input);
    expect(response.statusCode).toBe(201);
    const { id, userId } = response.json();
    expect(id).toEqual(expect.any(String));
    const token = await apiToken(t, input);
    const me = (await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).json();
    expect(me).toMatchObject({ id: userId, role: 'bidder', organization: { id, name: input.name } });
  });

  it('stores the code in canonical form and records the registration', async () => {
    const input = organizationInput();
    const response = await register({ ...input, uscc: ` ${input.uscc.toLowerCase()} ` });
    expect(response.statusCode).toBe(201);
    const row = await t.database.db.query.organizations.findFirst({
      where: (o, { eq }) => eq(o.id, response.json().id),
    });
    expect(row).toMatchObject({
      uscc: input.uscc,
      type: '社会组织',
      legalRepresentative: '张三',
      contactName: '李四',
      phone: '0571-88888888',
      address: input.address,
    });
    const inspector = await apiToken(t, await createStaff(t, 'inspector'));
    const entries = (await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: bearer(inspector) })).json();
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'organization.register', target: `organization:${response.json().id}` }),
    );
  });

  it('answers 400 INVALID_USCC for a wrong check digit and creates nothing', async () => {
    const before = await countOrganizations();
    const input = organizationInput();
    const corrupted = input.uscc.slice(0, 17) + (input.uscc[17] === '0' ? '1' : '0');
    const response = await register({ ...input, uscc: corrupted });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      code: 'INVALID_USCC',
      message: expect.stringContaining('统一社会信用代码无效'),
    });
    expect(await countOrganizations()).toBe(before);
  });

  it('answers 409 DUPLICATE_USCC for a code already registered', async () => {
    const first = organizationInput();
    expect((await register(first)).statusCode).toBe(201);
    const before = await countOrganizations();
    const response = await register(organizationInput({ uscc: first.uscc }));
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'DUPLICATE_USCC' });
    expect(await countOrganizations()).toBe(before);
  });

  it('answers 409 DUPLICATE_EMAIL when the e-mail already has an account', async () => {
    const first = organizationInput();
    expect((await register(first)).statusCode).toBe(201);
    const response = await register(organizationInput({ email: first.email }));
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'DUPLICATE_EMAIL' });
  });

  it.each(['name', 'uscc', 'type', 'legalRepresentative', 'contactName', 'phone', 'email', 'password', 'address'])(
    'answers 400 when %s is missing',
    async (field) => {
      const input: Record<string, string> = organizationInput();
      delete input[field];
      const response = await register(input);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(response.json().message).toContain(field);
    },
  );

  it.each([
    [{ phone: 'call me' }, 'phone'],
    [{ password: 'short' }, 'password'],
    [{ uscc: '123' }, 'uscc'],
  ])('answers 400 for %j', async (overrides, field) => {
    const response = await register(organizationInput(overrides));
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain(field);
  });
});
