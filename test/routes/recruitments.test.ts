import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { createCast, createDraft, createPublished, draftInput, outbox, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { registerOrganization, VERIFICATION_SUBJECT } from '../helpers/organizations.ts';

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
const get = (id: string, token?: string) => api('GET', `/api/v1/recruitments/${id}`, token);

describe('POST /api/v1/recruitments (draft)', () => {
  it('creates a draft with the defaults of SPEC §3', async () => {
    const response = await api('POST', '/api/v1/recruitments', cast.agentToken, draftInput(t));
    expect(response.statusCode).toBe(201);
    const draft = response.json();
    expect(draft).toMatchObject({ status: 'draft', minPublicBenefitRatio: 20, publicityDays: 3, agreementTermMonths: 36 });
    expect(draft.eligibility).toHaveLength(6);
    expect(draft.lots.map((l: { key: string }) => l.key)).toEqual(['arts', 'sports']);
    expect(Date.parse(draft.submissionDeadline) - Date.parse(draft.questionsDeadline)).toBe(10 * DAY_MS);
  });

  it.each([
    ['CRITERIA_SUM_NOT_100', 'criteria', { criteria: [{ key: 'a', name: 'A', maxScore: 60 }, { key: 'b', name: 'B', maxScore: 30 }] }],
    ['INVALID_MAX_SCORE', 'criteria', { criteria: [{ key: 'a', name: 'A', maxScore: 49.75 }, { key: 'b', name: 'B', maxScore: 50.25 }] }],
    ['AGREEMENT_TERM_TOO_LONG', 'agreementTermMonths', { agreementTermMonths: 61 }],
    ['PUBLICITY_TOO_SHORT', 'publicityDays', { publicityDays: 2 }],
    ['DUPLICATE_KEY', 'lots', { lots: [{ key: 'x', name: 'A', quota: 1 }, { key: 'x', name: 'B', quota: 1 }] }],
    ['QUESTIONS_DEADLINE_AFTER_SUBMISSION', 'questionsDeadline', { questionsDeadline: new Date(Date.now() + 60 * DAY_MS).toISOString() }],
  ])('refuses %s (field %s) and creates nothing', async (code, field, overrides) => {
    const before = (await api('GET', '/api/v1/recruitments', cast.agentToken)).json().length;
    const response = await api('POST', '/api/v1/recruitments', cast.agentToken, draftInput(t, 30, overrides));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, code, errors: [expect.objectContaining({ code, field })] });
    expect((await api('GET', '/api/v1/recruitments', cast.agentToken)).json()).toHaveLength(before);
  });

  it('lists every broken rule at once', async () => {
    const response = await api('POST', '/api/v1/recruitments', cast.agentToken, draftInput(t, 30, { agreementTermMonths: 72, publicityDays: 1 }));
    expect(response.json().errors.map((e: { code: string }) => e.code)).toEqual(['AGREEMENT_TERM_TOO_LONG', 'PUBLICITY_TOO_SHORT']);
  });

  it.each([
    [{ lots: [] }, 'no lot'],
    [{ criteria: 'all' }, 'criteria not a list'],
    [{ submissionDeadline: 'next month' }, 'deadline not a time'],
    [{ title: '' }, 'empty title'],
    [{ lots: [{ key: 'bad key!', name: 'A', quota: 1 }] }, 'key with spaces'],
    [{ lots: [{ key: 'a', name: 'A', quota: 0 }] }, 'quota 0'],
  ])('answers 400 VALIDATION_FAILED for %j (%s)', async (overrides, _case) => {
    const response = await api('POST', '/api/v1/recruitments', cast.agentToken, draftInput(t, 30, overrides));
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION_FAILED');
  });

  it('is for agents only', async () => {
    expect((await api('POST', '/api/v1/recruitments', undefined, draftInput(t))).statusCode).toBe(401);
    for (const token of [cast.inspectorToken, cast.bidderToken, await apiToken(t, await createStaff(t, 'admin'))]) {
      expect((await api('POST', '/api/v1/recruitments', token, draftInput(t))).statusCode).toBe(403);
    }
  });
});

