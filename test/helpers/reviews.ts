import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { organizations, partnerOffers, satisfactionRatings, serviceUses, users } from '../../server/db/schema.ts';
import { bearer, type TestApp } from './app.ts';
import type { Bidder } from './evaluation.ts';
import { organisationP12, signAgreement } from './partnerships.ts';

// For the tests of reviews and what follows them (termination, the inspector's console, OCDS): an
// active partnership with a published service, the ratings its workers give (recorded as the
// satisfaction intake records them), and reviews scheduled and completed through the API by the
// recruitment's agent, the test clock moved past each review's period as the days would pass.

async function call<T = unknown>(t: TestApp, url: string, token: string, payload?: object, method: 'GET' | 'POST' = 'POST'): Promise<T> {
  const response = await t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return (response.body ? response.json<T>() : undefined) as T;
}

/** A service of 100 places a month, 30 free and 20 discounted. */
export const SAMPLE_OFFER = {
  service: '职工书法培训',
  openingHours: '周二至周日 9:00–17:00',
  procedure: '凭工会会员证到前台登记。',
  listPrice: 200,
  prices: { modelWorker: 0, hardship: 0, unionMember: 100, allWorkers: 160 },
  placesPerMonth: 100,
  freePlaces: 30,
  discountedPlaces: 20,
};

/** The organisation accepts version 1 of its agreement and signs it; the agent records the start of operation. */
export async function signAndActivate(t: TestApp, partnershipId: string, own: { token: string; name: string }, agentToken: string) {
  await t.app.services.documents.idle();
  await call(t, `/partnerships/${partnershipId}/accept`, own.token, { version: 1 });
  const signed = await signAgreement(t, partnershipId, own.token, organisationP12(own.name));
  if (signed.statusCode !== 200) throw new Error(`sign: ${signed.body}`);
  await call(t, `/partnerships/${partnershipId}/activate`, agentToken);
}

/** signAndActivate, then the partner publishes SAMPLE_OFFER. */
export async function activatePartnership(t: TestApp, partnershipId: string, own: Bidder, agentToken: string) {
  await signAndActivate(t, partnershipId, own, agentToken);
  await call(t, `/partnerships/${partnershipId}/offers`, own.token, SAMPLE_OFFER);
}

/** One proof-of-use code (a place delivered) and its rating per score, at `at`, for the partnership's first service. */
export async function rate(t: TestApp, partnershipId: string, own: Bidder, scores: number[], at: Date, place: 'free' | 'discounted' = 'free') {
  const db = t.database.db;
  const [offer] = await db.select({ id: partnerOffers.id }).from(partnerOffers).where(eq(partnerOffers.partnershipId, partnershipId));
  const [issuer] = await db.select({ id: users.id }).from(users).innerJoin(organizations, eq(organizations.userId, users.id)).where(eq(organizations.name, own.name));
  if (!offer || !issuer) throw new Error(`partnership ${partnershipId} has no service or no partner account`);
  for (const score of scores) {
    const [use] = await db
      .insert(serviceUses)
      .values({ partnershipId, offerId: offer.id, group: 'unionMember', place, codeHash: randomBytes(16).toString('hex'), usedAt: at, issuedBy: issuer.id })
      .returning();
    await db.insert(satisfactionRatings).values({ serviceUseId: use!.id, partnershipId, score, group: 'unionMember', ratedAt: at, addressKey: 'test-address', deviceKey: 'test-device' });
  }
}

const DAY = 24 * 60 * 60 * 1000;
const FULL_POINTS = { delivery: 20, places: 15, safety: 10, compliance: 15 };
const CLEAN = { sublet: false, subcontract: false, documents: false, profit: false, overcharge: false };
/** a negative-list item breached: never a pass, whatever the points */
const BREACHED = { ...CLEAN, subcontract: true };

export interface ListedReview {
  id: string;
  kind: 'stage' | 'rectification' | 'final';
  result: string | null;
  followsReviewId: string | null;
  periodTo: string;
}

export const reviewsOf = async (t: TestApp, partnershipId: string, token: string) =>
  (await call<{ status: string; reviews: ListedReview[] }>(t, `/partnerships/${partnershipId}/reviews`, token, undefined, 'GET')).reviews;

