import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED_ASSET_CLAUSE } from '../../server/lib/pdf/templates/draft-agreement.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createBidder } from '../helpers/bidding.ts';
import { createInEvaluation, createExperts, type Bidder, type Organization } from '../helpers/evaluation.ts';
import { run, writePdf } from '../helpers/pdf-tools.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { schemaErrors } from '../helpers/ocds-schema.ts';
import { createCast, outbox, type Cast } from '../helpers/recruitments.ts';
import { completeRectification, completeStageReview, failRectification, signAndActivate } from '../helpers/reviews.ts';

// Termination after a failed rectification (issue 17): the agent's refusals and the termination
// itself, with its signed notice (checked as an outside party would), the partner's mail, the
// centre's record of the organisation, and that record beside eligibility condition 6 when the
// organisation bids again.

const CHECK_SCRIPT = path.resolve(import.meta.dirname, '../tools/check-signed-pdf.sh');
const dir = mkdtempSync(path.join(tmpdir(), 'termination-'));

interface View {
  id: string;
  bidId: string;
  status: string;
  signedAt: string | null;
  terminatedAt: string | null;
  organization: { id: string; name: string };
  terminationNotice: { id: string; verifyCode: string } | null;
  can: { terminate: boolean };
}

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let organizations: Organization[];
let all: View[];
let otherAgent: string;

const api = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const view = async (partnershipId: string, token = cast.agentToken) => (await api('GET', `/partnerships/${partnershipId}`, token)).json<View>();
const bidderOf = (partnership: View) => bidders.find((b) => b.bidId === partnership.bidId)!;
const terminate = (partnershipId: string, token = cast.agentToken, payload: object = { reason: '整改复核仍不合格：公益名额未按承诺落实，职工满意率低于 60%。' }) =>
  api('POST', `/partnerships/${partnershipId}/terminate`, token, payload);

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  organizations = [await createBidder(t), await createBidder(t), await createBidder(t)];
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40] }, { organizations }));
  await t.app.services.documents.idle();
  all = (await api('GET', `/recruitments/${id}/partnerships`, cast.agentToken)).json<View[]>();
  for (const partnership of all.slice(0, 2)) await signAndActivate(t, partnership.id, bidderOf(partnership), cast.agentToken);
  otherAgent = await apiToken(t, await createStaff(t, 'agent'));
}, 240_000);
afterAll(() => t.close());

describe('POST /api/v1/partnerships/:id/terminate: refusals', () => {
  it('refuses an active partnership (409), and one in rectification whose latest review is not a failed rectification review (409)', async () => {
    const target = all[0]!;
    const active = await terminate(target.id);
    expect(active.statusCode).toBe(409);
    expect(active.json().code).toBe('INVALID_TRANSITION');

    // a stage review asked for rectification; its re-review is scheduled, not completed yet
    await completeStageReview(t, target.id, cast.agentToken, 'rectify');
    const rectifying = await terminate(target.id);
    expect(rectifying.statusCode).toBe(409);
    expect(rectifying.json().code).toBe('NO_FAILED_RECTIFICATION');
    expect((await view(target.id)).can.terminate).toBe(false);
  });

  it('refuses bad input (400) before the state, and the wrong role or the wrong agent (403)', async () => {
    const target = all[0]!;
    expect((await terminate(target.id, cast.agentToken, { reason: '  ' })).statusCode).toBe(400);
    expect((await terminate(target.id, cast.agentToken, {})).statusCode).toBe(400);
    expect((await terminate(target.id, cast.agentToken, { reason: '理由', assetHandling: 'x'.repeat(5001) })).statusCode).toBe(400);
    expect((await terminate('not-a-uuid')).statusCode).toBe(400);
    expect((await terminate(target.id, cast.inspectorToken)).statusCode).toBe(403);
    expect((await terminate(target.id, bidderOf(target).token)).statusCode).toBe(403);
    const other = await terminate(target.id, otherAgent);
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('FORBIDDEN');
    expect((await view(target.id)).status).toBe('rectifying');
  });
});

let notice: { id: string; verifyCode: string };

