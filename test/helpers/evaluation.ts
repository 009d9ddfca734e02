import { randomBytes } from 'node:crypto';
import { apiToken, bearer, createStaff, type TestApp, type TestUser } from './app.ts';
import { ALL_DECLARED } from './multipart.ts';
import { createPublished, unlockBody, type Cast } from './recruitments.ts';
import { createBidder, submitBid } from './bidding.ts';

export interface Bidder {
  bidId: string;
  token: string;
  name: string;
  uscc: string;
  email: string;
  password: string;
  lot: string;
  ratio: number;
}

async function call(t: TestApp, method: 'GET' | 'POST', url: string, token: string, payload?: object) {
  const response = await t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response;
}

export type Organization = Awaited<ReturnType<typeof createBidder>>;

export interface BiddingOptions {
  /** the recruiting centre (draftInput's otherwise) */
  owner?: string;
  /** the organisations that bid, in the order of the shares given; new ones bid for the rest */
  organizations?: Organization[];
  /** the file of the nth bid, in the same order (one naming its organisation otherwise) */
  content?: (index: number) => Buffer | undefined;
}

/**
 * A published recruitment taken through bids to an opened opening that waits for the inspector's
 * sign-off: one organisation per share given, each bidding for its lot with one PDF, opened by the
 * agent and the inspector.
 */
export async function createOpened(t: TestApp, cast: Cast, bidsPerLot: Record<string, number[]>, options: BiddingOptions = {}) {
  t.clock.set(new Date());
  const id = await createPublished(t, cast, 30, options.owner ? { owner: options.owner } : {});
  const bidders: Bidder[] = [];
  for (const [lot, ratios] of Object.entries(bidsPerLot)) {
    for (const ratio of ratios) {
      const index = bidders.length;
      const organization = options.organizations?.[index] ?? (await createBidder(t));
      const content = options.content?.(index);
      const bidId = await submitBid(t, id, organization.token, lot, organization.name, { ratio, ...(content ? { content } : {}) });
      bidders.push({ bidId, lot, ratio, ...organization });
    }
  }
  const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
  t.clock.set(new Date(deadline + 1000));
  await call(t, 'POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
  await call(t, 'POST', `/api/v1/recruitments/${id}/opening/attend`, cast.inspectorToken);
  await call(t, 'POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id));
  await call(t, 'POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.inspectorToken, await unlockBody(t, id));
  return { id, bidders };
}

/** As createOpened, then signed off by the inspector: the recruitment is in `evaluation`. */
export async function createInEvaluation(t: TestApp, cast: Cast, bidsPerLot: Record<string, number[]>, options: BiddingOptions = {}) {
  const { id, bidders } = await createOpened(t, cast, bidsPerLot, options);
  const signed = await call(t, 'POST', `/api/v1/recruitments/${id}/opening/sign-off`, cast.inspectorToken, { comment: '开标程序合规' });
  if (signed.json().status !== 'evaluation') throw new Error(`not in evaluation: ${signed.body}`);
  return { id, bidders };
}

export interface Expert extends TestUser {
  token: string;
}

/** Experts sharing a specialty of their own, so a draw by that specialty picks among them only. */
export async function createExperts(t: TestApp, count: number, extra: { affiliationUscc?: string } = {}) {
  const specialty = `专业-${randomBytes(4).toString('hex')}`;
  const experts: Expert[] = [];
  for (let i = 0; i < count; i++) {
    const user = await createStaff(t, 'expert', { specialties: [specialty], ...extra });
    experts.push({ ...user, token: await apiToken(t, user) });
  }
  return { specialty, experts };
}

/** Every condition passed: the qualification body the chair sends for a good bid. */
export const ALL_PASS = { results: Object.fromEntries(Object.keys(JSON.parse(ALL_DECLARED) as object).map((key) => [key, 'pass'])), reason: '' };

/** How each expert of `evaluateRound` works, beyond the plan points. */
export interface Sheets {
  /** the comment expert e (its index in the panel) writes on bid i; none by default */
  comment?: (index: number, expert: number) => string;
  /** seconds the test clock moves on before each of expert e's sheets and its submission; none by default */
  secondsPerSheet?: (expert: number) => number;
  /** whether the inspector signs the evaluation off at the end (yes by default) */
  signOff?: boolean;
}

/**
 * One round of the evaluation by a panel that has declared: the chair qualifies every bid, each
 * expert e gives bid i the same scores but `plan(i, e)` points for the plan (so 50 + plan in
 * all), submits and confirms, and the inspector signs off (unless `signOff` is false).
 */
export async function evaluateRound(
  t: TestApp,
  cast: Cast,
  { id, bidders, panel }: { id: string; bidders: Bidder[]; panel: Expert[] },
  plan: (index: number, expert: number) => number,
  { comment = () => '', secondsPerSheet = () => 0, signOff = true }: Sheets = {},
) {
  const put = async (url: string, token: string, payload: object) => {
    const response = await t.app.inject({ method: 'PUT', url, headers: bearer(token), payload });
    if (response.statusCode !== 200) throw new Error(`PUT ${url}: ${response.statusCode} ${response.body}`);
  };
  for (const bidder of bidders) await put(`/api/v1/recruitments/${id}/qualification/${bidder.bidId}`, panel[0]!.token, ALL_PASS);
  for (const [e, expert] of panel.entries()) {
    for (const [index, bidder] of bidders.entries()) {
      t.clock.advance(secondsPerSheet(e) * 1000);
      const scores = { plan: plan(index, e), ability: 15, record: 15, share: 10, revenue: 10 };
      await put(`/api/v1/recruitments/${id}/scores/${bidder.bidId}`, expert.token, { scores, comment: comment(index, e) });
    }
    t.clock.advance(secondsPerSheet(e) * 1000);
    await call(t, 'POST', `/api/v1/recruitments/${id}/scores/submit`, expert.token);
  }
  for (const expert of panel) await call(t, 'POST', `/api/v1/recruitments/${id}/evaluation/confirm`, expert.token);
  if (signOff) await call(t, 'POST', `/api/v1/recruitments/${id}/evaluation/sign-off`, cast.inspectorToken, { comment: '评审过程规范' });
}

/**
 * A recruitment taken through the whole evaluation: a panel of five drawn, no conflicts, every
 * bid qualified, scored (the later a bid in `bidsPerLot`, the higher its score, the same from
 * every expert), submitted, confirmed, and signed off by the inspector (unless `signOff` is
 * false). Still in `evaluation`.
 */
export async function createSignedOffEvaluation(
  t: TestApp,
  cast: Cast,
  bidsPerLot: Record<string, number[]>,
  { signOff = true, ...options }: BiddingOptions & { signOff?: boolean } = {},
) {
  const { id, bidders } = await createInEvaluation(t, cast, bidsPerLot, options);
  const { specialty, experts } = await createExperts(t, 5);
  const drawn = await call(t, 'POST', `/api/v1/recruitments/${id}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
  const panel = drawn.json<{ members: { userId: string; order: number }[] }>().members.map(
    (m) => experts.find((e) => e.id === m.userId)!,
  );
  for (const expert of panel) {
    await call(t, 'POST', `/api/v1/recruitments/${id}/panel/declaration`, expert.token, { conflict: false, note: '' });
  }
  await evaluateRound(t, cast, { id, bidders, panel }, (index) => 10 + index, { signOff });
  return { id, bidders, panel };
}