describe('PATCH /api/v1/recruitments/:id', () => {
  it('edits a draft, replacing lots when given', async () => {
    const id = await createDraft(t, cast);
    const response = await api('PATCH', `/api/v1/recruitments/${id}`, cast.agentToken, {
      title: '新标题',
      lots: [{ key: 'events', name: '公益活动策划', quota: 2, description: '' }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ title: '新标题', lots: [{ key: 'events', quota: 2 }] });
    expect(response.json().criteria).toHaveLength(5);
  });

  it('checks the rules on the merged draft', async () => {
    const id = await createDraft(t, cast);
    const response = await api('PATCH', `/api/v1/recruitments/${id}`, cast.agentToken, { agreementTermMonths: 70 });
    expect(response.json().code).toBe('AGREEMENT_TERM_TOO_LONG');
    expect((await get(id, cast.agentToken)).json().agreementTermMonths).toBe(36);
  });

  it('refuses an empty patch (400), another agent (403), a published recruitment (409 NOT_DRAFT), an unknown id (404)', async () => {
    const id = await createDraft(t, cast);
    expect((await api('PATCH', `/api/v1/recruitments/${id}`, cast.agentToken, {})).statusCode).toBe(400);
    const other = await apiToken(t, await createStaff(t, 'agent'));
    expect((await api('PATCH', `/api/v1/recruitments/${id}`, other, { title: 'x' })).statusCode).toBe(404);
    const published = await createPublished(t, cast);
    const response = await api('PATCH', `/api/v1/recruitments/${published}`, cast.agentToken, { title: 'x' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('NOT_DRAFT');
    expect((await api('PATCH', `/api/v1/recruitments/${published}`, other, { title: 'x' })).statusCode).toBe(403);
    const unknown = await api('PATCH', '/api/v1/recruitments/00000000-0000-4000-8000-000000000000', cast.agentToken, { title: 'x' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('POST /api/v1/recruitments/:id/publish', () => {
  const publish = (id: string, payload: object, token = cast.agentToken) => api('POST', `/api/v1/recruitments/${id}/publish`, token, payload);

  it('publishes with the inspector, writes announcement no. 0 and an audit entry', async () => {
    const id = await createDraft(t, cast);
    const response = await publish(id, { inspectorId: cast.inspector.id });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'published' });
    const recruitment = (await get(id)).json();
    expect(recruitment).toMatchObject({ status: 'published', inspectorId: cast.inspector.id });
    expect(recruitment.announcements).toEqual([expect.objectContaining({ number: 0, kind: 'announcement' })]);
    const audit = (await api('GET', `/api/v1/audit?recruitmentId=${id}`, cast.inspectorToken)).json();
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['recruitment.create', 'recruitment.publish', 'document.issue', 'bid_key.issue']);
    expect(audit[1].details).toMatchObject({ from: 'draft', to: 'published' });
    expect(audit[2].details).toMatchObject({ kind: 'announcement' });
    expect(audit[3].details).toMatchObject({ bidKeyFingerprint: recruitment.bidKeyFingerprint });
  });

  it('refuses without the collective decision', async () => {
    const id = await createDraft(t, cast, { decisionRef: '' });
    const response = await publish(id, { inspectorId: cast.inspector.id });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('DECISION_REF_REQUIRED');
    expect((await get(id, cast.agentToken)).json().status).toBe('draft');
  });

  it('refuses a deadline under MIN_TENDER_DAYS from now, checked at publication', async () => {
    const id = await createDraft(t, cast, {}, 25);
    t.clock.advance(6 * DAY_MS);
    try {
      const response = await publish(id, { inspectorId: cast.inspector.id });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('DEADLINE_TOO_SOON');
    } finally {
      t.clock.advance(-6 * DAY_MS);
    }
    expect((await publish(id, { inspectorId: cast.inspector.id })).statusCode).toBe(200);
  });

  it('refuses a key holder who is not an inspector, and any escrow holder named by the agent', async () => {
    const id = await createDraft(t, cast);
    const wrongInspector = await publish(id, { inspectorId: cast.agent.id });
    expect(wrongInspector.json()).toMatchObject({ statusCode: 400, code: 'INVALID_INSPECTOR' });
    const escrowNamed = await publish(id, { inspectorId: cast.inspector.id, escrowHolderId: cast.agent.id });
    expect(escrowNamed.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect((await publish(id, { inspectorId: 'nope' })).statusCode).toBe(400);
  });

  it('refuses a second publication (409) and other roles (403)', async () => {
    const id = await createPublished(t, cast);
    const again = await publish(id, { inspectorId: cast.inspector.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_TRANSITION');
    expect((await publish(id, { inspectorId: cast.inspector.id }, cast.inspectorToken)).statusCode).toBe(403);
  });
});

describe('visibility and listing', () => {
  it('hides drafts from the public, bidders and other agents; the inspector sees them', async () => {
    const id = await createDraft(t, cast, { title: '尚未发布的草稿' });
    expect((await get(id)).statusCode).toBe(404);
    expect((await get(id, cast.bidderToken)).statusCode).toBe(404);
    expect((await get(id, await apiToken(t, await createStaff(t, 'agent')))).statusCode).toBe(404);
    expect((await get(id, cast.inspectorToken)).statusCode).toBe(200);
    expect((await get(id, cast.agentToken)).statusCode).toBe(200);
    const publicList = (await api('GET', '/api/v1/recruitments')).json();
    expect(publicList.some((r: { id: string }) => r.id === id)).toBe(false);
  });

  it('filters by status and searches titles literally', async () => {
    const id = await createPublished(t, cast);
    await api('PATCH', `/api/v1/recruitments/${await createDraft(t, cast)}`, cast.agentToken, { title: '100%_特殊' });
    const published = (await api('GET', '/api/v1/recruitments?status=published')).json();
    expect(published.every((r: { status: string }) => r.status === 'published')).toBe(true);
    expect(published.some((r: { id: string }) => r.id === id)).toBe(true);
    expect((await api('GET', `/api/v1/recruitments?q=${encodeURIComponent('社会化运营')}`)).json().length).toBeGreaterThan(0);
    expect((await api('GET', `/api/v1/recruitments?q=${encodeURIComponent('%')}`)).json()).toEqual([]);
    expect((await api('GET', '/api/v1/recruitments?status=unknown')).statusCode).toBe(400);
  });

  it('answers 400 for a malformed id', async () => {
    expect((await get('not-a-uuid')).statusCode).toBe(400);
  });
});

describe('publications on other channels', () => {
  it('records where else the announcement appeared', async () => {
    const id = await createPublished(t, cast);
    const response = await api('POST', `/api/v1/recruitments/${id}/publications`, cast.agentToken, {
      channel: 'newspaper',
      name: '浙江工人日报',
      publishedOn: '2026-11-23',
    });
    expect(response.statusCode).toBe(201);
    expect((await get(id)).json().publications).toEqual([
      expect.objectContaining({ channel: 'newspaper', name: '浙江工人日报', publishedOn: '2026-11-23', url: null }),
    ]);
  });

  it('refuses a draft (409) and bad input (400)', async () => {
    const draft = await createDraft(t, cast);
    const payload = { channel: 'union_website', name: '浙江工会网', publishedOn: '2026-11-23', url: 'https://www.zjgh.org/x' };
    expect((await api('POST', `/api/v1/recruitments/${draft}/publications`, cast.agentToken, payload)).json().code).toBe('NOT_PUBLISHED');
    const id = await createPublished(t, cast);
    for (const bad of [{ ...payload, channel: 'tv' }, { ...payload, url: 'javascript:alert(1)' }, { ...payload, publishedOn: '23/11/2026' }]) {
      expect((await api('POST', `/api/v1/recruitments/${id}/publications`, cast.agentToken, bad)).statusCode).toBe(400);
    }
  });
});

describe('amendments and the 15-day rule', () => {
  const amend = (id: string, payload: object, token = cast.agentToken) => api('POST', `/api/v1/recruitments/${id}/amendments`, token, payload);

  it('publishes numbered amendments that record what changed', async () => {
    const id = await createPublished(t, cast, 30);
    const first = await amend(id, { title: '关于评分细则的澄清', body: '澄清内容' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ number: 1, kind: 'amendment', changes: [] });
    const before = (await get(id)).json().submissionDeadline;
    const moved = new Date(Date.parse(before) + 7 * DAY_MS).toISOString();
    const second = await amend(id, { title: '延期公告', body: '提交截止时间延后一周', submissionDeadline: moved });
    expect(second.json()).toMatchObject({ number: 2, changes: [{ field: 'submissionDeadline', from: before, to: moved }] });
    const recruitment = (await get(id)).json();
    expect(recruitment.submissionDeadline).toBe(moved);
    expect(recruitment.announcements.map((a: { number: number }) => a.number)).toEqual([0, 1, 2]);
  });

  it('inside 15 days, an amendment that affects preparation must move the deadline far enough (409 DEADLINE_TOO_CLOSE)', async () => {
    const id = await createPublished(t, cast, 30);
    t.clock.advance(20 * DAY_MS);
    try {
      const now = t.clock.now().getTime();
      const tooClose = await amend(id, { title: '更正', body: '修改资格条件' });
      expect(tooClose.statusCode).toBe(409);
      expect(tooClose.json().code).toBe('DEADLINE_TOO_CLOSE');
      const fourteen = await amend(id, { title: '更正', body: 'x', submissionDeadline: new Date(now + 14 * DAY_MS).toISOString() });
      expect(fourteen.json().code).toBe('DEADLINE_TOO_CLOSE');
      expect((await get(id)).json().announcements).toHaveLength(1);
      const clarification = await amend(id, { title: '澄清', body: '错别字更正，不影响响应文件', affectsPreparation: false });
      expect(clarification.statusCode).toBe(201);
      const fifteen = await amend(id, { title: '更正', body: 'x', submissionDeadline: new Date(now + 15 * DAY_MS + 60_000).toISOString() });
      expect(fifteen.statusCode).toBe(201);
    } finally {
      t.clock.advance(-20 * DAY_MS);
    }
  });

  it('never lets the agent cut the deadline to minutes, even as a clarification (422 DEADLINE_BEFORE_MINIMUM, 409 DEADLINE_TOO_CLOSE)', async () => {
    const id = await createPublished(t, cast, 30);
    const before = (await get(id)).json();
    const twoMinutes = new Date(t.clock.now().getTime() + 2 * 60_000).toISOString();
    const cut = await amend(id, { title: '时间调整', body: '提前截止', submissionDeadline: twoMinutes, affectsPreparation: false });
    expect(cut.statusCode).toBe(422);
    expect(cut.json().code).toBe('DEADLINE_BEFORE_MINIMUM');
    expect(cut.json().errors.map((e: { code: string }) => e.code)).toEqual(['DEADLINE_BEFORE_MINIMUM', 'DEADLINE_TOO_CLOSE', 'QUESTIONS_DEADLINE_AFTER_SUBMISSION']);
    expect(cut.json().message).toContain('20 天');
    // 16 days later, moving the deadline later but to under 15 days away is refused too
    t.clock.advance(16 * DAY_MS);
    try {
      const now = t.clock.now().getTime();
      const short = await amend(id, { title: '延期', body: 'x', submissionDeadline: new Date(now + 14 * DAY_MS + 1).toISOString(), affectsPreparation: false });
      expect(short.statusCode).toBe(409);
      expect(short.json().code).toBe('DEADLINE_TOO_CLOSE');
      const after = (await get(id)).json();
      expect(after.submissionDeadline).toBe(before.submissionDeadline);
      expect(after.announcements).toHaveLength(1);
      const enough = await amend(id, { title: '延期', body: 'x', submissionDeadline: new Date(now + 15 * DAY_MS + 60_000).toISOString(), affectsPreparation: false });
      expect(enough.statusCode).toBe(201);
    } finally {
      t.clock.advance(-16 * DAY_MS);
    }
  });

  it('refuses after the deadline, on drafts, from other roles, and with bad input', async () => {
    const id = await createPublished(t, cast, 21);
    expect((await amend(id, { title: 'x' })).statusCode).toBe(400);
    expect((await amend(id, { title: 'x', body: 'y' }, cast.inspectorToken)).statusCode).toBe(403);
    const draft = await createDraft(t, cast);
    expect((await amend(draft, { title: 'x', body: 'y' })).json().code).toBe('NOT_OPEN_FOR_AMENDMENT');
    t.clock.advance(22 * DAY_MS);
    try {
      expect((await amend(id, { title: 'x', body: 'y', affectsPreparation: false })).json().code).toBe('NOT_OPEN_FOR_AMENDMENT');
    } finally {
      t.clock.advance(-22 * DAY_MS);
    }
  });
});

describe('questions and answers', () => {
  it('publishes answers to everyone without naming the asker, and mails followers', async () => {
    const id = await createPublished(t, cast);
    const asked = await api('POST', `/api/v1/recruitments/${id}/questions`, cast.bidderToken, { text: '联合体可以参加吗？' });
    expect(asked.statusCode).toBe(201);
    expect((await get(id)).json().answeredQuestions).toEqual([]);
    const questions = (await api('GET', `/api/v1/recruitments/${id}/questions`, cast.agentToken)).json();
    expect(questions).toEqual([expect.objectContaining({ text: '联合体可以参加吗？', answer: null })]);
    expect(JSON.stringify(questions)).not.toMatch(/asker|bidder|@/);
    const answered = await api('POST', `/api/v1/questions/${asked.json().id}/answer`, cast.agentToken, { text: '不接受联合体。' });
    expect(answered.statusCode).toBe(200);
    const detail = (await get(id)).json();
    expect(detail.answeredQuestions).toEqual([expect.objectContaining({ text: '联合体可以参加吗？', answer: '不接受联合体。' })]);
    expect(JSON.stringify(detail.answeredQuestions)).not.toContain(cast.bidderEmail);
    const mails = (await outbox(t)).filter((m) => m.to === cast.bidderEmail && m.subject.includes('答疑'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('不接受联合体。');
    const again = await api('POST', `/api/v1/questions/${asked.json().id}/answer`, cast.agentToken, { text: '补充' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_ANSWERED');
  });

  it('accepts questions only from bidders, until the question deadline', async () => {
    const id = await createPublished(t, cast, 30);
    const ask = (token?: string) => api('POST', `/api/v1/recruitments/${id}/questions`, token, { text: '问题' });
    expect((await ask()).statusCode).toBe(401);
    expect((await ask(cast.agentToken)).statusCode).toBe(403);
    expect((await api('POST', `/api/v1/recruitments/${id}/questions`, cast.bidderToken, { text: '' })).statusCode).toBe(400);
    t.clock.advance(20 * DAY_MS);
    try {
      const late = await ask(cast.bidderToken);
      expect(late.statusCode).toBe(409);
      expect(late.json().code).toBe('QUESTIONS_CLOSED');
    } finally {
      t.clock.advance(-20 * DAY_MS);
    }
  });

  it('lets only the recruitment\'s own agent answer', async () => {
    const id = await createPublished(t, cast);
    const asked = (await api('POST', `/api/v1/recruitments/${id}/questions`, cast.bidderToken, { text: '场地面积？' })).json();
    const other = await apiToken(t, await createStaff(t, 'agent'));
    expect((await api('POST', `/api/v1/questions/${asked.id}/answer`, other, { text: 'x' })).statusCode).toBe(403);
    expect((await api('POST', `/api/v1/questions/${asked.id}/answer`, cast.bidderToken, { text: 'x' })).statusCode).toBe(403);
    expect((await api('POST', '/api/v1/questions/00000000-0000-4000-8000-000000000000/answer', cast.agentToken, { text: 'x' })).statusCode).toBe(404);
  });
});

describe('following', () => {
  it('mails every amendment to followers, and stops after unfollowing', async () => {
    const id = await createPublished(t, cast);
    const follower = organizationInput();
    await registerOrganization(t, follower);
    const token = await apiToken(t, follower);
    expect((await api('PUT', `/api/v1/recruitments/${id}/follow`, token)).json()).toEqual({ following: true });
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, { title: '第一号更正', body: '更正内容甲' });
    let mails = (await outbox(t)).filter((m) => m.to === follower.email && m.subject !== VERIFICATION_SUBJECT);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('第 1 号更正/澄清公告');
    expect(mails[0]!.text).toContain('更正内容甲');
    expect(mails[0]!.text).toContain(`/recruitments/${id}#announcement-1`);
    expect((await api('DELETE', `/api/v1/recruitments/${id}/follow`, token)).json()).toEqual({ following: false });
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, { title: '第二号更正', body: '更正内容乙' });
    mails = (await outbox(t)).filter((m) => m.to === follower.email && m.subject !== VERIFICATION_SUBJECT);
    expect(mails).toHaveLength(1);
  });

  it('15.1: amendments and answers reach every organisation that bid, followed or not, once each', async () => {
    const id = await createPublished(t, cast);
    const bidder = await createBidder(t);
    const withdrawn = await createBidder(t);
    const followerWhoBid = await createBidder(t);
    await submitBid(t, id, bidder.token, 'arts', bidder.name);
    const withdrawnBid = await submitBid(t, id, withdrawn.token, 'arts', withdrawn.name);
    expect((await api('DELETE', `/api/v1/bids/${withdrawnBid}`, withdrawn.token)).statusCode).toBe(200);
    await submitBid(t, id, followerWhoBid.token, 'sports', followerWhoBid.name);
    await api('PUT', `/api/v1/recruitments/${id}/follow`, followerWhoBid.token);
    const asked = await api('POST', `/api/v1/recruitments/${id}/questions`, cast.bidderToken, { text: '场地可以周末使用吗？' });
    await api('POST', `/api/v1/questions/${asked.json().id}/answer`, cast.agentToken, { text: '周末可以使用。' });
    await api('POST', `/api/v1/recruitments/${id}/amendments`, cast.agentToken, { title: '第一号更正', body: '场地面积更正' });
    const mails = await outbox(t);
    for (const organization of [bidder, withdrawn, followerWhoBid]) {
      const received = mails.filter((m) => m.to === organization.email && m.subject !== VERIFICATION_SUBJECT);
      expect(received.map((m) => m.subject.replace(/】.*/, '】')).sort(), organization.name).toEqual(['【第 1 号更正/澄清公告】', '【答疑】']);
      expect(received[0]!.text).toContain('您关注了该招募项目或参加了响应，因此收到本通知。');
    }
    // the asker follows, and has no bid: told as before, once
    expect(mails.filter((m) => m.to === cast.bidderEmail && m.text.includes('周末可以使用。'))).toHaveLength(1);
  });

  it('is for bidders, on published recruitments', async () => {
    const draft = await createDraft(t, cast);
    expect((await api('PUT', `/api/v1/recruitments/${draft}/follow`, cast.bidderToken)).statusCode).toBe(404);
    const id = await createPublished(t, cast);
    expect((await api('PUT', `/api/v1/recruitments/${id}/follow`, cast.agentToken)).statusCode).toBe(403);
    expect((await api('PUT', `/api/v1/recruitments/${id}/follow`)).statusCode).toBe(401);
  });
});

describe('cancel, countersign, suspend and resume', () => {
  it('the agent cancels with a reason, followers are told, and the inspector countersigns once', async () => {
    const id = await createPublished(t, cast);
    await api('PUT', `/api/v1/recruitments/${id}/follow`, cast.bidderToken);
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, {})).statusCode).toBe(400);
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.inspectorToken, { reason: 'x' })).statusCode).toBe(403);
    const cancelled = await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '场地改造，无法履约' });
    expect(cancelled.json()).toEqual({ status: 'cancelled' });
    const detail = (await get(id)).json();
    expect(detail).toMatchObject({ status: 'cancelled', cancelReason: '场地改造，无法履约' });
    expect(detail.announcements.at(-1)).toMatchObject({ kind: 'cancellation', body: '场地改造，无法履约' });
    expect((await outbox(t)).some((m) => m.to === cast.bidderEmail && m.subject.includes('终止公告'))).toBe(true);
    const countersign = await api('POST', `/api/v1/recruitments/${id}/cancel/countersign`, cast.inspectorToken);
    expect(countersign.statusCode).toBe(200);
    const head = (await api('GET', '/api/v1/audit/verify', cast.inspectorToken)).json();
    expect(head.ok).toBe(true);
    expect(countersign.json()).toMatchObject({ countersigned: true, chainHead: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel/countersign`, cast.inspectorToken)).json().code).toBe('ALREADY_COUNTERSIGNED');
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: 'again' })).json().code).toBe('INVALID_TRANSITION');
  });

  it('the inspector suspends with a reason and resumes to the previous status', async () => {
    const id = await createPublished(t, cast);
    expect((await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.agentToken, { reason: 'x' })).statusCode).toBe(403);
    expect((await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, {})).statusCode).toBe(400);
    const suspended = await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: '收到举报，核查中' });
    expect(suspended.json()).toEqual({ status: 'suspended' });
    expect((await get(id)).json()).toMatchObject({ status: 'suspended', suspendedFrom: 'published' });
    expect((await api('POST', `/api/v1/recruitments/${id}/questions`, cast.bidderToken, { text: '?' })).json().code).toBe('QUESTIONS_CLOSED');
    expect((await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: 'x' })).json().code).toBe('INVALID_TRANSITION');
    const resumed = await api('POST', `/api/v1/recruitments/${id}/resume`, cast.inspectorToken);
    expect(resumed.json()).toEqual({ status: 'published' });
    expect((await get(id)).json()).toMatchObject({ status: 'published', suspendedFrom: null });
    expect((await api('POST', `/api/v1/recruitments/${id}/resume`, cast.inspectorToken)).json().code).toBe('INVALID_TRANSITION');
    const kinds = (await get(id)).json().announcements.map((a: { kind: string }) => a.kind);
    expect(kinds).toEqual(['announcement', 'suspension', 'resumption']);
  });

  it('only the named inspector suspends, resumes and countersigns (403 to another inspector)', async () => {
    const other = await apiToken(t, await createStaff(t, 'inspector'));
    const id = await createPublished(t, cast);
    const otherSuspend = await api('POST', `/api/v1/recruitments/${id}/suspend`, other, { reason: '越权暂停' });
    expect(otherSuspend.statusCode).toBe(403);
    expect(otherSuspend.json().code).toBe('FORBIDDEN');
    expect((await get(id)).json().status).toBe('published');
    expect((await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: '核查' })).statusCode).toBe(200);
    expect((await api('POST', `/api/v1/recruitments/${id}/resume`, other)).statusCode).toBe(403);
    expect((await get(id)).json().status).toBe('suspended');
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '核查属实，终止' })).statusCode).toBe(200);
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel/countersign`, other)).statusCode).toBe(403);
    expect((await get(id)).json().cancelCountersignedAt).toBeNull();
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel/countersign`, cast.inspectorToken)).statusCode).toBe(200);
  });

  it('a draft cancelled before any inspector was named may be countersigned by any inspector', async () => {
    const other = await apiToken(t, await createStaff(t, 'inspector'));
    const id = await createDraft(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '不再需要' });
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel/countersign`, other)).statusCode).toBe(200);
  });

  it('a draft cannot be suspended, but can be cancelled without a public notice', async () => {
    const id = await createDraft(t, cast);
    expect((await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: 'x' })).json().code).toBe('INVALID_TRANSITION');
    expect((await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '不再需要' })).json()).toEqual({ status: 'cancelled' });
    expect((await get(id, cast.agentToken)).json().announcements).toEqual([]);
    // never published, so still not public
    expect((await get(id)).statusCode).toBe(404);
    expect((await api('GET', '/api/v1/recruitments?status=cancelled')).json().some((r: { id: string }) => r.id === id)).toBe(false);
  });

  it('a suspended recruitment can be cancelled', async () => {
    const id = await createPublished(t, cast);
    await api('POST', `/api/v1/recruitments/${id}/suspend`, cast.inspectorToken, { reason: '核查' });
    const response = await api('POST', `/api/v1/recruitments/${id}/cancel`, cast.agentToken, { reason: '核查属实，终止' });
    expect(response.json()).toEqual({ status: 'cancelled' });
    expect((await get(id)).json().suspendedFrom).toBeNull();
  });
});
