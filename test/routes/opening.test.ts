import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createDraft, setOpeningKey, unlockBody, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { registerOrganization } from '../helpers/organizations.ts';

let t: TestApp;
let cast: Cast;
let escrow: TestUser;
let escrowToken: string;


beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  escrow = await createStaff(t, 'admin');
  escrowToken = await apiToken(t, escrow);
  await setOpeningKey(t, escrowToken);
  // the escrow holder is an administrator's choice, never the agent's
  const designated = await api('PUT', '/api/v1/settings/escrow-holder', escrowToken, { userId: escrow.id });
  expect(designated.statusCode).toBe(200);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

async function publishWithEscrow() {
  const id = await createDraft(t, cast);
  const response = await api('POST', `/api/v1/recruitments/${id}/publish`, cast.agentToken, { inspectorId: cast.inspector.id });
  expect(response.statusCode).toBe(200);
  return id;
}

async function bidder() {
  const organization = organizationInput();
  await registerOrganization(t, organization);
  return { token: await apiToken(t, organization), name: organization.name };
}

async function submit(id: string, token: string, lot: string, ratio: string, marker = 'x') {
  const body = multipart({ lot, publicBenefitRatio: ratio, declarations: ALL_DECLARED, summary: '方案' }, [{ filename: 'a.pdf', content: pdfWith(marker, 5000) }]);
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  expect(response.statusCode).toBe(201);
  return response.json<{ bidId: string; digest: string }>();
}

async function passDeadline(id: string) {
  const deadline = Date.parse((await api('GET', `/api/v1/recruitments/${id}`)).json().submissionDeadline);
  t.clock.set(new Date(deadline));
}

async function tamperWith(id: string, bidId: string) {
  const [row] = await t.rawRows(
    `select f.id from bid_files f join bid_versions v on v.id = f.version_id where v.bid_id = '${bidId}'`,
  );
  const file = path.join(t.storageDir, 'bids', id, `${String(row?.id)}.sealed`);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  writeFileSync(file, bytes);
}