describe('termination after a failed rectification', () => {
  it('terminates: status terminated with its date, a signed notice, an audit entry, and the notice mailed to the partner', async () => {
    const target = all[0]!;
    await completeRectification(t, target.id, cast.agentToken, 'fail');
    expect((await view(target.id)).can.terminate).toBe(true);

    const response = await terminate(target.id, cast.agentToken, { reason: '整改复核仍不合格：公益名额未按承诺落实。', assetHandling: '资产清点定于终止后 7 日内进行。' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ status: string; terminatedAt: string; notice: { id: string; verifyCode: string } }>();
    expect(body.status).toBe('terminated');
    notice = body.notice;

    const after = await view(target.id, cast.inspectorToken);
    expect(after.status).toBe('terminated');
    expect(after.terminatedAt).toBe(body.terminatedAt);
    expect(after.terminationNotice?.id).toBe(notice.id);
    expect((await terminate(target.id)).json().code).toBe('INVALID_TRANSITION');

    const entries = (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json<{ action: string; target: string; details: Record<string, unknown> }[]>();
    const entry = entries.find((e) => e.action === 'partnership.terminate')!;
    expect(entry.target).toBe(`partnership:${target.id}`);
    expect(entry.details).toMatchObject({ from: 'rectifying', to: 'terminated', documentId: notice.id, reason: '整改复核仍不合格：公益名额未按承诺落实。' });

    const mail = (await outbox(t)).find((m) => m.to === bidderOf(target).email && m.subject.startsWith('【终止合作通知书】'));
    expect(mail?.text).toContain(notice.verifyCode);
  });

  it('the notice passes the project’s signed-PDF check and states the reviews, the reason, the fixed-asset clause and the effective date', async () => {
    const target = all[0]!;
    const pdf = await api('GET', `/documents/${notice.id}`, cast.inspectorToken);
    expect(pdf.statusCode).toBe(200);
    const file = writePdf(dir, 'termination-notice.pdf', pdf.rawPayload);
    const { status, output } = run('bash', [
      CHECK_SCRIPT,
      file,
      '终止合作通知书',
      bidderOf(target).name,
      '阶段考核',
      '整改复核',
      '不合格',
      '公益名额未按承诺落实',
      FIXED_ASSET_CLAUSE[0].slice(0, 40),
      '资产清点定于终止后 7 日内进行',
      '终止生效日期',
    ]);
    expect(output).not.toContain('FAIL');
    expect(status).toBe(0);
    // the partner reads it too; another organisation does not
    expect((await api('GET', `/documents/${notice.id}`, bidderOf(target).token)).statusCode).toBe(200);
    expect((await api('GET', `/documents/${notice.id}`, bidderOf(all[1]!).token)).statusCode).toBeGreaterThanOrEqual(403);
  });

  it('records the termination in the centre’s record of the organisation, listed for agents and inspectors only', async () => {
    const target = all[0]!;
    const listed = await api('GET', `/organizations/${target.organization.id}/records`, otherAgent);
    expect(listed.statusCode).toBe(200);
    const { records } = listed.json<{ records: { kind: string; line: string; document: { verifyCode: string } }[] }>();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'terminated', document: { verifyCode: notice.verifyCode } });
    expect(records[0]!.line).toMatch(/^本中心记录：.*（\d{4}-\d{2}-\d{2}，终止合作）$/);
    expect((await api('GET', `/organizations/${target.organization.id}/records`, cast.inspectorToken)).json().records).toHaveLength(1);
    expect((await api('GET', `/organizations/${target.organization.id}/records`, bidderOf(target).token)).statusCode).toBe(403);
    expect((await api('GET', `/organizations/${all[1]!.organization.id}/records`, cast.agentToken)).json().records).toEqual([]);

    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    expect((await inspector.get(`/partnerships/${target.id}`)).body).toContain(`/organizations/${target.organization.id}/records`);
    const page = await inspector.get(`/organizations/${target.organization.id}/records`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('终止合作');
    expect(page.body).toContain(`验证码 ${notice.verifyCode}`);
    const organisation = new Browser(t.app);
    await organisation.signIn(bidderOf(target));
    expect((await organisation.get(`/organizations/${target.organization.id}/records`)).statusCode).toBe(403);
    expect((await organisation.get(`/partnerships/${target.id}`)).body).not.toContain('/records');
  });
});

describe('OCDS after the termination', () => {
  it('publishes the terminated contract with the notice and the reviews as milestones, valid against the official 1.1.5 schema', async () => {
    const target = all[0]!;
    const ocds = (await t.app.inject({ url: `/api/v1/recruitments/${id}/ocds` })).json<{
      releases: { id: string; tag: string[]; contracts?: { status: string; implementation?: { documents: { documentType: string; url: string }[]; milestones?: { code: string; status: string }[] } }[] }[];
    }>();
    expect(schemaErrors(ocds)).toEqual([]);
    const terminated = ocds.releases.find((r) => r.id.endsWith(`-${target.bidId}-terminated`))!;
    expect(terminated.tag).toEqual(['contractUpdate']);
    const [contract] = terminated.contracts!;
    expect(contract!.status).toBe('terminated');
    expect(contract!.implementation!.documents.find((d) => d.documentType === 'x_terminationNotice')?.url).toContain(`/verify/${notice.verifyCode}`);
    expect(contract!.implementation!.milestones!.map((m) => [m.code, m.status])).toEqual([
      ['stage', 'notMet'],
      ['rectification', 'notMet'],
    ]);
  });
});

describe('the termination form on the agent’s partnership page', () => {
  it('is shown only once the rectification failed; an empty reason is shown again (400), a reason terminates (303)', async () => {
    const target = all[1]!;
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/partnerships/${target.id}`)).body).not.toContain('终止合作并签发通知书');
    await failRectification(t, target.id, cast.agentToken);
    const page = await agent.get(`/partnerships/${target.id}`);
    expect(page.body).toContain('终止合作并签发通知书');
    expect(page.body).toContain('name="reason"');

    const empty = await agent.post(`/partnerships/${target.id}/terminate`, { reason: '', assetHandling: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('终止合作并签发通知书');
    const done = await agent.post(`/partnerships/${target.id}/terminate`, { reason: '整改复核不合格。', assetHandling: '' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/partnerships/${target.id}?done=terminate`);
    const shown = await agent.get(`/partnerships/${target.id}?done=terminate`);
    expect(shown.body).toContain('合作已终止');
    expect(shown.body).toContain('终止合作通知书');
    expect(shown.body).not.toContain('终止合作并签发通知书');
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    expect((await inspector.get(`/partnerships/${target.id}`)).body).toContain('<section id="termination">');
  });
});

