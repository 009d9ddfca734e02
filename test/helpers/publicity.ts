import { bearer, type TestApp } from './app.ts';
import { createSignedOffEvaluation, type BiddingOptions } from './evaluation.ts';
import type { Cast } from './recruitments.ts';

async function call(t: TestApp, url: string, token: string, payload?: object) {
  const response = await t.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
  if (response.statusCode >= 300) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
  return response;
}

/** A recruitment whose candidates the agent has just announced: publicity runs from the test clock's now. */
export async function createInPublicity(t: TestApp, cast: Cast, bidsPerLot: Record<string, number[]>, options: BiddingOptions = {}) {
  const evaluated = await createSignedOffEvaluation(t, cast, bidsPerLot, options);
  const announced = await call(t, `/api/v1/recruitments/${evaluated.id}/publicity`, cast.agentToken);
  const { publicityEndsAt } = announced.json<{ publicityEndsAt: string }>();
  return { ...evaluated, publicityEndsAt: new Date(publicityEndsAt) };
}

/** A recruitment awarded after a publicity without challenges; the test clock ends just past publicity. */
export async function createAwarded(t: TestApp, cast: Cast, bidsPerLot: Record<string, number[]>, options: BiddingOptions = {}) {
  const inPublicity = await createInPublicity(t, cast, bidsPerLot, options);
  t.clock.set(new Date(inPublicity.publicityEndsAt.getTime() + 1000));
  await call(t, `/api/v1/recruitments/${inPublicity.id}/award/sign-off`, cast.inspectorToken, { comment: '公示期满，无质疑' });
  await call(t, `/api/v1/recruitments/${inPublicity.id}/award`, cast.agentToken);
  return inPublicity;
}
