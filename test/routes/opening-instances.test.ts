import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import pg from 'pg';
import { createEnteredShares, ENTERED_SHARE_LIFETIME_MS } from '../../server/domain/opening/entered-shares.ts';
import { openEnteredShare, OpenFailedError, parseEncryptedJson } from '../../server/lib/sealing.ts';
import { createStorage, type Storage } from '../../server/lib/storage.ts';
import { apiToken, bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, unlockBody, type Cast } from '../helpers/recruitments.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// Several server processes on one database behave as one server at the opening (issue 13 item 4):
// a holder may enter on one instance and the other on another, or before and after a restart.

let t: TestApp;
let cast: Cast;
const instances: TestApp[] = [];

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(async () => {
  for (const instance of instances) await instance.close();
  await t.close();
});

async function anotherInstance() {
  const instance = await createTestApp({}, { sharing: t });
  instances.push(instance);
  return instance.app;
}

const call = (app: App, method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

/** A published recruitment with three bids, past its deadline, its opening started and attended. */
async function openingWithBids() {
  return (await openingWithBidsOn(t, cast))[1];
}

async function openingWithBidsOn(t: TestApp, given?: Cast): Promise<[Cast, string]> {
  const cast = given ?? (await createCast(t));
  t.clock.set(new Date());
  const id = await createPublished(t, cast);
  for (const ratio of ['20', '30', '40']) {
    const organization = organizationInput();
    await registerOrganization(t, organization);
    const body = multipart({ lot: 'arts', publicBenefitRatio: ratio, declarations: ALL_DECLARED, summary: '方案' }, [
      { filename: 'a.pdf', content: pdfWith(`bid ${ratio}`) },
    ]);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${id}/bids`,
      headers: { ...bearer(await apiToken(t, organization)), ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode).toBe(201);
  }
  const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
  t.clock.set(new Date(deadline + 1000));
  expect((await call(t.app, 'POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken)).statusCode).toBe(200);
  expect((await call(t.app, 'POST', `/api/v1/recruitments/${id}/opening/attend`, cast.inspectorToken)).statusCode).toBe(200);
  return [cast, id];
}

async function unlock(app: App, id: string, token: string) {
  const response = await call(app, 'POST', `/api/v1/recruitments/${id}/opening/unlock`, token, await unlockBody(t, id));
  expect(response.statusCode).toBe(200);
  return response.json<{ phase: string; record: { digestVerified: boolean }[]; keyHolders: { holderId: string; shareWaiting: boolean }[] }>();
}

const openingEntries = async (id: string) =>
  (await t.rawRows(`select count(*)::int as n from audit_log where action = 'opening.open' and recruitment_id = '${id}'`))[0]?.n;

describe('an opening across server instances', () => {
  it('opens when the agent enters on one instance and the inspector on another', async () => {
    const id = await openingWithBids();
    const other = await anotherInstance();
    expect((await unlock(t.app, id, cast.agentToken)).phase).toBe('waiting_for_keys');
    const opened = await unlock(other, id, cast.inspectorToken);
    expect(opened.phase).toBe('opened');
    expect(opened.record.map((line) => line.digestVerified)).toEqual([true, true, true]);
    // used shares are not kept
    expect(await t.rawRows(`select * from opening_entered_shares where recruitment_id = '${id}'`)).toEqual([]);
  });

  it('keeps an entry across a restart, and the page tells the holder it is waiting', async () => {
    const id = await openingWithBids();
    await unlock(t.app, id, cast.agentToken);
    const restarted = await anotherInstance();
    const agent = new Browser(restarted);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/recruitments/${id}/opening`);
    expect(page.body).toContain('您已输入口令，等待其他密钥持有人');
    expect((await unlock(restarted, id, cast.inspectorToken)).phase).toBe('opened');
  });

  it('lets an entry lapse after its lifetime, says so, and opens once the holder enters again', async () => {
    const id = await openingWithBids();
    await unlock(t.app, id, cast.agentToken);
    t.clock.set(new Date(t.clock.now().getTime() + ENTERED_SHARE_LIFETIME_MS + 1000));
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/recruitments/${id}/opening`);
    expect(page.body).not.toContain('您已输入口令，等待其他密钥持有人');
    expect(page.body).toContain('输入的口令已失效，须重新输入');
    const afterLapse = await unlock(t.app, id, cast.inspectorToken);
    expect(afterLapse.phase).toBe('waiting_for_keys');
    expect(afterLapse.keyHolders.find((h) => h.holderId === cast.agent.id)?.shareWaiting).toBe(false);
    expect((await unlock(t.app, id, cast.agentToken)).phase).toBe('opened');
    // the periodic clean-up removes what lapsed
    await t.app.services.opening.forgetExpiredShares();
    expect(await t.rawRows(`select * from opening_entered_shares`)).toEqual([]);
  });

  it('opens once when the two holders enter at the same moment on two instances', async () => {
    const id = await openingWithBids();
    const other = await anotherInstance();
    const [agent, inspector] = await Promise.all([unlock(t.app, id, cast.agentToken), unlock(other, id, cast.inspectorToken)]);
    expect([agent.phase, inspector.phase]).toContain('opened');
    expect(await openingEntries(id)).toBe(1);
    const view = await call(t.app, 'GET', `/api/v1/recruitments/${id}/opening`, cast.agentToken);
    expect(view.json()).toMatchObject({ phase: 'opened' });
    expect(view.json().record).toHaveLength(3);
  });

  it('keeps entered shares in the database only encrypted with a secret the database does not hold', async () => {
    const id = await openingWithBids();
    await unlock(t.app, id, cast.agentToken);
    const [row] = await t.rawRows(`select holder_id, sealed_share, entered_at from opening_entered_shares where recruitment_id = '${id}'`);
    const sealed = parseEncryptedJson(row?.sealed_share);
    const enteredAt = new Date(row?.entered_at as string | Date);
    expect(() => openEnteredShare(sealed, randomBytes(32), id, cast.agent.id, enteredAt)).toThrow(OpenFailedError);
    // the servers' secret opens it, for this holder, recruitment and time of entry only
    const secret = Buffer.from(createStorage(t.storageDir).secret('entered-shares'), 'base64url');
    expect(openEnteredShare(sealed, secret, id, cast.agent.id, enteredAt).length).toBeGreaterThan(0);
    expect(() => openEnteredShare(sealed, secret, id, cast.inspector.id, enteredAt)).toThrow(OpenFailedError);
    expect(() => openEnteredShare(sealed, secret, id, cast.agent.id, new Date(enteredAt.getTime() + 1))).toThrow(OpenFailedError);
  });

  it('does not take a lapsed entry the database was made to renew: its time is sealed with it', async () => {
    const id = await openingWithBids();
    await unlock(t.app, id, cast.agentToken);
    const [kept] = await t.rawRows(`select sealed_share::text as sealed from opening_entered_shares where recruitment_id = '${id}'`);
    t.clock.set(new Date(t.clock.now().getTime() + ENTERED_SHARE_LIFETIME_MS + 1000));
    await t.app.services.opening.forgetExpiredShares();
    // whoever holds the database puts the lapsed entry back, dated now
    await t.rawSql(
      `insert into opening_entered_shares (recruitment_id, holder_id, sealed_share, entered_at) values ('${id}', '${cast.agent.id}', '${kept?.sealed as string}'::jsonb, '${t.clock.now().toISOString()}')`,
    );
    const inspector = await unlock(t.app, id, cast.inspectorToken);
    expect(inspector.phase).toBe('waiting_for_keys');
    expect(await openingEntries(id)).toBe(0);
    expect(inspector.keyHolders.find((h) => h.holderId === cast.inspector.id)?.shareWaiting).toBe(true);
    // an entry that does not open (altered, or another ENTERED_SHARE_SECRET) is a red flag, not a silence
    const raised = await t.rawRows(`select severity from alerts where indicator = 'entered_share_rejected' and recruitment_id = '${id}'`);
    expect(raised).toEqual([{ severity: 'high' }]);
    // the agent entering again opens the bids
    expect((await unlock(t.app, id, cast.agentToken)).phase).toBe('opened');
  });

  it.runIf(process.env.DATABASE_URL)('gives back what it took when another statement removed one of the entries it counted', async () => {
    const id = await openingWithBids();
    const secret = Buffer.from(createStorage(t.storageDir).secret('entered-shares'), 'base64url');
    const entries = createEnteredShares({ db: t.database.db, secret });
    const now = t.clock.now();
    for (const holder of [cast.agent, cast.inspector]) {
      await t.database.db.transaction((tx) => entries.keep(tx, id, holder.id, randomBytes(32), now));
    }
    // another statement (an instance removing a lapsed entry, by its own clock) holds the agent's entry
    const other = new pg.Client({ connectionString: t.appDatabaseUrl! });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('delete from opening_entered_shares where recruitment_id = $1 and holder_id = $2', [id, cast.agent.id]);
      const taking = entries.take(id, now);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query('commit');
      expect((await taking).taken).toBeNull();
    } finally {
      await other.end();
    }
    // the inspector's entry, counted and taken, then too few to use, waits again
    expect((await entries.holders(id, now)).has(cast.inspector.id)).toBe(true);
  });

  it('keeps the entries when the opening cannot read the files: a holder entering again opens the bids, the other need not', async () => {
    let bucketDown = false;
    const flaky = await createTestApp({}, {
      storage: (storage: Storage): Storage => ({
        ...storage,
        readSealedBidFile: (recruitmentId, fileId) =>
          bucketDown ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { $metadata: {} })) : storage.readSealedBidFile(recruitmentId, fileId),
      }),
    });
    try {
      const [cast, id] = await openingWithBidsOn(flaky);
      const unlockOn = async (token: string) =>
        flaky.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/opening/unlock`, headers: bearer(token), payload: await unlockBody(flaky, id) });
      expect((await unlockOn(cast.agentToken)).statusCode).toBe(200);
      bucketDown = true;
      const failed = await unlockOn(cast.inspectorToken);
      expect(failed.statusCode).toBe(503);
      expect(failed.json().code).toBe('STORAGE_UNAVAILABLE');
      const view = (await flaky.app.inject({ url: `/api/v1/recruitments/${id}/opening`, headers: bearer(cast.agentToken) })).json();
      expect(view.phase).toBe('waiting_for_keys');
      expect(view.keyHolders.filter((h: { shareWaiting: boolean }) => h.shareWaiting)).toHaveLength(2);
      bucketDown = false;
      const opened = await unlockOn(cast.inspectorToken);
      expect(opened.json().phase).toBe('opened');
      expect(opened.json().record.map((line: { digestVerified: boolean }) => line.digestVerified)).toEqual([true, true, true]);
    } finally {
      await flaky.close();
    }
  });
});
