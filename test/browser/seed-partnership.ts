import { setTimeout as sleep } from 'node:timers/promises';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { organisationP12, signUpload } from '../helpers/partnerships.ts';
import { SAMPLE_OFFER } from '../helpers/reviews.ts';
import { api } from '../helpers/server-process.ts';

// The partnership's year for the browser tests, over the real server's HTTP API: the organisation
// accepts and signs its agreement, the agent records the start of operation, the partner publishes
// a service and hands out proof-of-use codes with which workers rate it, and the agent schedules
// two stage reviews, of which it completes the first once the clock passed its period.

export interface SeededPartnership {
  organizationId: string;
  completedReviewId: string;
  openReviewId: string;
}

interface Partnership {
  organization: { id: string; name: string };
  signedAt: string | null;
}

/** Waits (up to 30 s) until the partnership's final agreement is issued, which signing needs. */
async function agreementIssued(url: string, id: string, token: string) {
  for (let tries = 0; tries < 120; tries++) {
    const { agreement } = await api<{ agreement: unknown }>(url, `/api/v1/partnerships/${id}`, { token });
    if (agreement) return;
    await sleep(250);
  }
  throw new Error('no final agreement issued');
}

/** Signs and starts the partnership, publishes a service and has three workers rate it. */
export async function signAndRate(url: string, id: string, tokens: { bidder: string; agent: string }) {
  await api(url, `/api/v1/partnerships/${id}/accept`, { token: tokens.bidder, body: { version: 1 } });
  await agreementIssued(url, id, tokens.bidder);
  const { organization } = await api<Partnership>(url, `/api/v1/partnerships/${id}`, { token: tokens.bidder });
  const { payload, headers } = signUpload(organisationP12(organization.name));
  const signed = await fetch(`${url}/api/v1/partnerships/${id}/sign`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${tokens.bidder}` },
    body: new Uint8Array(payload),
  });
  if (signed.status !== 200) throw new Error(`sign answered ${signed.status}: ${await signed.text()}`);
  await api(url, `/api/v1/partnerships/${id}/activate`, { token: tokens.agent, body: {} });
  const { offerId } = await api<{ offerId: string }>(url, `/api/v1/partnerships/${id}/offers`, { token: tokens.bidder, body: SAMPLE_OFFER });
  for (const [score, comment] of [[5, '老师很耐心。'], [4, ''], [3, '希望增加周末班。']] as const) {
    const { code } = await api<{ code: string }>(url, `/api/v1/partnerships/${id}/service-uses`, {
      token: tokens.bidder,
      body: { offerId, group: 'unionMember', place: 'free' },
    });
    await api(url, '/api/v1/ratings', { body: { partnershipId: id, code, score, group: 'unionMember', ...(comment ? { comment } : {}) } });
  }
}

/** Two stage reviews of five days each from signing; the first completed, the second left open. Run once the clock passed them. */
export async function seedReviews(url: string, id: string, agentToken: string, now: Date): Promise<SeededPartnership> {
  const { organization, signedAt } = await api<Partnership>(url, `/api/v1/partnerships/${id}`, { token: agentToken });
  const from = Date.parse(signedAt!);
  const schedule = (offsetDays: number) =>
    api<{ id: string }>(url, `/api/v1/partnerships/${id}/reviews`, {
      token: agentToken,
      body: {
        kind: 'stage',
        periodFrom: new Date(from + offsetDays * DAY_MS).toISOString(),
        periodTo: new Date(from + (offsetDays + 5) * DAY_MS).toISOString(),
        dueAt: new Date(now.getTime() + 30 * DAY_MS).toISOString(),
      },
    });
  const completed = await schedule(0);
  await api(url, `/api/v1/reviews/${completed.id}/complete`, {
    token: agentToken,
    body: {
      points: { delivery: 18, places: 14, safety: 10, compliance: 15 },
      negativeList: { sublet: false, subcontract: false, documents: false, profit: false, overcharge: false },
      remarks: '服务规范，职工反映良好。',
    },
  });
  const open = await schedule(6);
  return { organizationId: organization.id, completedReviewId: completed.id, openReviewId: open.id };
}
