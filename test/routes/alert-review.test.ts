import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, auditLog } from '../../server/db/schema.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { apiToken, bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { outbox } from '../helpers/mail.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

// The review that raises computed red flags when the data appears (inspection/review.ts), seen
// through its first indicator: several organisations' bids from one address or session.

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const review = () => t.app.services.inspection.review.reviewNewEntries();
const alertsOf = (recruitmentId: string) => t.database.db.select().from(alerts).where(eq(alerts.recruitmentId, recruitmentId));

describe('the red-flag review', () => {
  it('does not fire on bids from different addresses and sessions', async () => {
    const id = await createPublished(t, cast);
    for (const address of ['10.1.0.1', '10.1.0.2']) {
      const bidder = await createBidder(t);
      await submitBid(t, id, bidder.token, 'arts', bidder.name, { remoteAddress: address });
    }
    await review();
    expect((await alertsOf(id)).filter((alert) => alert.indicator === 'bids_from_one_address')).toEqual([]);
  });

  it('raises bids from one address once, with its evidence, audited and mailed to the named inspector', async () => {
    const id = await createPublished(t, cast);
    const first = await createBidder(t);
    const second = await createBidder(t);
    await submitBid(t, id, first.token, 'arts', first.name, { remoteAddress: '10.2.0.9' });
    await submitBid(t, id, second.token, 'sports', second.name, { remoteAddress: '10.2.0.9' });
    const outcome = await review();
    expect(outcome?.reviewed).toBeGreaterThanOrEqual(1);
    const raised = (await alertsOf(id)).filter((alert) => alert.indicator === 'bids_from_one_address');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ severity: 'high', status: 'open', findingKey: 'ip:10.2.0.9' });
    expect(raised[0]!.subject).toContain('10.2.0.9');
    expect(raised[0]!.evidence.map((item) => item.detail).join()).toContain(first.name);
    expect(raised[0]!.evidence.map((item) => item.detail).join()).toContain(second.name);
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.target, `alert:${raised[0]!.id}`));
    expect(entries.map((entry) => entry.action)).toEqual(['alert.raised']);
    const mails = (await outbox(t)).filter((mail) => mail.to === cast.inspector.email && mail.subject.includes('多家单位从同一地址'));
    expect(mails).toHaveLength(1);

    // seen again (a third bid, another review of everything): still one alert
    const third = await createBidder(t);
    await submitBid(t, id, third.token, 'arts', third.name, { remoteAddress: '10.2.0.9' });
    await review();
    await t.app.services.inspection.review.reviewAll();
    expect((await alertsOf(id)).filter((alert) => alert.indicator === 'bids_from_one_address')).toHaveLength(1);
  });

  it('keeps a dismissed finding dismissed when the data shows it again', async () => {
    const id = await createPublished(t, cast);
    const first = await createBidder(t);
    const second = await createBidder(t);
    await submitBid(t, id, first.token, 'arts', first.name, { remoteAddress: '10.3.0.1' });
    await submitBid(t, id, second.token, 'arts', second.name, { remoteAddress: '10.3.0.1' });
    // the helper's organisations share a phone and a legal representative: that finding is another indicator's
    const fromOneAddress = async () => (await alertsOf(id)).filter((alert) => alert.indicator === 'bids_from_one_address');
    await review();
    const [alert] = await fromOneAddress();
    await t.database.db.update(alerts).set({ status: 'dismissed', note: '同一办公楼共用出口地址' }).where(eq(alerts.id, alert!.id));
    await submitBid(t, id, first.token, 'arts', first.name, { remoteAddress: '10.3.0.1' });
    await review();
    expect((await fromOneAddress()).map((row) => row.status)).toEqual(['dismissed']);
  });

  it('reads each audit entry once: a review with nothing new reviews nothing', async () => {
    await review();
    expect(await review()).toEqual({ reviewed: 0, raised: [] });
  });

  it('lets one instance review at a time (PostgreSQL)', async ({ skip }) => {
    if (t.database.engine !== 'postgres') skip('PGlite runs one transaction at a time');
    const id = await createPublished(t, cast);
    const bidder = await createBidder(t);
    await submitBid(t, id, bidder.token, 'arts', bidder.name);
    const other = await createTestApp({}, { sharing: t });
    try {
      let inside!: () => void;
      const held = new Promise<void>((resolve) => (inside = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const holding = t.database.db.transaction(async (tx) => {
        await tx.execute(`select pg_advisory_xact_lock(${0x77617463})` as never);
        inside();
        await released;
      });
      await held;
      expect(await other.app.services.inspection.review.reviewNewEntries()).toBeNull();
      release();
      await holding;
      expect(await other.app.services.inspection.review.reviewNewEntries()).not.toBeNull();
    } finally {
      await other.close();
    }
  });

  it('refuses the alert list to a signed-in bidder', async () => {
    const bidder = await createBidder(t);
    const response = await t.app.inject({ url: '/api/v1/inspector/alerts', headers: bearer(await apiToken(t, bidder)) });
    expect(response.statusCode).toBe(403);
  });
});
