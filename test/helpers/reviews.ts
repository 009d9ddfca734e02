import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { organizations, partnerOffers, satisfactionRatings, serviceUses, users } from '../../server/db/schema.ts';
import { bearer, type TestApp } from './app.ts';
import type { Bidder } from './evaluation.ts';
import { organisationP12, signAgreement } from './partnerships.ts';

// For the reviews' tests: an active partnership with a published service, and the ratings its
// workers give, recorded as the satisfaction intake records them.

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

/** The organisation accepts and signs its agreement, the agent records the start of operation, the partner publishes SAMPLE_OFFER. */
export async function activatePartnership(t: TestApp, partnershipId: string, own: Bidder, agentToken: string) {
  const call = async (url: string, token: string, payload?: object) => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  };
  await call(`/partnerships/${partnershipId}/accept`, own.token, { version: 1 });
  const signed = await signAgreement(t, partnershipId, own.token, organisationP12(own.name));
  if (signed.statusCode !== 200) throw new Error(`sign: ${signed.body}`);
  await call(`/partnerships/${partnershipId}/activate`, agentToken);
  await call(`/partnerships/${partnershipId}/offers`, own.token, SAMPLE_OFFER);
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
