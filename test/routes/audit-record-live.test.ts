import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { createBidder } from '../helpers/bidding.ts';
import { Browser } from '../helpers/browser.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

// The record page's live stream (/inspector/recruitments/:id/audit/stream), on real listening
// servers: a second instance on the same database serves the stream, the entries are appended
// through the first, as behind a load balancer.

let t: TestApp;
let second: TestApp;
let url: string;
let cast: Cast;
let id: string;
let otherId: string;
let bidderToken: string;
let cookie: string;
let secondClosed = false;

interface StreamEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** An open SSE stream, its events parsed as they arrive. */
async function openStream(path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${url}${path}`, { headers: { cookie, accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: StreamEvent[] = [];
  let ended = false;
  const reading = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event: StreamEvent = {};
          for (const line of buffer.slice(0, end).split('\n')) {
            const match = /^(id|event|data): (.*)$/.exec(line);
            if (match) event[match[1] as keyof StreamEvent] = match[2];
          }
          buffer = buffer.slice(end + 2);
          if (event.event) events.push(event);
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    response,
    events,
    entries: () => events.filter((event) => event.event === 'entry').map((event) => ({ id: Number(event.id), ...(JSON.parse(event.data!) as { seq: number; html: string }) })),
    ended: () => ended,
    reading,
    close: () => controller.abort(),
  };
}

async function until(condition: () => boolean, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ask = (recruitmentId: string, text: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${recruitmentId}/questions`, headers: bearer(bidderToken), payload: { text } });
const headSeq = async () =>
  (await t.app.inject({ url: '/api/v1/audit?order=desc&limit=1', headers: bearer(cast.inspectorToken) })).json<{ seq: number }[]>()[0]!.seq;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  id = await createPublished(t, cast);
  otherId = await createPublished(t, cast);
  bidderToken = (await createBidder(t)).token;
  second = await createTestApp({}, { sharing: t });
  url = await second.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = new Browser(second.app);
  await browser.signIn(cast.inspector);
  cookie = `portal_session=${browser.cookie('portal_session')}`;
}, 60_000);
afterAll(async () => {
  if (!secondClosed) await second.close();
  await t.close();
});

describe('the live record', () => {
  it('is an event stream, refused like the page to whoever may not read the record', async () => {
    const stranger = new Browser(second.app);
    await stranger.signIn(await createStaff(t, 'inspector'));
    const refused = await fetch(`${url}/inspector/recruitments/${id}/audit/stream`, {
      headers: { cookie: `portal_session=${stranger.cookie('portal_session')}` },
    });
    expect(refused.status).toBe(403);
    expect((await fetch(`${url}/inspector/recruitments/00000000-0000-4000-8000-000000000000/audit/stream`, { headers: { cookie } })).status).toBe(404);
    expect((await fetch(`${url}/inspector/recruitments/${id}/audit/stream?action=x`, { headers: { cookie } })).status).toBe(400);
    expect((await fetch(`${url}/inspector/recruitments/${id}/audit/stream`, { headers: { cookie, 'last-event-id': 'x' } })).status).toBe(400);
  });

  it("sends each new entry of the recruitment within seconds, as its card, and none of another recruitment's", async () => {
    const stream = await openStream(`/inspector/recruitments/${id}/audit/stream?after=${await headSeq()}`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await ask(otherId, '别的项目的问题');
    await ask(id, '本项目的问题');
    await until(() => stream.entries().length > 0);
    const [entry] = stream.entries();
    expect(entry!.id).toBe(entry!.seq);
    expect(entry!.html).toContain(`id="seq-${entry!.seq}"`);
    expect(entry!.html).toContain('提出问题');
    expect(entry!.html).toContain(`href="/inspector/recruitments/${id}/audit?seq&#x3D;${entry!.seq}"`);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(stream.entries()).toHaveLength(1);
    stream.close();
  });

  it("sends only what the page's filter selects", async () => {
    const stream = await openStream(`/inspector/recruitments/${id}/audit/stream?action=question.answer&after=${await headSeq()}`);
    await ask(id, '不会出现在筛选后的页面');
    const question = (await ask(id, '会被答复')).json<{ id: string }>().id;
    const answered = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${question}/answer`, headers: bearer(cast.agentToken), payload: { text: '答复' } });
    expect(answered.statusCode).toBe(200);
    await until(() => stream.entries().length > 0);
    expect(stream.entries().map((entry) => entry.html)).toEqual([expect.stringContaining('答复提问')]);
    stream.close();
  });

  it('sends what was missed to a browser that reconnects with Last-Event-ID', async () => {
    const first = await openStream(`/inspector/recruitments/${id}/audit/stream`);
    await ask(id, '第一个');
    await until(() => first.entries().length === 1);
    first.close();
    const lastSeen = first.entries()[0]!.seq;
    await ask(id, '断线时的第一个');
    await ask(id, '断线时的第二个');
    const again = await openStream(`/inspector/recruitments/${id}/audit/stream?after=0`, { 'last-event-id': String(lastSeen) });
    await until(() => again.entries().length === 2);
    expect(again.entries().map((entry) => entry.seq)).toEqual([lastSeen + 1, lastSeen + 2]);
    again.close();
  });

  it('ends open streams promptly when the server closes, so a graceful stop does not wait on them', async () => {
    const stream = await openStream(`/inspector/recruitments/${id}/audit/stream`);
    expect(stream.response.ok).toBe(true);
    const started = Date.now();
    secondClosed = true;
    const closing = second.close();
    await until(() => stream.ended(), 1000);
    // the stream's own end is immediate; the close may still wait a moment for a connection the
    // test's HTTP client holds open without a request, which it lets go after a few seconds
    await closing;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