describe('a later recruitment: the panel sees the record beside eligibility condition 6', () => {
  it('shows the chair “本中心记录：…（日期，终止合作）” on the terminated organisation’s bid only, in the page and the API', async () => {
    const terminated = organizations.find((o) => o.name === bidderOf(all[0]!).name)!;
    const { id: laterId, bidders: later } = await createInEvaluation(t, cast, { arts: [30, 35, 40] }, { organizations: [terminated] });
    const { specialty, experts } = await createExperts(t, 5);
    const drawn = await api('POST', `/recruitments/${laterId}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
    const panel = drawn.json<{ members: { userId: string; order: number }[] }>().members.map((m) => ({ ...m, expert: experts.find((e) => e.id === m.userId)! }));
    for (const { expert } of panel) await api('POST', `/recruitments/${laterId}/panel/declaration`, expert.token, { conflict: false, note: '' });
    const chair = panel.find((m) => m.order === 1)!.expert;

    const answer = (await api('GET', `/recruitments/${laterId}/panel`, chair.token)).json<{
      recordConditionKey: string;
      bids: { bidId: string; centreRecords: { kind: string; line: string }[] }[];
    }>();
    expect(answer.recordConditionKey).toBe('record');
    const withRecord = answer.bids.find((b) => b.bidId === later[0]!.bidId)!;
    expect(withRecord.centreRecords.map((r) => r.kind)).toEqual(['terminated']);
    for (const other of later.slice(1)) expect(answer.bids.find((b) => b.bidId === other.bidId)!.centreRecords).toEqual([]);

    const browser = new Browser(t.app);
    await browser.signIn(chair);
    const page = await browser.get(`/recruitments/${laterId}/evaluation`);
    expect(page.statusCode).toBe(200);
    const articles = page.body.split('<article class="bid-review"').slice(1);
    const ofBid = (bidId: string) => articles.find((a) => a.includes(`id="bid-${bidId}"`))!;
    const row = /<tr><td>无重大违法记录[^<]*(<p class="centre-record[^]*?)<\/td>/.exec(ofBid(later[0]!.bidId));
    expect(row?.[1]).toMatch(/本中心记录：.*（\d{4}-\d{2}-\d{2}，终止合作）/);
    expect(row?.[1]).toContain('/verify/');
    for (const other of later.slice(1)) expect(ofBid(other.bidId)).not.toContain('本中心记录');
  }, 240_000);
});
