import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { formatRemaining } from '../../server/lib/labels.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { Browser } from '../helpers/browser.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

// Issue 16: what anonymous visitors get of the recruitments is kept and served again, and no event
// may leave it stale, on this instance or another one on the same database.

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const anonymous = (app: TestApp['app'], url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });

async function amend(id: string, title: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/v1/recruitments/${id}/amendments`,
    headers: bearer(cast.agentToken),
    payload: { title, body: `${title}：补充说明。`, affectsPreparation: false },
  });
  expect(response.statusCode).toBe(201);
}

/** the clock at the start of its next second, so that what follows happens within one second */
function atStartOfSecond() {
  t.clock.set(new Date(Math.ceil(t.clock.now().getTime() / 1000) * 1000));
}

describe('anonymous recruitment pages', () => {
  it('show an amendment on the very next request, the page, the list and the record, each with a new ETag', async () => {
    const id = await createPublished(t, cast);
    const urls = [`/recruitments/${id}`, '/recruitments', `/api/v1/recruitments/${id}`];
    const before = await Promise.all(urls.map((url) => anonymous(t.app, url)));
    for (const response of before) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers.etag).toMatch(/^"[^"]+"$/);
    }
    await amend(id, '场地说明更正');
    const detail = await anonymous(t.app, urls[0]!);
    expect(detail.body).toContain('场地说明更正');
    expect(detail.headers.etag).not.toBe(before[0]!.headers.etag);
    const record = await anonymous(t.app, urls[2]!);
    expect(record.json().announcements.map((a: { title: string }) => a.title)).toContain('场地说明更正');
    expect(record.headers.etag).not.toBe(before[2]!.headers.etag);
    // the list shows no announcement, but its version moved on: made again, the same content
    expect((await anonymous(t.app, urls[1]!)).statusCode).toBe(200);
  });

  it('the Atom feed shows an amendment on the very next request', async () => {
    const id = await createPublished(t, cast);
    const before = await anonymous(t.app, '/recruitments/feed.atom');
    expect(before.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    await amend(id, '订阅源可见的更正');
    const after = await anonymous(t.app, '/recruitments/feed.atom', { 'if-none-match': before.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('订阅源可见的更正');
    expect((await anonymous(t.app, '/recruitments/feed.atom', { 'if-none-match': after.headers.etag as string })).statusCode).toBe(304);
  });

  it('show an answered question on the very next request', async () => {
    const id = await createPublished(t, cast);
    const asked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${id}/questions`,
      headers: bearer(cast.bidderToken),
      payload: { text: '是否接受联合体？' },
    });
    expect((await anonymous(t.app, `/recruitments/${id}`)).body).not.toContain('是否接受联合体？');
    await t.app.inject({ method: 'POST', url: `/api/v1/questions/${asked.json().id}/answer`, headers: bearer(cast.agentToken), payload: { text: '不接受。' } });
    const page = await anonymous(t.app, `/recruitments/${id}`);
    expect(page.body).toContain('是否接受联合体？');
    expect(page.body).toContain('不接受。');
  });

  it('answer 304 to a revisit with the ETag, and 200 with a new ETag once the page changed', async () => {
    const id = await createPublished(t, cast);
    for (const url of [`/api/v1/recruitments/${id}`, `/recruitments/${id}`]) {
      atStartOfSecond();
      const first = await anonymous(t.app, url);
      const again = await anonymous(t.app, url, { 'if-none-match': first.headers.etag as string });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    const seen = await anonymous(t.app, `/api/v1/recruitments/${id}`);
    await amend(id, '时间安排澄清');
    const changed = await anonymous(t.app, `/api/v1/recruitments/${id}`, { 'if-none-match': seen.headers.etag as string });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(seen.headers.etag);
    expect(changed.body).toContain('时间安排澄清');
  });

  it('stay as they are through a bid, which shows nothing before the opening: a rush does not make them again', async () => {
    const id = await createPublished(t, cast);
    const seen = await anonymous(t.app, `/api/v1/recruitments/${id}`);
    const bidder = await createBidder(t);
    await submitBid(t, id, bidder.token, 'arts', '投标单位');
    const again = await anonymous(t.app, `/api/v1/recruitments/${id}`, { 'if-none-match': seen.headers.etag as string });
    expect(again.statusCode).toBe(304);
  });

  it('are sent compressed to a browser that accepts it, the same page with its own ETag, the record too', async () => {
    const id = await createPublished(t, cast);
    atStartOfSecond();
    const plain = await anonymous(t.app, `/recruitments/${id}`);
    const br = await anonymous(t.app, `/recruitments/${id}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding, cookie');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(br.headers.etag).not.toBe(plain.headers.etag);
    expect((await anonymous(t.app, `/recruitments/${id}`, { 'accept-encoding': 'br', 'if-none-match': br.headers.etag as string })).statusCode).toBe(304);
    const recordPlain = await anonymous(t.app, `/api/v1/recruitments/${id}`);
    const recordGzip = await anonymous(t.app, `/api/v1/recruitments/${id}`, { 'accept-encoding': 'gzip' });
    expect(recordGzip.headers['content-encoding']).toBe('gzip');
    expect(recordGzip.headers.vary).toBe('accept-encoding, authorization, cookie');
    expect(JSON.parse(gunzipSync(recordGzip.rawPayload).toString())).toEqual(recordPlain.json());
  });

  it('fill in the current server time and countdown on a page served again', async () => {
    const id = await createPublished(t, cast);
    const deadline = (await anonymous(t.app, `/api/v1/recruitments/${id}`)).json().submissionDeadline as string;
    await anonymous(t.app, `/recruitments/${id}`);
    t.clock.advance(3 * 60 * 60 * 1000 + 7 * 60 * 1000);
    try {
      const before = t.clock.now().getTime();
      const page = await anonymous(t.app, `/recruitments/${id}`);
      const serverTime = Date.parse(/id="server-time" datetime="([^"]+)"/.exec(page.body)![1]!);
      expect(serverTime).toBeGreaterThanOrEqual(before);
      expect(serverTime).toBeLessThanOrEqual(t.clock.now().getTime());
      const countdown = /class="countdown" data-deadline="[^"]+">([^<]+)</.exec(page.body)![1];
      expect(countdown).toBe(formatRemaining(Date.parse(deadline) - serverTime));
      expect(countdown).toMatch(/^29 天 20 小时 5[23] 分$/);
      expect(page.body).not.toMatch(/slot-[0-9a-f]{16}-/);
    } finally {
      t.clock.set(new Date());
    }
  });

  it('change when the submission deadline passes, with no event', async () => {
    const id = await createPublished(t, cast);
    expect((await anonymous(t.app, `/recruitments/${id}`)).body).toContain('class="deadline-box"');
    t.clock.advance(31 * DAY_MS);
    try {
      const page = await anonymous(t.app, `/recruitments/${id}`);
      expect(page.body).not.toContain('class="deadline-box"');
    } finally {
      t.clock.set(new Date());
    }
    expect((await anonymous(t.app, `/recruitments/${id}`)).body).toContain('class="deadline-box"');
  });

  it('are never what a signed-in user gets, nor a 304 for the anonymous ETag', async () => {
    const id = await createPublished(t, cast);
    const anonymousPage = await anonymous(t.app, `/recruitments/${id}`);
    const organization = organizationInput();
    await registerOrganization(t, organization);
    const browser = new Browser(t.app);
    await browser.signIn(organization);
    const page = await browser.get(`/recruitments/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers.etag).toBeUndefined();
    expect(page.body).toContain('关注（邮件通知更正和答疑）');
    expect(page.body).not.toContain('登录</a>后可关注本项目');
    const revisit = await t.app.inject({
      method: 'GET',
      url: `/recruitments/${id}`,
      headers: { accept: 'text/html', cookie: `portal_session=${browser.cookie('portal_session')}`, 'if-none-match': anonymousPage.headers.etag as string },
    });
    expect(revisit.statusCode).toBe(200);
    expect(revisit.body).toContain('关注（邮件通知更正和答疑）');
    // and the anonymous page is still the anonymous one
    expect((await anonymous(t.app, `/recruitments/${id}`)).body).toContain('登录</a>后可关注本项目');
    const record = await t.app.inject({ method: 'GET', url: `/api/v1/recruitments/${id}`, headers: bearer(cast.agentToken) });
    expect(record.headers.etag).toBeUndefined();
    expect(record.headers['cache-control']).toBe('no-store');
  });
});

