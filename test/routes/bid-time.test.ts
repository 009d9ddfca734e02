import { readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../server/lib/storage.ts';
import { apiToken, bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// One time for a bid (issue 13): a bid whose recording transaction waited on a lock committed
// 1.5 s after the deadline with a receipt dated before it and an audit entry after it. A bid is
// on time when the server has received it whole (every file durable) before the deadline; that
// instant is the one its receipt, its rows and its audit entry show, however long the recording waits.

/** runs once, right after a bid file is durable and before the rest of the submission goes on */
let afterFileSaved: (() => Promise<void>) | null = null;
const pausing = (storage: Storage): Storage => ({
  ...storage,
  saveSealedBidFile: async (...args) => {
    await storage.saveSealedBidFile(...args);
    const hook = afterFileSaved;
    afterFileSaved = null;
    await hook?.();
  },
});

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp({}, { storage: pausing });
  cast = await createCast(t);
});
afterAll(() => t.close());

const bidPath = (id: string) => `/api/v1/recruitments/${id}/bids`;

function submit(token: string, id: string) {
  const body = multipart({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED, summary: '方案' }, [
    { filename: 'plan.pdf', content: pdfWith('one time', 32 * 1024) },
  ]);
  return t.app.inject({ method: 'POST', url: bidPath(id), headers: { ...bearer(token), ...body.headers }, payload: body.payload });
}

/**
 * Opens a transaction that runs `statement` on the recruitment's row and stays open until
 * released: another session's lock, which the bid's recording must wait for.
 */
async function holdInTransaction(statement: SQL): Promise<() => Promise<void>> {
  let held!: () => void;
  let release!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const done = t.database.db.transaction(async (tx) => {
    await tx.execute(statement);
    held();
    await released;
  });
  await holding;
  return async () => {
    release();
    await done;
  };
}

/** until the bid's recording waits behind the held transaction (or, failing that, five seconds) */
async function recordingWaits() {
  // PGlite runs one transaction at a time: nothing can look while one is held open
  if (t.database.engine === 'pglite') return sleep(300);
  for (let i = 0; i < 500; i++) {
    const [row] = await t.rawRows(
      "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    if ((row?.waiting as number) > 0) return;
    await sleep(10);
  }
}

/**
 * Submits a bid with the clock 1 s before the deadline; once its file is durable, `statement`
 * holds the recruitment's row, the clock moves 0.5 s past the deadline, and the hold ends.
 */
async function submitAcrossTheDeadline(statement: (id: string) => SQL) {
  const id = await createPublished(t, cast, 21);
  const token = await apiToken(t, await registerOrganization(t, organizationInput()));
  const deadline = new Date((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
  t.clock.set(new Date(deadline.getTime() - 1000));
  let release: (() => Promise<void>) | null = null;
  let saved!: () => void;
  const fileSaved = new Promise<void>((resolve) => (saved = resolve));
  afterFileSaved = async () => {
    release = await holdInTransaction(statement(id));
    saved();
  };
  const pending = submit(token, id);
  await fileSaved;
  // a recording that does not wait at all ends the race at once
  await Promise.race([recordingWaits(), pending]);
  t.clock.set(new Date(deadline.getTime() + 500));
  await release!();
  const response = await pending;
  return { id, deadline, response, answeredAt: t.clock.now() };
}

const instant = (value: unknown) => new Date(value as string | Date).toISOString();

describe('the time of a bid', () => {
  it('is the instant it was received whole: a bid whose recording waits past the deadline counts, and its receipt, rows and audit entry show that one time', async () => {
    const { deadline, response, answeredAt } = await submitAcrossTheDeadline(
      (id) => sql`select id from recruitments where id = ${id} for update`,
    );
    expect(response.statusCode).toBe(201);
    const receipt = response.json();
    expect(Date.parse(receipt.receivedAt)).toBeLessThan(deadline.getTime());
    expect(answeredAt.getTime()).toBeGreaterThan(deadline.getTime());
    const [version] = await t.rawRows(`select received_at from bid_versions where bid_id = '${receipt.bidId}'`);
    const [bid] = await t.rawRows(`select updated_at from bids where id = '${receipt.bidId}'`);
    const [entry] = await t.rawRows(`select at from audit_log where action = 'bid.submit' and target = 'bid:${receipt.bidId}'`);
    expect([instant(version?.received_at), instant(bid?.updated_at), instant(entry?.at)]).toEqual([receipt.receivedAt, receipt.receivedAt, receipt.receivedAt]);
    // an entry dated before the one appended ahead of it still chains
    const verified = await t.app.inject({ url: '/api/v1/audit/verify', headers: bearer(cast.inspectorToken) });
    expect(verified.json()).toMatchObject({ ok: true });
  });

  it('a bid received before the deadline is refused, not recorded, when the opening has begun before its recording', async () => {
    const { id, response } = await submitAcrossTheDeadline((id) => sql`update recruitments set status = 'opening' where id = ${id}`);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('NOT_ACCEPTING_BIDS');
    expect(await t.rawRows(`select id from bids where recruitment_id = '${id}'`)).toEqual([]);
    expect(readdirSync(path.join(t.storageDir, 'bids', id), { recursive: true }).filter((f) => String(f).endsWith('.sealed'))).toEqual([]);
  });

  it('a bid whose last byte arrives after the deadline is refused, though its upload began before it', async () => {
    const id = await createPublished(t, cast, 21);
    const token = await apiToken(t, await registerOrganization(t, organizationInput()));
    const deadline = new Date((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
    t.clock.set(new Date(deadline.getTime() - 1000));
    afterFileSaved = async () => t.clock.set(deadline);
    const response = await submit(token, id);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('DEADLINE_PASSED');
    expect(await t.rawRows(`select id from bids where recruitment_id = '${id}'`)).toEqual([]);
  });
});
