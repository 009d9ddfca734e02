import { eq } from 'drizzle-orm';
import { partnershipReviews, partnerships } from '../../server/db/schema.ts';
import { applyPartnershipTransition } from '../../server/domain/partnerships/transition.ts';
import type { ReviewKind, ReviewResult } from '../../server/domain/partnerships/types.ts';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { bearer, type TestApp, type TestUser } from './app.ts';
import { organisationP12, signAgreement } from './partnerships.ts';

// Performance reviews for the termination, inspector and OCDS tests, written straight into
// partnership_reviews through the test app's database: the reviews service (scheduling and
// completing them) lives on another branch. A completed review's result is given here as the
// reviews service would record it.

export interface ReviewForTest {
  kind: ReviewKind;
  /** null: scheduled, not completed yet */
  result: ReviewResult | null;
  dueAt: Date;
  /** the completion; dueAt when not given for a completed review */
  completedAt?: Date;
  /** the review a rectification review follows */
  followsReviewId?: string;
}

/** Inserts one review of the partnership, by the agent; answers its id. */
export async function recordReviewForTest(t: TestApp, partnershipId: string, agent: TestUser, review: ReviewForTest): Promise<string> {
  const completedAt = review.result === null ? null : (review.completedAt ?? review.dueAt);
  const [row] = await t.database.db
    .insert(partnershipReviews)
    .values({
      partnershipId,
      kind: review.kind,
      periodFrom: new Date(review.dueAt.getTime() - 365 * DAY_MS),
      periodTo: review.dueAt,
      dueAt: review.dueAt,
      followsReviewId: review.followsReviewId ?? null,
      scheduledAt: new Date(review.dueAt.getTime() - 30 * DAY_MS),
      scheduledBy: agent.id,
      result: review.result,
      completedAt,
      completedBy: completedAt ? agent.id : null,
    })
    .returning({ id: partnershipReviews.id });
  return row!.id;
}

/** The agent's step into rectification after a stage review asked for it, as the reviews service takes it. */
export async function requireRectificationForTest(t: TestApp, partnershipId: string, agent: TestUser): Promise<void> {
  const [partnership] = await t.database.db.select().from(partnerships).where(eq(partnerships.id, partnershipId));
  await t.database.db.transaction((tx) =>
    applyPartnershipTransition(tx, t.app.services.audit, partnership!, 'requireRectification', { ...agent, sessionId: 'test' }, { ip: 'test' }),
  );
}

/** Through the API: the organisation accepts version 1 and signs; the agent records that it has started. */
export async function signAndActivate(t: TestApp, partnershipId: string, organisation: { token: string; name: string }, agentToken: string): Promise<void> {
  await t.app.services.documents.idle();
  const post = (url: string, token: string, payload?: object) =>
    t.app.inject({ method: 'POST', url: `/api/v1/partnerships/${partnershipId}${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
  const accepted = await post('/accept', organisation.token, { version: 1 });
  if (accepted.statusCode !== 200) throw new Error(`not accepted: ${accepted.body}`);
  const signed = await signAgreement(t, partnershipId, organisation.token, organisationP12(organisation.name));
  if (signed.statusCode !== 200) throw new Error(`not signed: ${signed.body}`);
  const active = await post('/activate', agentToken);
  if (active.statusCode !== 200) throw new Error(`not active: ${active.body}`);
}

/**
 * A signed, active partnership taken through a stage review asking for rectification and a
 * rectification review with `rectification` as its result (failing by default), a year and a
 * quarter after `from`; answers the reviews' ids.
 */
export async function rectifyForTest(t: TestApp, partnershipId: string, agent: TestUser, from: Date, rectification: ReviewResult | null = 'fail') {
  const stage = await recordReviewForTest(t, partnershipId, agent, { kind: 'stage', result: 'rectify', dueAt: new Date(from.getTime() + 365 * DAY_MS) });
  await requireRectificationForTest(t, partnershipId, agent);
  const followUp = await recordReviewForTest(t, partnershipId, agent, {
    kind: 'rectification',
    result: rectification,
    dueAt: new Date(from.getTime() + 455 * DAY_MS),
    followsReviewId: stage,
  });
  return { stage, rectification: followUp };
}