describe('the bid opening', () => {
  let id: string;
  const bidders: { token: string; name: string; bidId?: string; digest?: string }[] = [];

  it('cannot start before the deadline (409 TOO_EARLY), nor by another role', async () => {
    id = await publishWithEscrow();
    for (const [lot, ratio] of [['arts', '20'], ['arts', '30'], ['arts', '40'], ['arts', '50'], ['sports', '25']] as const) {
      const b = await bidder();
      const receipt = await submit(id, b.token, lot, ratio);
      bidders.push({ ...b, bidId: receipt.bidId, digest: receipt.digest });
    }
    const deadline = Date.parse((await api('GET', `/api/v1/recruitments/${id}`)).json().submissionDeadline);
    // the clock keeps running, so stop a minute short of the deadline
    t.clock.set(new Date(deadline - 60_000));
    const early = await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('TOO_EARLY');
    await passDeadline(id);
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.inspectorToken)).statusCode).toBe(403);
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/start`, bidders[0]!.token)).statusCode).toBe(403);
  });

  it('starts at the deadline; bids are refused from then on', async () => {
    const started = await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    expect(started.json()).toEqual({ status: 'opening' });
    const late = await bidder();
    const body = multipart({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED }, [{ filename: 'a.pdf', content: pdfWith('late') }]);
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(late.token), ...body.headers }, payload: body.payload });
    expect(response.json().code).toBe('DEADLINE_PASSED');
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken)).json().code).toBe('INVALID_TRANSITION');
  });

  it('shows the session to its bidders, the agent and the inspector only, with no record yet', async () => {
    const view = await api('GET', `/api/v1/recruitments/${id}/opening`, bidders[0]!.token);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ status: 'opening', phase: 'waiting_for_keys', record: [] });
    expect((await api('GET', `/api/v1/recruitments/${id}/opening`, (await bidder()).token)).statusCode).toBe(403);
    expect((await api('GET', `/api/v1/recruitments/${id}/opening`, await apiToken(t, await createStaff(t, 'agent')))).statusCode).toBe(403);
  });

  it('refuses a wrong passphrase and records the attempt', async () => {
    const wrong = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id, 'not the passphrase'));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('WRONG_PASSPHRASE');
    const audit = (await api('GET', `/api/v1/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json();
    expect(audit.some((e: { action: string }) => e.action === 'opening.unlock_failed')).toBe(true);
  });

  it('one key holder alone cannot open, even entering the passphrase twice', async () => {
    const bidderAttends = await api('POST', `/api/v1/recruitments/${id}/opening/attend`, bidders[0]!.token);
    expect(bidderAttends.statusCode).toBe(200);
    await api('POST', `/api/v1/recruitments/${id}/opening/attend`, cast.inspectorToken);
    for (let i = 0; i < 2; i++) {
      const response = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, await unlockBody(t, id));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ phase: 'waiting_for_keys', record: [] });
    }
    const audit = (await api('GET', `/api/v1/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json();
    expect(audit.some((e: { action: string }) => e.action === 'bid.decrypt')).toBe(false);
  });

  it('a second holder opens: digests verify, a tampered file is flagged, a lot under 3 valid bids fails', async () => {
    await tamperWith(id, bidders[3]!.bidId!);
    const response = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.inspectorToken, await unlockBody(t, id));
    expect(response.statusCode).toBe(200);
    const opening = response.json();
    expect(opening.phase).toBe('opened');
    expect(opening.record).toHaveLength(5);
    for (const [index, b] of bidders.entries()) {
      const line = opening.record.find((r: { bidId: string }) => r.bidId === b.bidId);
      expect(line).toMatchObject({ organization: b.name, digest: b.digest, digestVerified: index !== 3 });
      if (index !== 3) expect(line.recomputedDigest).toBe(b.digest);
    }
    // the tampered bid's declared values still decrypt; only its document fails verification
    expect(opening.record.map((r: { publicBenefitRatio: number }) => r.publicBenefitRatio).sort()).toEqual([20, 25, 30, 40, 50]);
    expect(opening.lots).toEqual([
      expect.objectContaining({ key: 'arts', status: 'open', validBids: 3 }),
      expect.objectContaining({ key: 'sports', status: 'failed', validBids: 1 }),
    ]);
    // the files' names, sizes and hashes, sealed until now, are known from the opening on
    const opened = await t.rawRows(
      `select o.bid_id, f.name, f.size, f.sha256 from opening_files f join opening_records o on o.version_id = f.version_id where o.recruitment_id = '${id}'`,
    );
    expect(opened.map((row) => row.bid_id).sort()).toEqual(bidders.filter((_, index) => index !== 3).map((b) => b.bidId).sort());
    const document = pdfWith('x', 5000);
    for (const row of opened) {
      expect(row).toMatchObject({ name: 'a.pdf', sha256: createHash('sha256').update(document).digest('hex') });
      expect(Number(row.size)).toBe(document.length);
    }
    const audit = (await api('GET', `/api/v1/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json();
    expect(audit.filter((e: { action: string }) => e.action === 'bid.decrypt')).toHaveLength(5);
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, await unlockBody(t, id))).json().code).toBe('ALREADY_OPENED');
  });

  it('records objections and answers; the inspector signs off with the chain head and the recruitment moves to evaluation', async () => {
    const objection = await api('POST', `/api/v1/recruitments/${id}/opening/objections`, bidders[3]!.token, { text: '我单位文件校验未通过，申请复核' });
    expect(objection.statusCode).toBe(201);
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/objections`, (await bidder()).token, { text: 'x' })).statusCode).toBe(403);
    const blocked = await api('POST', `/api/v1/recruitments/${id}/opening/sign-off`, cast.inspectorToken, { comment: '同意' });
    expect(blocked.json().code).toBe('OBJECTIONS_OPEN');
    const answered = await api('POST', `/api/v1/objections/${objection.json().id}/answer`, cast.agentToken, { text: '经核对，存储文件与回执摘要不一致，已记录在案' });
    expect(answered.statusCode).toBe(200);
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/sign-off`, cast.agentToken, { comment: 'x' })).statusCode).toBe(403);
    const signed = await api('POST', `/api/v1/recruitments/${id}/opening/sign-off`, cast.inspectorToken, { comment: '开标过程规范' });
    expect(signed.statusCode).toBe(200);
    const head = (await api('GET', '/api/v1/audit/verify', cast.inspectorToken)).json();
    expect(signed.json()).toMatchObject({ status: 'evaluation', chainOk: true });
    expect(signed.json().chainHead).toMatch(/^[0-9a-f]{64}$/);
    expect(head.ok).toBe(true);
    const view = (await api('GET', `/api/v1/recruitments/${id}/opening`, cast.agentToken)).json();
    expect(view).toMatchObject({ status: 'evaluation', phase: 'signed_off', signOff: { chainHead: signed.json().chainHead, comment: '开标过程规范' } });
    expect(view.objections[0]).toMatchObject({ answer: expect.stringContaining('已记录在案') });
  });
});

