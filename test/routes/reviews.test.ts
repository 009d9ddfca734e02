import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../server/db/schema.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import type { Bidder } from '../helpers/evaluation.ts';
import { run, writePdf } from '../helpers/pdf-tools.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, outbox, type Cast } from '../helpers/recruitments.ts';
import { activatePartnership, rate as ratePartnership } from '../helpers/reviews.ts';

// Stage and final reviews (issue 17): scheduling by the recruitment's agent and its refusals, the
// form (weights summing to 100, satisfaction the largest, scores within weights, every negative-
// list item answered), satisfaction computed from the period's ratings, the result moving the
// partnership (stage → rectify → re-review pass → active; re-review fail stays rectifying; final
// → ended), the signed 考核结果通知书 checked as an outside party would, and the outstanding final
// review recorded for the inspector.

interface Partnership {
  id: string;
  bidId: string;
  status: string;
  signedAt: string | null;
  endsAt: string | null;
}
interface Review {
  id: string;
  places: { delivered: { free: number; discounted: number }; promised: { free: number; discounted: number } } | null;
  kind: string;
  result: string | null;
  totalScore: number | null;
  followsReviewId: string | null;
  periodFrom: string;
  periodTo: string;
  dueAt: string;
  rectifyBy: string | null;
  satisfaction: { ratings: number; satisfiedShare: number | null } | null;
  document: { id: string } | null;
}
interface ReviewList {
  status: string;
  finalOutstanding: boolean;
  reviews: Review[];
}

const DAY = 24 * 60 * 60 * 1000;
const CHECK_SCRIPT = path.resolve(import.meta.dirname, '../tools/check-signed-pdf.sh');
const dir = mkdtempSync(path.join(tmpdir(), 'reviews-'));

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let otherAgentUser: TestUser;
const tokens = { agent: '', inspector: '', otherAgent: '' } as Record<string, string>;
/** A: breaches, rectifies, passes, then its final review; B: fails its re-review; C: its term ends unreviewed; D: never signed */
let [A, B, C, D] = [] as unknown as [Partnership, Partnership, Partnership, Partnership];
const stageReviews: Record<string, Review> = {};

type Method = 'GET' | 'POST';
const api = (method: Method, url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const bidderOf = (partnership: Partnership) => bidders.find((b) => b.bidId === partnership.bidId)!;
const tokenOf = (partnership: Partnership) => tokens[partnership.bidId]!;
const reviewsOf = async (partnership: Partnership, token = tokens.inspector!) => (await api('GET', `/partnerships/${partnership.id}/reviews`, token)).json<ReviewList>();
const load = async (partnership: Partnership) => (await api('GET', `/partnerships/${partnership.id}`, tokens.inspector!)).json<Partnership>();

/** Moves the clock; API tokens last a day, so everyone signs in again. */
async function travel(to: Date) {
  t.clock.set(to);
  tokens.agent = await apiToken(t, cast.agent);
  tokens.inspector = await apiToken(t, cast.inspector);
  tokens.otherAgent = await apiToken(t, otherAgentUser);
  for (const partnership of [A, B, C]) tokens[partnership.bidId] = await apiToken(t, bidderOf(partnership));
}

const rate = (partnership: Partnership, scores: number[], at: Date, place: 'free' | 'discounted' = 'free') => ratePartnership(t, partnership.id, bidderOf(partnership), scores, at, place);

const clean = { sublet: false, subcontract: false, documents: false, profit: false, overcharge: false };
const form = (overrides: object = {}) => ({ points: { delivery: 20, places: 15, safety: 10, compliance: 15 }, negativeList: clean, ...overrides });
const complete = (review: Review | string, token: string, body: object) => api('POST', `/reviews/${typeof review === 'string' ? review : review.id}/complete`, token, body);

async function auditEntries() {
  return (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, tokens.inspector!)).json<{ action: string; target: string; details: Record<string, unknown> }[]>();
}

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
  tokens.agent = cast.agentToken;
  tokens.inspector = cast.inspectorToken;
  otherAgentUser = await createStaff(t, 'agent');
  tokens.otherAgent = await apiToken(t, otherAgentUser);
  const all = (await api('GET', `/recruitments/${id}/partnerships`, cast.agentToken)).json<Partnership[]>();
  expect(all.length).toBeGreaterThanOrEqual(4);
  [A, B, C, D] = all as [Partnership, Partnership, Partnership, Partnership];
  for (const partnership of [A, B, C]) {
    tokens[partnership.bidId] = bidderOf(partnership).token;
    await activatePartnership(t, partnership.id, bidderOf(partnership), cast.agentToken);
  }
  [A, B, C] = await Promise.all([load(A), load(B), load(C)]);
}, 240_000);
afterAll(() => t.close());

