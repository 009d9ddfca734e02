import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../server/db/schema.ts';
import { SIGN_WITHIN_DAYS, termEnd } from '../../server/domain/partnerships/rules.ts';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { chineseDate } from '../../server/lib/pdf/format.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import type { Bidder } from '../helpers/evaluation.ts';
import { organisationP12, signAgreement } from '../helpers/partnerships.ts';
import { pdfsig, pdfText, writePdf } from '../helpers/pdf-tools.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, outbox, type Cast } from '../helpers/recruitments.ts';
import { schemaErrors } from '../helpers/ocds-schema.ts';

// The partnership after the award (issue 17): each transition and its refusals through the API,
// the signed agreement checked with pdfsig as an outside party would, and the lapse of an award
// left unsigned past the award notice's deadline.

interface View {
  id: string;
  bidId: string;
  status: string;
  signBy: string;
  termMonths: number;
  currentVersion: number;
  acceptedVersion: number | null;
  signedAt: string | null;
  endsAt: string | null;
  lapsedAt: string | null;
  organization: { id: string; name: string };
  versions: { number: number; termMonths: number; revision: string | null; document: { id: string } | null }[];
  changeRequests: { id: string; answer: string | null; answerText: string | null }[];
  agreement: { id: string; sha256: string; verifyCode: string } | null;
}

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let all: View[];
let otherAgent: string;
const dir = mkdtempSync(path.join(tmpdir(), 'partnerships-'));