describe('the escrow holder and failure', () => {
  it('the escrow holder stands in for the agent; the inspector must attend; all lots failing fails the recruitment', async () => {
    t.clock.set(new Date());
    const id = await publishWithEscrow();
    const b = await bidder();
    await submit(id, b.token, 'arts', '30');
    await passDeadline(id);
    await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, { ...(await unlockBody(t, id)), reason: '经办人无法到场' });
    const before = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.inspectorToken, await unlockBody(t, id));
    expect(before.json()).toMatchObject({ phase: 'waiting_for_keys', record: [] });
    const attended = await api('POST', `/api/v1/recruitments/${id}/opening/attend`, cast.inspectorToken);
    expect(attended.json()).toMatchObject({ phase: 'opened', record: [expect.objectContaining({ digestVerified: true })] });
    expect(attended.json().lots.every((lot: { status: string }) => lot.status === 'failed')).toBe(true);
    const signed = await api('POST', `/api/v1/recruitments/${id}/opening/sign-off`, cast.inspectorToken, { comment: '各类别有效响应不足三家，流标' });
    expect(signed.json()).toMatchObject({ status: 'failed' });
  });

  it('a holder who is not a key holder of the recruitment is refused', async () => {
    t.clock.set(new Date());
    const id = await publishWithEscrow();
    await passDeadline(id);
    await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    const stranger = await createStaff(t, 'inspector');
    const token = await apiToken(t, stranger);
    await setOpeningKey(t, token);
    const response = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, token, await unlockBody(t, id));
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('NOT_KEY_HOLDER');
    expect((await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, cast.agentToken, {})).statusCode).toBe(400);
  });
});

describe('opening passphrase attempts', () => {
  it('checks at most 5 wrong passphrases per holder however many arrive at once; then even the right one waits', async () => {
    t.clock.set(new Date());
    const id = await publishWithEscrow();
    await passDeadline(id);
    await api('POST', `/api/v1/recruitments/${id}/opening/start`, cast.agentToken);
    const body = { ...(await unlockBody(t, id)), reason: '经办人无法到场' };
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, { ...body, passphrase: `wrong passphrase ${i}` }),
      ),
    );
    const codes = replies.map((reply) => reply.json().code);
    expect(codes.filter((code) => code === 'WRONG_PASSPHRASE')).toHaveLength(5);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(45);
    expect(replies.find((reply) => reply.json().code === 'RATE_LIMITED')?.statusCode).toBe(429);
    const right = await api('POST', `/api/v1/recruitments/${id}/opening/unlock`, escrowToken, body);
    expect(right.statusCode).toBe(429);
  });
});