const stageOf = (partnership: Partnership) => {
  const from = new Date(partnership.signedAt!);
  const to = new Date(from.getTime() + 365 * DAY);
  return { kind: 'stage', periodFrom: from.toISOString(), periodTo: to.toISOString(), dueAt: new Date(to.getTime() + 30 * DAY).toISOString() };
};

describe('scheduling', () => {
  it('is refused to the partner, the inspector and another recruitment’s agent (403), and before the partnership is active (409)', async () => {
    expect((await api('POST', `/partnerships/${A.id}/reviews`, tokenOf(A), stageOf(A))).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${A.id}/reviews`, tokens.inspector!, stageOf(A))).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${A.id}/reviews`, tokens.otherAgent!, stageOf(A))).statusCode).toBe(403);
    const unsigned = await api('POST', `/partnerships/${D.id}/reviews`, tokens.agent!, stageOf(A));
    expect(unsigned.json()).toMatchObject({ statusCode: 409, code: 'REVIEWS_NOT_OPEN' });
  });

  it('refuses a period outside the term and a final review not ending with it (400)', async () => {
    const early = { ...stageOf(A), periodFrom: new Date(Date.parse(A.signedAt!) - DAY).toISOString() };
    expect((await api('POST', `/partnerships/${A.id}/reviews`, tokens.agent!, early)).json()).toMatchObject({ statusCode: 400, code: 'REVIEW_PERIOD_OUTSIDE_TERM' });
    const final = { kind: 'final', periodFrom: A.signedAt, periodTo: new Date(Date.parse(A.endsAt!) - DAY).toISOString(), dueAt: new Date(Date.parse(A.endsAt!) + DAY).toISOString() };
    expect((await api('POST', `/partnerships/${A.id}/reviews`, tokens.agent!, final)).json()).toMatchObject({ statusCode: 400, code: 'FINAL_REVIEW_PERIOD' });
  });

  it('the agent schedules a stage review of each, audited; a second open one is refused (409)', async () => {
    for (const partnership of [A, B]) {
      const response = await api('POST', `/partnerships/${partnership.id}/reviews`, tokens.agent!, stageOf(partnership));
      expect(response.statusCode).toBe(201);
      stageReviews[partnership.id] = response.json<Review>();
    }
    const again = await api('POST', `/partnerships/${A.id}/reviews`, tokens.agent!, stageOf(A));
    expect(again.json()).toMatchObject({ statusCode: 409, code: 'REVIEW_OPEN' });
    const entry = (await auditEntries()).find((e) => e.action === 'review.schedule' && e.target === `partnership:${A.id}`);
    expect(entry?.details).toMatchObject({ reviewId: stageReviews[A.id]!.id, kind: 'stage' });
  });

  it('the partner sees its own reviews; another organisation does not (404)', async () => {
    expect((await reviewsOf(A, tokenOf(A))).reviews.map((r) => r.id)).toEqual([stageReviews[A.id]!.id]);
    expect((await api('GET', `/partnerships/${A.id}/reviews`, tokenOf(B))).statusCode).toBe(404);
    expect((await api('GET', `/partnerships/${A.id}/reviews`, tokens.otherAgent!)).statusCode).toBe(404);
    expect((await api('GET', `/reviews/${stageReviews[A.id]!.id}`, tokenOf(A))).json()).toMatchObject({ kind: 'stage', periodOver: false, figures: { satisfaction: { ratings: 0 } } });
    expect((await api('GET', `/reviews/${stageReviews[A.id]!.id}`, tokenOf(B))).statusCode).toBe(404);
  });
});