type Method = 'GET' | 'POST';
const api = (method: Method, url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const view = async (partnershipId: string, token = cast.inspectorToken) => (await api('GET', `/partnerships/${partnershipId}`, token)).json<View>();
const bidderOf = (partnership: View) => bidders.find((b) => b.bidId === partnership.bidId)!;
const otherThan = (partnership: View) => bidders.find((b) => b.bidId !== partnership.bidId && all.some((p) => p.bidId === b.bidId))!;

async function auditEntries() {
  return (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json<{ action: string; actor: { id: string } | null; target: string; details: Record<string, unknown> }[]>();
}

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createAwarded(t, cast, { arts: [20, 30, 40, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
  all = (await api('GET', `/recruitments/${id}/partnerships`, cast.inspectorToken)).json<View[]>();
  otherAgent = await apiToken(t, await createStaff(t, 'agent'));
}, 240_000);
afterAll(() => t.close());

describe('the award opens a partnership per selected organisation', () => {
  it('in status awarded, with the award notice’s deadline, the recruitment’s term and version 1 of the draft', async () => {
    expect(all).toHaveLength(5);
    const awarded = (await api('GET', `/recruitments/${id}/publicity`, cast.inspectorToken)).json<{ awards: { awardedAt: string; bidId: string }[] }>();
    for (const partnership of all) {
      expect(partnership.status).toBe('awarded');
      const award = awarded.awards.find((a) => a.bidId === partnership.bidId)!;
      expect(Date.parse(partnership.signBy) - Date.parse(award.awardedAt)).toBe(SIGN_WITHIN_DAYS * DAY_MS);
      expect(partnership.termMonths).toBe(36);
      expect(partnership.versions).toHaveLength(1);
      expect(partnership.versions[0]!.document).not.toBeNull();
    }
    const actions = (await auditEntries()).map((e) => e.action);
    expect(actions.filter((a) => a === 'partnership.open')).toHaveLength(5);
  });

  it('whose award notice states the deadline to sign', async () => {
    const partnership = all[0]!;
    const documents = (await api('GET', `/recruitments/${id}/documents`, cast.agentToken)).json<{ id: string; kind: string; bidId: string }[]>();
    const notice = documents.find((d) => d.kind === 'award_notice' && d.bidId === partnership.bidId)!;
    const pdf = (await api('GET', `/documents/${notice.id}`, cast.agentToken)).rawPayload;
    expect(pdfText(writePdf(dir, 'notice.pdf', pdf))).toContain(`请贵单位于${chineseDate(new Date(partnership.signBy))}前`.replace(/\s+/g, ''));
  });

  it('each organisation sees its own only; the inspector and the agent all; another agent none', async () => {
    const partnership = all[0]!;
    const own = (await api('GET', `/recruitments/${id}/partnerships`, bidderOf(partnership).token)).json<View[]>();
    expect(own.map((p) => p.id)).toEqual([partnership.id]);
    expect((await api('GET', `/partnerships/${partnership.id}`, otherThan(partnership).token)).statusCode).toBe(404);
    expect((await api('GET', `/recruitments/${id}/partnerships`, cast.agentToken)).json()).toHaveLength(5);
    expect((await api('GET', `/partnerships/${partnership.id}`, otherAgent)).statusCode).toBe(404);
    const mine = (await api('GET', '/partnerships', bidderOf(partnership).token)).json<View[]>();
    expect(mine.map((p) => p.id)).toEqual([partnership.id]);
  });
});

describe('the review of the draft', () => {
  it('a request for changes is the selected organisation’s own (403 for another, for the agent)', async () => {
    const partnership = all[0]!;
    const text = { text: '希望将每月公益演出场次由 4 场调整为 5 场。' };
    expect((await api('POST', `/partnerships/${partnership.id}/change-requests`, otherThan(partnership).token, text)).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${partnership.id}/change-requests`, cast.agentToken, text)).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${partnership.id}/change-requests`, bidderOf(partnership).token, { text: '  ' })).statusCode).toBe(400);
    const response = await api('POST', `/partnerships/${partnership.id}/change-requests`, bidderOf(partnership).token, text);
    expect(response.statusCode).toBe(201);
    const mail = (await outbox(t)).find((m) => m.to === cast.agent.email && m.subject.startsWith('【协议修改申请】'));
    expect(mail?.text).toContain(text.text);
    const again = await api('POST', `/partnerships/${partnership.id}/change-requests`, bidderOf(partnership).token, text);
    expect(again.json().code).toBe('CHANGE_REQUEST_OPEN');
    const accept = await api('POST', `/partnerships/${partnership.id}/accept`, bidderOf(partnership).token, { version: 1 });
    expect(accept.statusCode).toBe(409);
    expect(accept.json().code).toBe('CHANGE_REQUEST_OPEN');
  });

  it('the agent of another recruitment cannot answer it (403); a term over 60 months or beyond the recruitment’s is refused (400)', async () => {
    const partnership = await view(all[0]!.id);
    const request = partnership.changeRequests[0]!;
    const url = `/agreement-change-requests/${request.id}/answer`;
    expect((await api('POST', url, otherAgent, { answer: 'refused', text: '不予修改' })).statusCode).toBe(403);
    expect((await api('POST', url, bidderOf(partnership).token, { answer: 'refused', text: '不予修改' })).statusCode).toBe(403);
    const tooLong = await api('POST', url, cast.agentToken, { answer: 'revised', text: '延长合作期限', termMonths: 61 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().code).toBe('AGREEMENT_TERM_TOO_LONG');
    const beyond = await api('POST', url, cast.agentToken, { answer: 'revised', text: '延长合作期限', termMonths: 48 });
    expect(beyond.json()).toMatchObject({ statusCode: 400, code: 'AGREEMENT_TERM_BEYOND_TERMS' });
    expect((await view(partnership.id)).versions).toHaveLength(1);
  });

  it('a revision issues version 2 as a signed PDF of its own; a refusal gives its reasons; every version stays', async () => {
    const partnership = all[0]!;
    const request = (await view(partnership.id)).changeRequests[0]!;
    const revised = await api('POST', `/agreement-change-requests/${request.id}/answer`, cast.agentToken, {
      answer: 'revised',
      text: '每月公益演出场次调整为 5 场，其中 1 场安排在周末。',
      termMonths: 24,
    });
    expect(revised.statusCode).toBe(200);
    expect(revised.json().version).toBe(2);
    expect((await api('POST', `/agreement-change-requests/${request.id}/answer`, cast.agentToken, { answer: 'refused', text: '再答' })).json().code).toBe('ALREADY_ANSWERED');
    await api('POST', `/partnerships/${partnership.id}/change-requests`, bidderOf(partnership).token, { text: '希望免收场地使用费。' });
    const second = (await view(partnership.id)).changeRequests[1]!;
    const refused = await api('POST', `/agreement-change-requests/${second.id}/answer`, cast.agentToken, { answer: 'refused', text: '超出招募文件规定的合作条件。' });
    expect(refused.json()).toMatchObject({ answer: 'refused', version: null });
    const answers = (await outbox(t)).filter((m) => m.to === bidderOf(partnership).email && m.subject.startsWith('【协议修改申请答复】'));
    expect(answers).toHaveLength(2);
    expect(answers.some((m) => m.text.includes('签发第 2 版') && m.text.includes('其中 1 场安排在周末'))).toBe(true);
    expect(answers.some((m) => m.text.includes('不予修改') && m.text.includes('超出招募文件规定的合作条件。'))).toBe(true);
    const after = await view(partnership.id);
    expect(after.versions.map((v) => [v.number, v.termMonths])).toEqual([[1, 36], [2, 24]]);
    expect(after.currentVersion).toBe(2);
    expect(after.termMonths).toBe(24);
    expect(after.changeRequests.map((r) => r.answer)).toEqual(['revised', 'refused']);
    const pdf = (await api('GET', `/documents/${after.versions[1]!.document!.id}`, bidderOf(partnership).token)).rawPayload;
    const file = writePdf(dir, 'version-2.pdf', pdf);
    expect(pdfText(file)).toContain('第2版');
    expect(pdfText(file)).toContain('其中1场安排在周末');
    expect(pdfsig(file)).toContain('Signature Validation: Signature is Valid.');
  });
});

describe('signing', () => {
  it('is refused before the organisation accepts a version (409)', async () => {
    const partnership = all[0]!;
    const response = await signAgreement(t, partnership.id, bidderOf(partnership).token, organisationP12(bidderOf(partnership).name));
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('AGREEMENT_NOT_ACCEPTED');
  });

  it('acceptance takes the current version only, and has the centre issue and sign the agreement', async () => {
    const partnership = all[0]!;
    const token = bidderOf(partnership).token;
    expect((await api('POST', `/partnerships/${partnership.id}/accept`, token, { version: 1 })).json().code).toBe('VERSION_NOT_CURRENT');
    expect((await api('POST', `/partnerships/${partnership.id}/accept`, otherThan(partnership).token, { version: 2 })).statusCode).toBe(403);
    const accepted = await api('POST', `/partnerships/${partnership.id}/accept`, token, { version: 2 });
    expect(accepted.statusCode).toBe(200);
    const after = await view(partnership.id);
    expect(after).toMatchObject({ status: 'awarded', acceptedVersion: 2 });
    expect(after.agreement).not.toBeNull();
    const late = await api('POST', `/partnerships/${partnership.id}/change-requests`, token, { text: '再改一处' });
    expect(late.json().code).toBe('AGREEMENT_ALREADY_ACCEPTED');
  });

  it('is refused to another organisation (403), to a non-bidder (403), with another organisation’s certificate or a wrong password (400)', async () => {
    const partnership = all[0]!;
    const own = bidderOf(partnership);
    const other = otherThan(partnership);
    expect((await signAgreement(t, partnership.id, other.token, organisationP12(other.name))).statusCode).toBe(403);
    expect((await signAgreement(t, partnership.id, cast.agentToken, organisationP12(own.name))).statusCode).toBe(403);
    const foreign = await signAgreement(t, partnership.id, own.token, organisationP12(other.name));
    expect(foreign.json()).toMatchObject({ statusCode: 400, code: 'CERTIFICATE_NOT_OF_ORGANIZATION' });
    const wrong = await signAgreement(t, partnership.id, own.token, organisationP12(own.name), 'not the password');
    expect(wrong.json()).toMatchObject({ statusCode: 400, code: 'P12_UNREADABLE' });
    expect((await signAgreement(t, partnership.id, own.token, Buffer.from('not a certificate'))).json().code).toBe('P12_UNREADABLE');
    expect((await signAgreement(t, partnership.id, own.token, Buffer.alloc(0))).json()).toMatchObject({ statusCode: 400, code: 'FILE_REQUIRED' });
    expect((await signAgreement(t, partnership.id, own.token, Buffer.alloc(70 * 1024, 1))).json()).toMatchObject({ statusCode: 413, code: 'FILE_TOO_LARGE' });
    const json = await api('POST', `/partnerships/${partnership.id}/sign`, own.token, { p12: 'x', password: 'y' });
    expect(json.statusCode).toBeGreaterThanOrEqual(400);
    expect(json.statusCode).toBeLessThan(500);
    expect((await view(partnership.id)).status).toBe('awarded');
  });

  it('by the organisation adds its signature in an incremental update: pdfsig finds two valid signatures, the last over the whole file', async () => {
    const partnership = all[0]!;
    const own = bidderOf(partnership);
    const before = (await view(partnership.id)).agreement!;
    const centreSigned = (await api('GET', `/documents/${before.id}`, own.token)).rawPayload;
    const response = await signAgreement(t, partnership.id, own.token, organisationP12(own.name));
    expect(response.statusCode).toBe(200);
    const after = await view(partnership.id);
    expect(after.status).toBe('signed');
    // the term starts at the signature and its end is shown
    expect(after.endsAt).toBe(termEnd(new Date(after.signedAt!), 24).toISOString());
    const download = await api('GET', `/documents/${before.id}`, own.token);
    const both = download.rawPayload;
    expect(download.headers['x-content-sha256']).toBe(after.agreement!.sha256);
    expect(Buffer.compare(both.subarray(0, centreSigned.length), centreSigned)).toBe(0);
    const file = writePdf(dir, 'agreement.pdf', both);
    const report = pdfsig(file);
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(report).toContain(`Signer Certificate Common Name: ${own.name}`);
    expect(report.slice(report.indexOf('Signature #2'))).toContain('Total document signed');
    const text = pdfText(file);
    expect(text).toContain(`乙方电子签名：${own.name}`);
    expect(text).toContain('甲方电子签名');
    // the file verifies against the portal's record
    const verify = (await t.app.inject({ method: 'GET', url: `/api/v1/verify/${encodeURIComponent(after.agreement!.verifyCode)}` })).json();
    expect(verify.sha256).toBe(after.agreement!.sha256);
  });

  it('twice is refused (409), and so is a request for changes after signing', async () => {
    const partnership = all[0]!;
    const own = bidderOf(partnership);
    const again = await signAgreement(t, partnership.id, own.token, organisationP12(own.name));
    expect(again.json()).toMatchObject({ statusCode: 409, code: 'INVALID_TRANSITION' });
    const late = await api('POST', `/partnerships/${partnership.id}/change-requests`, own.token, { text: '再改一处' });
    expect(late.json()).toMatchObject({ statusCode: 409, code: 'NOT_UNDER_REVIEW' });
  });

  it('is recorded in the audit log, with the certificate, and the agent then records the start of operation', async () => {
    const partnership = all[0]!;
    const entries = await auditEntries();
    const actions = entries.filter((e) => e.target === `partnership:${partnership.id}`).map((e) => e.action);
    expect(actions).toEqual(['partnership.open', 'agreement.request_changes', 'agreement.revise', 'agreement.request_changes', 'agreement.refuse_changes', 'agreement.accept', 'partnership.sign']);
    expect((await api('POST', `/partnerships/${partnership.id}/activate`, otherAgent)).statusCode).toBe(403);
    expect((await api('POST', `/partnerships/${partnership.id}/activate`, cast.agentToken)).json().status).toBe('active');
    const chain = (await api('GET', '/audit/verify', cast.inspectorToken)).json();
    expect(chain.ok).toBe(true);
  });
});

describe('an award left unsigned past the deadline', () => {
  it('lapses on the first read after the deadline, by the portal, recorded in the audit log', async () => {
    const second = all[1]!;
    t.clock.set(new Date(Date.parse(second.signBy) + 1000));
    const lapsed = await view(second.id, bidderOf(second).token);
    expect(lapsed.status).toBe('lapsed');
    expect(lapsed.lapsedAt).not.toBeNull();
    const entry = (await auditEntries()).find((e) => e.action === 'partnership.lapse' && e.target === `partnership:${second.id}`);
    expect(entry).toBeDefined();
    expect(entry!.actor).toBeNull();
    expect(entry!.details).toMatchObject({ from: 'awarded', to: 'lapsed', signBy: second.signBy });
  });

  it('lapses on the sweep on the clock too, and only the unsigned ones', async () => {
    expect(await t.app.services.partnerships.lapseOverdue()).toBe(3);
    expect(await t.app.services.partnerships.lapseOverdue()).toBe(0);
    const statuses = (await api('GET', `/recruitments/${id}/partnerships`, cast.inspectorToken)).json<View[]>().map((p) => p.status);
    expect(statuses.sort()).toEqual(['active', 'lapsed', 'lapsed', 'lapsed', 'lapsed']);
  });

  it('17: the open data (OCDS) tells the signed agreement as an active contract for its term and each lapsed award as cancelled, valid against the schema', async () => {
    const ocds = (await t.app.inject({ url: `/api/v1/recruitments/${id}/ocds` })).json();
    expect(schemaErrors(ocds)).toEqual([]);
    const later = ocds.releases.filter((r: { tag: string[] }) => ['implementation', 'contractUpdate'].includes(r.tag[0]!));
    const signed = later.filter((r: { tag: string[] }) => r.tag[0] === 'implementation');
    expect(signed).toHaveLength(1);
    const active = (await view(all[0]!.id)) as View;
    expect(signed[0].contracts[0]).toMatchObject({ status: 'active', dateSigned: active.signedAt, period: { startDate: active.signedAt, endDate: active.endsAt } });
    const cancelled = later.filter((r: { tag: string[] }) => r.tag[0] === 'contractUpdate');
    expect(cancelled.map((r: { contracts: { status: string }[] }) => r.contracts[0]!.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('raises an alert for the inspector, once per lapsed award', async () => {
    await t.app.services.inspection.review.reviewNewEntries();
    const raised = await t.database.db.select().from(alerts).where(eq(alerts.recruitmentId, id));
    const lapsed = raised.filter((alert) => alert.indicator === 'award_lapsed');
    expect(lapsed).toHaveLength(4);
    expect(lapsed[0]!.subject).toContain('入选资格失效');
    await t.app.services.inspection.review.reviewNewEntries();
    expect((await t.database.db.select().from(alerts).where(eq(alerts.recruitmentId, id))).filter((a) => a.indicator === 'award_lapsed')).toHaveLength(4);
  });

  it('shows on the inspector’s partnership page of the recruitment', async () => {
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    const page = await inspector.get(`/recruitments/${id}/partnerships`);
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/逾期未签（已失效）/g)).toHaveLength(4);
    const detail = await inspector.get(`/partnerships/${all[1]!.id}`);
    expect(detail.body).toContain('未在签约期限内签署，入选资格失效');
  });

  it('cannot be signed or reviewed any more (409 AWARD_LAPSED)', async () => {
    const partnership = all[1]!;
    const own = bidderOf(partnership);
    expect((await signAgreement(t, partnership.id, own.token, organisationP12(own.name))).json().code).toBe('AWARD_LAPSED');
    expect((await api('POST', `/partnerships/${partnership.id}/accept`, own.token, { version: 1 })).json().code).toBe('AWARD_LAPSED');
  });
});
