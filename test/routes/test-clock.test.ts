import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe('POST /api/v1/_test/clock with PORTAL_TEST_CLOCK=1', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const move = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/_test/clock', payload });

  it('sets the clock, which keeps running, and shows on the pages', async () => {
    const response = await move({ now: '2030-05-01T08:00:00+08:00' });
    expect(response.statusCode).toBe(200);
    expect(Date.parse(response.json().now) - Date.parse('2030-05-01T00:00:00Z')).toBeLessThan(1000);
    const page = await t.app.inject({ url: '/' });
    expect(page.body).toContain('datetime="2030-05-01T00:00:0');
  });

  it('advances the clock', async () => {
    await move({ now: '2030-05-01T00:00:00Z' });
    const response = await move({ advanceMs: 86_400_000 });
    expect(response.json().now.slice(0, 10)).toBe('2030-05-02');
  });

  it.each([[{}], [{ now: 'tomorrow' }], [{ advanceMs: 'soon' }], [{ now: '2030-05-01T00:00:00Z', advanceMs: 1 }]])(
    'answers 400 for %j',
    async (payload) => {
      const response = await move(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );
});

describe('without PORTAL_TEST_CLOCK', () => {
  it('the route does not exist', async () => {
    const t = await createTestApp({ PORTAL_TEST_CLOCK: '0' });
    try {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/_test/clock', payload: { advanceMs: 1 } });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await t.close();
    }
  });
});