describe('the stage review', () => {
  beforeAll(async () => {
    const inPeriod = new Date(Date.parse(A.signedAt!) + 100 * DAY);
    await rate(A, [5, 5, 5, 5, 5, 5, 5, 5, 5, 3], inPeriod);
    await rate(B, [5, 4, 3, 2, 1, 4, 2, 2, 5, 1], new Date(Date.parse(B.signedAt!) + 100 * DAY), 'discounted');
  });

  it('cannot be completed before its period is over (409)', async () => {
    expect((await complete(stageReviews[A.id]!, tokens.agent!, form())).json()).toMatchObject({ statusCode: 409, code: 'REVIEW_PERIOD_NOT_OVER' });
  });

  it.each([
    ['weights not summing to 100', { weights: { satisfaction: 40, delivery: 20, places: 15, safety: 10, compliance: 20 } }, 'REVIEW_WEIGHTS_NOT_100'],
    ['satisfaction not the largest weight', { weights: { satisfaction: 30, delivery: 30, places: 15, safety: 10, compliance: 15 } }, 'SATISFACTION_NOT_LARGEST'],
    ['a score above its weight', { points: { delivery: 25, places: 15, safety: 10, compliance: 15 } }, 'REVIEW_POINTS_ABOVE_WEIGHT'],
    ['a negative-list item unanswered', { negativeList: { sublet: false, subcontract: false, documents: false, profit: false } }, 'NEGATIVE_LIST_INCOMPLETE'],
    ['a rectification without its deadline', { negativeList: { ...clean, subcontract: true } }, 'RECTIFY_BY_REQUIRED'],
  ])('refuses %s (400, zh-CN)', async (_name, overrides, code) => {
    t.clock.set(new Date(Date.parse(A.signedAt!) + 366 * DAY));
    await travel(t.clock.now());
    const response = await complete(stageReviews[A.id]!, tokens.agent!, form(overrides));
    expect(response.json()).toMatchObject({ statusCode: 400, code });
    expect(response.json().message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('is refused to the partner, the inspector and another recruitment’s agent (403)', async () => {
    for (const token of [tokenOf(A), tokens.inspector!, tokens.otherAgent!]) expect((await complete(stageReviews[A.id]!, token, form())).statusCode).toBe(403);
  });

  it('full points with a breached negative-list item do not pass: rectify, the partnership rectifying with its re-review scheduled', async () => {
    const rectifyBy = new Date(t.clock.now().getTime() + 60 * DAY);
    const tooLate = await complete(stageReviews[A.id]!, tokens.agent!, form({ negativeList: { ...clean, subcontract: true }, rectifyBy: new Date(t.clock.now().getTime() + 91 * DAY).toISOString() }));
    expect(tooLate.json()).toMatchObject({ statusCode: 400, code: 'RECTIFY_BY_INVALID' });
    const response = await complete(stageReviews[A.id]!, tokens.agent!, form({ negativeList: { ...clean, subcontract: true }, rectifyBy: rectifyBy.toISOString() }));
    expect(response.statusCode).toBe(200);
    // satisfaction 40 × 0.9 = 36, the rest at full marks
    expect(response.json()).toMatchObject({ result: 'rectify', total: 96, status: 'rectifying' });
    const list = await reviewsOf(A, tokenOf(A));
    expect(list.status).toBe('rectifying');
    const [stage, reReview] = list.reviews;
    expect(stage).toMatchObject({ result: 'rectify', satisfaction: { ratings: 10, satisfiedShare: 0.9 }, rectifyBy: rectifyBy.toISOString() });
    // 30 free and 20 discounted places a month promised over the year; 10 free ones delivered
    expect(stage!.places).toMatchObject({ delivered: { free: 10, discounted: 0 }, promised: { free: 360, discounted: 240 } });
    expect(reReview).toMatchObject({ kind: 'rectification', followsReviewId: stage!.id, result: null, periodTo: rectifyBy.toISOString() });
    const actions = (await auditEntries()).filter((e) => e.target === `partnership:${A.id}`).map((e) => e.action);
    expect(actions.slice(-3)).toEqual(['review.complete', 'partnership.requireRectification', 'review.schedule']);
  });

  it('is completed once: a second completion is refused (409)', async () => {
    expect((await complete(stageReviews[A.id]!, tokens.agent!, form())).json()).toMatchObject({ statusCode: 409, code: 'REVIEW_ALREADY_COMPLETED' });
  });

  it('its 考核结果通知书 passes the signed-PDF check, reaches the partner by mail and on its page, and is readable by the inspector', async () => {
    const list = await reviewsOf(A, tokenOf(A));
    const documentId = list.reviews[0]!.document!.id;
    const pdf = await api('GET', `/documents/${documentId}`, tokenOf(A));
    expect(pdf.statusCode).toBe(200);
    expect((await api('GET', `/documents/${documentId}`, tokens.inspector!)).statusCode).toBe(200);
    expect((await api('GET', `/documents/${documentId}`, tokenOf(B))).statusCode).toBe(404);
    const file = writePdf(dir, 'review-result.pdf', pdf.rawPayload);
    const { status, output } = run('bash', [CHECK_SCRIPT, file, bidderOf(A).name, '考核结果通知书', '限期整改', '职工评价数', '转包或分包服务阵地的运营', '整改期限']);
    expect(output).not.toContain('FAIL');
    expect(status).toBe(0);
    const mail = (await outbox(t)).find((m) => m.to === bidderOf(A).email && m.subject.startsWith('【考核结果通知】'));
    expect(mail?.text).toContain('限期整改');
    const page = new Browser(t.app);
    await page.signIn(bidderOf(A));
    const html = (await page.get(`/partnerships/${A.id}/reviews`)).body;
    expect(html).toContain('限期整改');
    expect(html).toContain(`/documents/${documentId}`);
    expect(html).not.toContain('安排考核</button>');
  });

  it('a low 满意率 asks for rectification too; scheduling is closed while rectifying (409)', async () => {
    const response = await complete(stageReviews[B.id]!, tokens.agent!, form({ points: { delivery: 15, places: 10, safety: 10, compliance: 15 }, rectifyBy: new Date(t.clock.now().getTime() + 60 * DAY).toISOString() }));
    // 4 of 10 ratings satisfied: 40 × 0.4 = 16, plus 50
    expect(response.json()).toMatchObject({ result: 'rectify', total: 66, status: 'rectifying' });
    const stage = { ...stageOf(B), periodFrom: new Date(Date.parse(B.signedAt!) + 400 * DAY).toISOString(), periodTo: new Date(Date.parse(B.signedAt!) + 700 * DAY).toISOString(), dueAt: new Date(Date.parse(B.signedAt!) + 730 * DAY).toISOString() };
    expect((await api('POST', `/partnerships/${B.id}/reviews`, tokens.agent!, stage)).json()).toMatchObject({ statusCode: 409, code: 'REVIEWS_NOT_OPEN' });
  });
});

describe('the re-review', () => {
  const reReviewOf = async (partnership: Partnership) => (await reviewsOf(partnership)).reviews.find((r) => r.kind === 'rectification')!;

  beforeAll(async () => {
    const now = t.clock.now();
    await rate(A, [5, 5, 4, 5, 4], new Date(now.getTime() + 10 * DAY));
    await rate(B, [2, 1, 3], new Date(now.getTime() + 10 * DAY));
    await travel(new Date(now.getTime() + 61 * DAY));
  });

  it('passed sets the partnership active again', async () => {
    const response = await complete(await reReviewOf(A), tokens.agent!, form());
    expect(response.json()).toMatchObject({ result: 'pass', total: 100, status: 'active' });
    expect((await load(A)).status).toBe('active');
  });

  it('failed leaves it rectifying, recorded as a failed rectification review', async () => {
    const review = await reReviewOf(B);
    const response = await complete(review, tokens.agent!, form());
    expect(response.json()).toMatchObject({ result: 'fail', total: 60, status: 'rectifying' });
    expect((await load(B)).status).toBe('rectifying');
    const entry = (await auditEntries()).filter((e) => e.target === `partnership:${B.id}`).at(-1);
    expect(entry).toMatchObject({ action: 'review.complete', details: { reviewId: review.id, kind: 'rectification', result: 'fail' } });
  });
});

describe('the term’s end', () => {
  let final: Review;

  it('the agent schedules the final review up to the term’s end', async () => {
    const body = { kind: 'final', periodFrom: new Date(Date.parse(A.signedAt!) + 365 * DAY).toISOString(), dueAt: new Date(Date.parse(A.endsAt!) + 30 * DAY).toISOString() };
    const response = await api('POST', `/partnerships/${A.id}/reviews`, tokens.agent!, body);
    expect(response.statusCode).toBe(201);
    final = response.json<Review>();
    expect(final.periodTo).toBe(A.endsAt);
  });

  it('a term ended without its final review is recorded once: audit entry and the inspector’s alert', async () => {
    await travel(new Date(Date.parse(C.endsAt!) + DAY));
    // read by the agent: recorded on the read, as the sweep would
    expect((await reviewsOf(C, tokens.agent!)).finalOutstanding).toBe(true);
    expect((await reviewsOf(C, tokens.agent!)).finalOutstanding).toBe(true);
    const raised = await t.database.db.select().from(alerts).where(and(eq(alerts.recruitmentId, id), eq(alerts.indicator, 'final_review_outstanding')));
    expect(raised.filter((alert) => alert.findingKey === C.id)).toHaveLength(1);
    const entries = (await auditEntries()).filter((e) => e.action === 'review.final_outstanding' && e.target === `partnership:${C.id}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).toMatchObject({ scheduled: false });
  });

  it('completing the final review ends the partnership, and it is no longer outstanding', async () => {
    await rate(A, [5, 4, 4, 5], new Date(Date.parse(A.endsAt!) - 30 * DAY));
    const response = await complete(final, tokens.agent!, form({ assessor: { name: '浙江求是社会组织评估中心', points: { delivery: 16, places: 15, safety: 10, compliance: 15 } } }));
    // 40 + (20 + 16) / 2 + 15 + 10 + 15
    expect(response.json()).toMatchObject({ result: 'pass', total: 98, status: 'ended' });
    expect((await load(A)).status).toBe('ended');
    // the sweep: B, rectifying past its term, is outstanding; A, ended, is not; C was recorded before
    expect(await t.app.services.reviews.recordOutstandingFinals()).toBe(1);
    const raised = await t.database.db.select().from(alerts).where(and(eq(alerts.recruitmentId, id), eq(alerts.indicator, 'final_review_outstanding')));
    expect(raised.map((alert) => alert.findingKey).sort()).toEqual([B.id, C.id].sort());
    const chain = (await api('GET', '/audit/verify', tokens.inspector!)).json();
    expect(chain.ok).toBe(true);
  });
});

describe('the pages', () => {
  it('the agent’s partnership page links to its reviews; the review page shows the result with who scored', async () => {
    const page = new Browser(t.app);
    await page.signIn(cast.agent);
    expect((await page.get(`/partnerships/${A.id}`)).body).toContain(`/partnerships/${A.id}/reviews`);
    const list = (await page.get(`/partnerships/${A.id}/reviews`)).body;
    expect(list).toContain('终期考核');
    const final = (await reviewsOf(A)).reviews.find((r) => r.kind === 'final')!;
    const html = (await page.get(`/reviews/${final.id}`)).body;
    expect(html).toContain('经办人与第三方评估机构评分的平均');
    expect(html).toContain('浙江求是社会组织评估中心');
  });

  it('the agent schedules and sees the form of an open review with the period’s figures; a bad form shows each message beside its field', async () => {
    const page = new Browser(t.app);
    await page.signIn(cast.agent);
    const list = (await page.get(`/partnerships/${C.id}/reviews`)).body;
    expect(list).toContain('安排考核');
    const local = (instant: number) => new Date(instant + 8 * 3600 * 1000).toISOString().slice(0, 16);
    const scheduled = await page.post(`/partnerships/${C.id}/reviews`, { kind: 'final', periodFrom: local(Date.parse(C.signedAt!) + 60_000), periodTo: '', dueAt: local(t.clock.now().getTime() + 30 * DAY) });
    expect(scheduled.statusCode).toBe(303);
    const review = (await reviewsOf(C)).reviews.at(-1)!;
    const formPage = (await page.get(`/reviews/${review.id}`)).body;
    expect(formPage).toContain('考核表');
    expect(formPage).toContain('职工评价');
    const refused = await page.post(`/reviews/${review.id}/complete`, {
      'weights.satisfaction': '20',
      'weights.delivery': '30',
      'weights.places': '20',
      'weights.safety': '15',
      'weights.compliance': '15',
      'points.delivery': '10',
      'points.places': '10',
      'points.safety': '10',
      'points.compliance': '10',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('职工满意度是核心指标');
  });
});