describe('a second instance on the same database', () => {
  it('sees an amendment made through the first at its next request', async () => {
    const second = await createTestApp({}, { sharing: t });
    try {
      const id = await createPublished(t, cast);
      const seen = await anonymous(second.app, `/recruitments/${id}`);
      await anonymous(second.app, `/api/v1/recruitments/${id}`);
      await amend(id, '第二实例可见的更正');
      const page = await anonymous(second.app, `/recruitments/${id}`, { 'if-none-match': seen.headers.etag as string });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('第二实例可见的更正');
      expect((await anonymous(second.app, `/api/v1/recruitments/${id}`)).body).toContain('第二实例可见的更正');
    } finally {
      await second.close();
    }
  });
});

describe('static files', () => {
  it('are served from memory with the security headers, an ETag and 304 for a revisit', async () => {
    const css = await t.app.inject({ url: '/static/app.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    // a stylesheet is never a document: the headers that govern a subresource, not those of a page
    expect(css.headers['x-content-type-options']).toBe('nosniff');
    expect(css.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(css.headers['referrer-policy']).toBe('no-referrer');
    expect(css.headers['content-security-policy']).toBeUndefined();
    const again = await t.app.inject({ url: '/static/app.css', headers: { 'if-none-match': `W/${css.headers.etag}` } });
    expect(again.statusCode).toBe(304);
    // an SVG can be opened as a document: it gets them all
    const icon = await t.app.inject({ url: '/static/favicon.svg' });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['content-security-policy']).toContain("default-src 'self'");
    expect(icon.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect((await t.app.inject({ url: '/static/none.css' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/static/..%2Fviews%2Flayouts%2Fmain.hbs' })).statusCode).toBe(404);
  });

  it('are answered by the listening server before the framework as app.inject gets them; any other name goes on to its 404', async () => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const injected = await t.app.inject({ url: '/static/app.css', headers: { 'accept-encoding': 'br' } });
    const served = await fetch(`${url}/static/app.css?v=2`, { headers: { 'accept-encoding': 'br' } });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(brotliDecompressSync(injected.rawPayload));
    for (const name of ['etag', 'content-type', 'content-encoding', 'cache-control', 'vary', 'x-content-type-options', 'cross-origin-resource-policy', 'referrer-policy']) {
      expect(served.headers.get(name), name).toBe(injected.headers[name]);
    }
    const revisit = await fetch(`${url}/static/app.css`, { headers: { 'accept-encoding': 'br', 'if-none-match': injected.headers.etag as string } });
    expect(revisit.status).toBe(304);
    expect(revisit.headers.get('x-content-type-options')).toBe('nosniff');
    const plain = await t.app.inject({ url: '/static/app.css' });
    const head = await fetch(`${url}/static/app.css`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String(plain.rawPayload.length), '']);
    const unknown = await fetch(`${url}/static/none.css`, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('您访问的页面或资源不存在');
    // a body sent with a GET is read and dropped: the next request on the connection is answered
    const replies = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1', () => {
        socket.write(`GET /static/app.css HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`);
        socket.write(Buffer.alloc(2 * 1024 * 1024, 'a'));
        socket.write('GET /static/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(replies.match(/^HTTP\/1\.1 \d+/gm)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    // a post is the framework's: refused as a form post without its CSRF token
    expect((await fetch(`${url}/static/app.css`, { method: 'POST', body: 'x' })).status).toBe(403);
  });

  it('are sent compressed, with Brotli or gzip, to a browser that accepts it, each encoding with its own ETag', async () => {
    const plain = await t.app.inject({ url: '/static/app.css' });
    const br = await t.app.inject({ url: '/static/app.css', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    const gzip = await t.app.inject({ url: '/static/app.css', headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(plain.body);
    expect(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const identity = await t.app.inject({ url: '/static/app.css', headers: { 'accept-encoding': 'identity' } });
    expect(identity.headers['content-encoding']).toBeUndefined();
    const revisit = await t.app.inject({ url: '/static/app.css', headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.etag as string } });
    expect(revisit.statusCode).toBe(304);
    // the plain copy's ETag does not stand for the compressed one
    expect((await t.app.inject({ url: '/static/app.css', headers: { 'accept-encoding': 'br', 'if-none-match': plain.headers.etag as string } })).statusCode).toBe(200);
  });
});