/** Moves the test clock to a minute past `at` unless it is there already: a review is completed once its period is over. */
function passTime(t: TestApp, at: Date) {
  if (t.clock.now() <= at) t.clock.set(new Date(at.getTime() + 60_000));
}

/** The agent schedules a review of the partnership (the final one's period ending with the term when `periodTo` is absent), due 30 days after its period; answers it. */
export async function scheduleReview(t: TestApp, partnershipId: string, agentToken: string, review: { kind: 'stage' | 'final'; periodFrom: Date; periodTo?: Date }) {
  const periodEnd = review.periodTo ?? new Date((await call<{ endsAt: string }>(t, `/partnerships/${partnershipId}`, agentToken, undefined, 'GET')).endsAt);
  const dueAt = new Date(Math.max(periodEnd.getTime(), t.clock.now().getTime()) + 30 * DAY);
  return call<ListedReview>(t, `/partnerships/${partnershipId}/reviews`, agentToken, {
    kind: review.kind,
    periodFrom: review.periodFrom.toISOString(),
    ...(review.periodTo ? { periodTo: review.periodTo.toISOString() } : {}),
    dueAt: dueAt.toISOString(),
  });
}

/**
 * The agent schedules a stage review of the partnership's first year from its signing, the clock
 * passes its end, and the agent completes it: `pass` with full points (the period's ratings must
 * bring satisfaction's 40 to 20 at least), `rectify` for a breached negative-list item, with 60
 * days to rectify — the partnership rectifying, its re-review scheduled. Answers the reviews' ids.
 */
export async function completeStageReview(t: TestApp, partnershipId: string, agentToken: string, result: 'pass' | 'rectify') {
  const { signedAt } = await call<{ signedAt: string }>(t, `/partnerships/${partnershipId}`, agentToken, undefined, 'GET');
  const periodFrom = new Date(signedAt);
  const periodTo = new Date(periodFrom.getTime() + 365 * DAY);
  const stage = await scheduleReview(t, partnershipId, agentToken, { kind: 'stage', periodFrom, periodTo });
  passTime(t, periodTo);
  const form = result === 'pass' ? { points: FULL_POINTS, negativeList: CLEAN } : { points: FULL_POINTS, negativeList: BREACHED, rectifyBy: new Date(t.clock.now().getTime() + 60 * DAY).toISOString() };
  const completed = await call<{ result: string }>(t, `/reviews/${stage.id}/complete`, agentToken, form);
  if (completed.result !== result) throw new Error(`stage review of ${partnershipId}: ${completed.result}, not ${result}`);
  const rectification = (await reviewsOf(t, partnershipId, agentToken)).find((review) => review.followsReviewId === stage.id);
  return { stage: stage.id, rectification: rectification?.id ?? null };
}

/**
 * The clock passes the rectification's deadline and the agent completes the partnership's open
 * re-review: `pass` with full points and a clean negative list (the rectification period's ratings
 * must bring satisfaction's 40 to 20 at least) sets it active again; `fail`, the breach still
 * there, leaves it rectifying. Answers the re-review's id.
 */
export async function completeRectification(t: TestApp, partnershipId: string, agentToken: string, result: 'pass' | 'fail') {
  const open = (await reviewsOf(t, partnershipId, agentToken)).find((review) => review.kind === 'rectification' && review.result === null);
  if (!open) throw new Error(`partnership ${partnershipId} has no open re-review`);
  passTime(t, new Date(open.periodTo));
  const completed = await call<{ result: string }>(t, `/reviews/${open.id}/complete`, agentToken, { points: FULL_POINTS, negativeList: result === 'pass' ? CLEAN : BREACHED });
  if (completed.result !== result) throw new Error(`re-review of ${partnershipId}: ${completed.result}, not ${result}`);
  return open.id;
}

/** A stage review asking for rectification, then its re-review failed: the partnership left rectifying, open to termination. */
export async function failRectification(t: TestApp, partnershipId: string, agentToken: string) {
  const { stage } = await completeStageReview(t, partnershipId, agentToken, 'rectify');
  return { stage, rectification: await completeRectification(t, partnershipId, agentToken, 'fail') };
}
