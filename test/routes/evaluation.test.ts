import { renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawPanel, drawSequence, replacementFor } from '../../server/domain/evaluation/draw.ts';
import { computeEvaluation } from '../../server/domain/evaluation/scoring.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_PASS, createExperts, createInEvaluation, type Bidder, type Expert } from '../helpers/evaluation.ts';
import { Browser } from '../helpers/browser.ts';
import { pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, outbox, type Cast } from '../helpers/recruitments.ts';

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let specialty: string;
let pool: Expert[];
let affiliated: Expert;
/** the serving panel, by seat: panel[0] chairs */
let panel: Expert[] = [];

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createInEvaluation(t, cast, { arts: [20, 30, 40, 40], sports: [25, 35, 45] }));
  ({ specialty, experts: pool } = await createExperts(t, 7));
  const user = await createStaff(t, 'expert', { specialties: [specialty], affiliationUscc: bidders[0]!.uscc });
  affiliated = { ...user, token: await apiToken(t, user) };
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PUT';
const api = (method: Method, url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const expertById = (userId: string) => [...pool, affiliated].find((e) => e.id === userId)!;
const criteria = ['plan', 'ability', 'record', 'share', 'revenue'];
const sheet = (plan: number, share = 10) => ({ scores: { plan, ability: 15, record: 15, share, revenue: 10 }, comment: '' });

async function auditEntries(action: string) {
  const entries = (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json();
  return entries.filter((e: { action: string }) => e.action === action);
}

describe('the panel draw', () => {
  it('is the agent’s: other roles are refused', async () => {
    for (const token of [cast.inspectorToken, pool[0]!.token, bidders[0]!.token]) {
      expect((await api('POST', `/recruitments/${id}/panel/draw`, token, { size: 5 })).statusCode).toBe(403);
    }
    const otherAgent = await apiToken(t, await createStaff(t, 'agent'));
    expect((await api('POST', `/recruitments/${id}/panel/draw`, otherAgent, { size: 5 })).statusCode).toBe(403);
  });

  it('refuses an even or small panel (400) and a panel larger than the candidates (409)', async () => {
    for (const size of [3, 4, 6]) {
      const response = await api('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size, specialties: [specialty] });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('PANEL_SIZE_INVALID');
    }
    expect((await api('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 'five' })).statusCode).toBe(400);
    const tooMany = await api('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 9, specialties: [specialty] });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().code).toBe('NOT_ENOUGH_EXPERTS');
  });

  it('draws five of the seven unaffiliated experts; the logged seed and candidates recompute the panel', async () => {
    const response = await api('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
    expect(response.statusCode).toBe(200);
    const { seed, members } = response.json();
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(members.map((m: { order: number }) => m.order)).toEqual([1, 2, 3, 4, 5]);
    const [logged] = await auditEntries('panel.draw');
    expect(logged.details.candidates).toHaveLength(7);
    expect(logged.details.candidates).not.toContain(affiliated.id);
    expect(logged.details.excludedUscc).toContain(bidders[0]!.uscc);
    const recomputed = drawPanel(logged.details.seed, logged.details.candidates, 5);
    expect(recomputed.map((s) => s.userId)).toEqual(members.map((m: { userId: string }) => m.userId));
    const again = await api('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
    expect(again.json().code).toBe('PANEL_ALREADY_DRAWN');
    panel = members.map((m: { userId: string }) => expertById(m.userId));
  });

  it('tells each member its seat by mail, naming no other member', async () => {
    const mails = (await outbox(t)).filter((m) => m.subject.startsWith('【评审专家抽取】'));
    expect(mails.map((m) => m.to).sort()).toEqual(panel.map((e) => e.email).sort());
    const chair = mails.find((m) => m.to === panel[0]!.email)!;
    expect(chair.text).toContain('您已被随机抽取为本项目评审委员会第 1 位评审专家（组长）');
    expect(chair.text).toContain(`/recruitments/${id}/evaluation`);
    expect(chair.text).toContain('回避声明');
    for (const other of panel.slice(1)) expect(chair.text).not.toContain(other.name);
  });
});

describe('declarations', () => {
  it('refuse an expert not on the panel, and a conflict without a note', async () => {
    const outsider = pool.find((e) => !panel.includes(e))!;
    const response = await api('POST', `/recruitments/${id}/panel/declaration`, outsider.token, { conflict: false, note: '' });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('NOT_PANEL_MEMBER');
    expect((await api('GET', `/recruitments/${id}/panel`, outsider.token)).statusCode).toBe(403);
    const noNote = await api('POST', `/recruitments/${id}/panel/declaration`, panel[1]!.token, { conflict: true, note: ' ' });
    expect(noNote.json().code).toBe('NOTE_REQUIRED');
  });

  it('show the bidder list before the declaration, but no documents', async () => {
    const view = (await api('GET', `/recruitments/${id}/panel`, panel[1]!.token)).json();
    expect(view.me).toMatchObject({ order: 2, status: 'pending', chair: false });
    expect(view.bids.map((b: { organization: string }) => b.organization).sort()).toEqual(bidders.map((b) => b.name).sort());
    expect(view.bids.every((b: { files: unknown[] }) => b.files.length === 0)).toBe(true);
  });

  it('a conflict replaces the expert by the next of the sequence, in the same seat', async () => {
    const recused = panel[1]!;
    const response = await api('POST', `/recruitments/${id}/panel/declaration`, recused.token, { conflict: true, note: '曾为其中一家单位提供咨询服务' });
    expect(response.statusCode).toBe(200);
    const [logged] = await auditEntries('panel.draw');
    const expected = replacementFor(drawSequence(logged.details.seed, logged.details.candidates), 5, 2)!;
    expect(response.json()).toEqual({ status: 'recused', replacement: { userId: expected.userId, order: 2 } });
    expect(await auditEntries('panel.replace')).toHaveLength(1);
    expect((await api('GET', `/recruitments/${id}/panel`, recused.token)).statusCode).toBe(403);
    panel[1] = expertById(expected.userId);
    const told = (await outbox(t)).filter((m) => m.to === panel[1]!.email);
    expect(told.map((m) => m.text)).toEqual([expect.stringContaining('您已按抽取序列递补为本项目评审委员会第 2 位评审专家')]);
    for (const expert of panel) {
      const declared = await api('POST', `/recruitments/${id}/panel/declaration`, expert.token, { conflict: false, note: '' });
      expect(declared.json()).toMatchObject({ status: 'serving' });
    }
    const twice = await api('POST', `/recruitments/${id}/panel/declaration`, panel[0]!.token, { conflict: false, note: '' });
    expect(twice.json().code).toBe('ALREADY_DECLARED');
  });
});

describe('bid documents', () => {
  it('are downloaded decrypted by the panel, the agent and the inspector, each download audited', async () => {
    const view = (await api('GET', `/recruitments/${id}/panel`, panel[0]!.token)).json();
    const bid = view.bids.find((b: { bidId: string }) => b.bidId === bidders[0]!.bidId);
    const [file] = bid.files;
    const url = `/recruitments/${id}/bids/${bid.bidId}/files/${file.id}`;
    for (const token of [panel[0]!.token, cast.agentToken, cast.inspectorToken]) {
      const response = await api('GET', url, token);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.rawPayload.equals(pdfWith(`bid of ${bidders[0]!.name}`))).toBe(true);
      expect(response.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`${bidders[0]!.name}.pdf`)}`);
    }
    expect(await auditEntries('bid.download')).toHaveLength(3);
    expect((await api('GET', url, bidders[0]!.token)).statusCode).toBe(403);
    expect((await api('GET', url, pool.find((e) => !panel.includes(e) && e.id !== view.members[1].userId)!.token)).statusCode).toBe(403);
    expect((await api('GET', `/recruitments/${id}/bids/${bidders[1]!.bidId}/files/${file.id}`, cast.agentToken)).statusCode).toBe(404);
  });

  it('are not audited as downloaded when the storage cannot give the file', async () => {
    const bid = (await api('GET', `/recruitments/${id}/panel`, panel[0]!.token)).json().bids.find((b: { bidId: string }) => b.bidId === bidders[0]!.bidId);
    const [file] = bid.files;
    const stored = path.join(t.storageDir, 'bids', id, `${file.id}.sealed`);
    const before = (await auditEntries('bid.download')).length;
    renameSync(stored, `${stored}.away`);
    try {
      expect((await api('GET', `/recruitments/${id}/bids/${bid.bidId}/files/${file.id}`, cast.agentToken)).statusCode).toBe(500);
    } finally {
      renameSync(`${stored}.away`, stored);
    }
    expect(await auditEntries('bid.download')).toHaveLength(before);
  });
});

describe('qualification review', () => {
  it('is the chair’s; every condition needs a verdict and a fail a reason', async () => {
    const url = `/recruitments/${id}/qualification/${bidders[3]!.bidId}`;
    const notChair = await api('PUT', url, panel[1]!.token, ALL_PASS);
    expect(notChair.statusCode).toBe(403);
    expect(notChair.json().code).toBe('NOT_CHAIR');
    const [first, ...others] = Object.keys(ALL_PASS.results);
    const incomplete = await api('PUT', url, panel[0]!.token, { results: Object.fromEntries(others.map((k) => [k, 'pass'])), reason: '' });
    expect(incomplete.json().code).toBe('QUALIFICATION_INCOMPLETE');
    const failed = { results: { ...ALL_PASS.results, [first!]: 'fail' }, reason: '' };
    expect((await api('PUT', url, panel[0]!.token, failed)).json().code).toBe('REASON_REQUIRED');
    expect((await api('PUT', url, panel[0]!.token, { ...failed, results: { ...failed.results, [first!]: 'maybe' } })).statusCode).toBe(400);
    const disqualified = await api('PUT', url, panel[0]!.token, { ...failed, reason: '未提供有效的营业执照' });
    expect(disqualified.json()).toEqual({ bidId: bidders[3]!.bidId, qualified: false });
  });

  it('a bid not yet reviewed, or disqualified, cannot be scored', async () => {
    const pending = await api('PUT', `/recruitments/${id}/scores/${bidders[0]!.bidId}`, panel[1]!.token, sheet(20));
    expect(pending.json().code).toBe('QUALIFICATION_PENDING');
    const disqualified = await api('PUT', `/recruitments/${id}/scores/${bidders[3]!.bidId}`, panel[1]!.token, sheet(20));
    expect(disqualified.statusCode).toBe(409);
    expect(disqualified.json().code).toBe('BID_DISQUALIFIED');
    for (const bidder of bidders.filter((b) => b !== bidders[3])) {
      expect((await api('PUT', `/recruitments/${id}/qualification/${bidder.bidId}`, panel[0]!.token, ALL_PASS)).statusCode).toBe(200);
    }
  });
});

describe('scoring', () => {
  const qualified = () => bidders.filter((b) => b !== bidders[3]);
  const scoreUrl = (bidder: Bidder) => `/recruitments/${id}/scores/${bidder.bidId}`;

  it('refuses out-of-range, off-step, missing and unknown scores, and anyone not on the panel', async () => {
    const url = scoreUrl(bidders[0]!);
    const expert = panel[2]!;
    const cases: [object, string][] = [
      [{ ...sheet(31) }, 'SCORE_OUT_OF_RANGE'],
      [{ ...sheet(-1) }, 'SCORE_OUT_OF_RANGE'],
      [{ ...sheet(20.3) }, 'SCORE_OFF_STEP'],
      [{ scores: { plan: 20 }, comment: '' }, 'SCORES_INCOMPLETE'],
      [{ scores: { ...sheet(20).scores, extra: 1 }, comment: '' }, 'UNKNOWN_CRITERION'],
    ];
    for (const [body, code] of cases) {
      const response = await api('PUT', url, expert.token, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe(code);
    }
    expect((await api('PUT', url, expert.token, { scores: { plan: 'high' }, comment: '' })).statusCode).toBe(400);
    expect((await api('PUT', url, cast.agentToken, sheet(20))).statusCode).toBe(403);
    expect((await api('PUT', url, bidders[0]!.token, sheet(20))).statusCode).toBe(403);
    const outsider = await api('PUT', url, pool.find((e) => !panel.includes(e))!.token, sheet(20));
    expect(outsider.json().code).toBe('NOT_PANEL_MEMBER');
  });

  it('drafts are editable; submission needs every qualified bid scored, then locks', async () => {
    const expert = panel[0]!;
    expect((await api('PUT', scoreUrl(bidders[0]!), expert.token, sheet(5))).statusCode).toBe(200);
    const missing = await api('POST', `/recruitments/${id}/scores/submit`, expert.token);
    expect(missing.json().code).toBe('SCORES_MISSING');
    for (const [j, bidder] of qualified().entries()) {
      expect((await api('PUT', scoreUrl(bidder), expert.token, sheet(20 + j))).statusCode).toBe(200);
    }
    const own = (await api('GET', `/recruitments/${id}/scores`, expert.token)).json();
    expect(own.find((s: { bidId: string }) => s.bidId === bidders[0]!.bidId).scores).toEqual(sheet(20).scores);
    expect((await api('POST', `/recruitments/${id}/scores/submit`, expert.token)).json()).toEqual({ submitted: true, allSubmitted: false });
    const edit = await api('PUT', scoreUrl(bidders[0]!), expert.token, sheet(25));
    expect(edit.statusCode).toBe(409);
    expect(edit.json().code).toBe('SCORES_SUBMITTED');
    expect((await api('PUT', `/recruitments/${id}/qualification/${bidders[3]!.bidId}`, expert.token, ALL_PASS)).json().code).toBe('QUALIFICATION_LOCKED');
  });

  it('the agent replaces a member who cannot serve before it submits; its drafts no longer count', async () => {
    const leaving = panel[4]!;
    expect((await api('PUT', scoreUrl(bidders[0]!), leaving.token, sheet(3))).statusCode).toBe(200);
    const replace = (token: string, payload: object) => api('POST', `/recruitments/${id}/panel/replace`, token, payload);
    const REASON = '专家因病住院，无法参加评审';
    for (const token of [cast.inspectorToken, leaving.token]) expect((await replace(token, { userId: leaving.id, reason: REASON })).statusCode).toBe(403);
    expect((await replace(cast.agentToken, { userId: leaving.id, reason: ' ' })).json().code).toBe('REASON_REQUIRED');
    expect((await replace(cast.agentToken, { userId: 'x', reason: REASON })).statusCode).toBe(400);
    const outsider = pool.find((e) => !panel.includes(e))!;
    expect((await replace(cast.agentToken, { userId: outsider.id, reason: REASON })).json().code).toBe('NOT_ON_PANEL');
    const submitted = await replace(cast.agentToken, { userId: panel[0]!.id, reason: REASON });
    expect(submitted.statusCode).toBe(409);
    expect(submitted.json().code).toBe('SCORES_SUBMITTED');

    const response = await replace(cast.agentToken, { userId: leaving.id, reason: REASON });
    expect(response.statusCode).toBe(200);
    const [logged] = await auditEntries('panel.draw');
    const next = drawSequence(logged.details.seed, logged.details.candidates)[6]!;
    expect(response.json()).toEqual({ userId: leaving.id, order: 5, replacement: { userId: next, order: 5 }, vacant: false });
    const replaced = (await auditEntries('panel.replace')).at(-1);
    expect(replaced.details).toMatchObject({ recused: leaving.id, order: 5, reason: REASON, round: 1 });
    expect((await api('GET', `/recruitments/${id}/panel`, leaving.token)).statusCode).toBe(403);
    expect((await api('PUT', scoreUrl(bidders[0]!), leaving.token, sheet(4))).statusCode).toBe(403);
    const members = (await api('GET', `/recruitments/${id}/panel`, cast.inspectorToken)).json().members;
    expect(members.find((m: { userId: string }) => m.userId === leaving.id)).toMatchObject({ status: 'recused', replacedReason: REASON, untilRound: null });
    const mails = await outbox(t);
    expect(mails.find((m) => m.to === leaving.email && m.subject.startsWith('【评审专家更换】'))!.text).toContain(REASON);
    expect(mails.some((m) => m.to === expertById(next).email && m.text.includes('按抽取序列递补为本项目评审委员会第 5 位'))).toBe(true);
    panel[4] = expertById(next);
    expect((await api('POST', `/recruitments/${id}/panel/declaration`, panel[4]!.token, { conflict: false, note: '' })).statusCode).toBe(200);
  });

  it('nobody sees the result before every expert has submitted; the inspector sees who has', async () => {
    for (const token of [cast.agentToken, cast.inspectorToken, panel[0]!.token, panel[1]!.token]) {
      const response = await api('GET', `/recruitments/${id}/evaluation`, token);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('SCORES_PENDING');
    }
    const progress = (await api('GET', `/recruitments/${id}/panel`, cast.inspectorToken)).json();
    const seated = progress.members.filter((m: { status: string }) => m.status !== 'recused');
    expect(seated.map((m: { submittedAt: string | null }) => m.submittedAt !== null)).toEqual([true, false, false, false, false]);
    expect(JSON.stringify(progress)).not.toContain('"scores"');
  });

  it('the others score and submit; the last submission opens the result', async () => {
    for (const [i, expert] of panel.slice(1).entries()) {
      for (const [j, bidder] of qualified().entries()) {
        // seat 5 marks the first bid far below the others: an outlier needing a justification
        const body = i === 3 && j === 0 ? { scores: { plan: 0, ability: 0, record: 0, share: 0, revenue: 0 }, comment: '' } : sheet(20 + j, 10 + (i % 2) * 0.5);
        expect((await api('PUT', scoreUrl(bidder), expert.token, body)).statusCode).toBe(200);
      }
      const submitted = await api('POST', `/recruitments/${id}/scores/submit`, expert.token);
      expect(submitted.json().allSubmitted).toBe(i === 3);
    }
  });
});

describe('the result', () => {
  it('shows totals, trimmed means, ranks and flags; a recomputation from the scores gives the same ranking', async () => {
    const response = await api('GET', `/recruitments/${id}/evaluation`, cast.inspectorToken);
    expect(response.statusCode).toBe(200);
    const evaluation = response.json();
    const arts = evaluation.bids.filter((b: { lot: string }) => b.lot === 'arts');
    const disqualified = arts.find((b: { bidId: string }) => b.bidId === bidders[3]!.bidId);
    expect(disqualified).toMatchObject({ qualified: false, rank: null, recommended: false, totals: {} });
    const first = evaluation.bids.find((b: { bidId: string }) => b.bidId === bidders[0]!.bidId);
    expect(Object.keys(first.totals)).toHaveLength(5);
    expect(first.flags).toEqual([expect.objectContaining({ kind: 'outlier', userId: panel[4]!.id, total: 0, justified: false })]);
    expect(Object.keys(first.scores[panel[0]!.id])).toEqual(criteria);
    expect(evaluation.identicalVectors.length).toBeGreaterThan(0);

    const qualifiedBids = evaluation.bids.filter((b: { qualified: boolean }) => b.qualified);
    const recomputed = computeEvaluation({
      criteria: evaluation.criteria,
      panel: evaluation.members.map((m: { userId: string }) => m.userId),
      quotas: Object.fromEntries(evaluation.lots.map((l: { key: string; quota: number }) => [l.key, l.quota])),
      bids: qualifiedBids.map((b: { bidId: string; lot: string; publicBenefitRatio: number; submittedAt: string; scores: Record<string, Record<string, number>>; comments: Record<string, string> }) => ({
        bidId: b.bidId,
        lot: b.lot,
        publicBenefitRatio: b.publicBenefitRatio,
        receivedAt: new Date(b.submittedAt),
        sheets: Object.fromEntries(Object.entries(b.scores).map(([userId, scores]) => [userId, { scores, comment: b.comments[userId] ?? '' }])),
      })),
    });
    for (const bid of recomputed.bids) {
      expect(qualifiedBids.find((b: { bidId: string }) => b.bidId === bid.bidId)).toMatchObject({ rank: bid.rank, mean: bid.mean, recommended: bid.recommended });
    }
    // arts: bids 0, 1, 2 score 20, 21, 22 on `plan`, so the third ranks first; quota 3 recommends all three
    const artsRanks = arts.filter((b: { qualified: boolean }) => b.qualified).map((b: { bidId: string; rank: number }) => [b.bidId, b.rank]);
    expect(artsRanks).toEqual(expect.arrayContaining([[bidders[2]!.bidId, 1], [bidders[1]!.bidId, 2], [bidders[0]!.bidId, 3]]));
    expect((await api('GET', `/recruitments/${id}/evaluation`, bidders[0]!.token)).statusCode).toBe(403);
  });

  it('an outlier needs a written justification before its expert confirms; the inspector signs off once all have', async () => {
    for (const expert of panel.slice(0, 4)) {
      expect((await api('POST', `/recruitments/${id}/evaluation/confirm`, expert.token)).json()).toEqual({ confirmed: true });
    }
    const outlier = panel[4]!;
    const refused = await api('POST', `/recruitments/${id}/evaluation/confirm`, outlier.token);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('JUSTIFICATION_REQUIRED');
    const early = await api('POST', `/recruitments/${id}/evaluation/sign-off`, cast.inspectorToken, { comment: '同意' });
    expect(early.json().code).toBe('CONFIRMATIONS_PENDING');
    const commented = await api('PUT', `/recruitments/${id}/scores/${bidders[0]!.bidId}/comment`, outlier.token, { comment: '响应文件缺少公益服务方案的实施细节' });
    expect(commented.statusCode).toBe(200);
    expect((await api('POST', `/recruitments/${id}/evaluation/confirm`, outlier.token)).statusCode).toBe(200);
    expect((await api('POST', `/recruitments/${id}/evaluation/confirm`, outlier.token)).json().code).toBe('ALREADY_CONFIRMED');
    expect((await api('POST', `/recruitments/${id}/evaluation/sign-off`, cast.agentToken, { comment: 'x' })).statusCode).toBe(403);
    const signed = await api('POST', `/recruitments/${id}/evaluation/sign-off`, cast.inspectorToken, { comment: '评审过程规范' });
    expect(signed.statusCode).toBe(200);
    expect(signed.json()).toMatchObject({ status: 'evaluation', signedOff: true, chainOk: true });
    expect(signed.json().chainHead).toMatch(/^[0-9a-f]{64}$/);
    expect((await api('POST', `/recruitments/${id}/evaluation/sign-off`, cast.inspectorToken, { comment: 'x' })).json().code).toBe('ALREADY_SIGNED_OFF');
    const evaluation = (await api('GET', `/recruitments/${id}/evaluation`, cast.agentToken)).json();
    expect(evaluation.signOff).toMatchObject({ comment: '评审过程规范', chainHead: signed.json().chainHead });
    expect(evaluation.bids.find((b: { bidId: string }) => b.bidId === bidders[0]!.bidId).flags[0].justified).toBe(true);
    const report = await t.app.services.evaluation.evaluationReport(id);
    expect(report.bids).toHaveLength(bidders.length);
  });

  it('nothing changes while the recruitment is suspended, nor before it reaches evaluation', async () => {
    expect((await api('POST', `/recruitments/${id}/suspend`, cast.inspectorToken, { reason: '接到举报，暂停核查' })).statusCode).toBe(200);
    const suspended = await api('PUT', `/recruitments/${id}/scores/${bidders[0]!.bidId}/comment`, panel[0]!.token, { comment: '补充' });
    expect(suspended.json().code).toBe('NOT_IN_EVALUATION');
    const reason = '专家因病无法参加评审';
    expect((await api('POST', `/recruitments/${id}/panel/replace`, cast.agentToken, { userId: panel[4]!.id, reason })).json().code).toBe('NOT_IN_EVALUATION');
    expect((await api('POST', `/recruitments/${id}/panel/supplementary-draw`, cast.agentToken, { reason })).json().code).toBe('NOT_IN_EVALUATION');
    expect((await api('GET', `/recruitments/${id}/evaluation`, cast.inspectorToken)).statusCode).toBe(200);
    expect((await api('POST', `/recruitments/${id}/resume`, cast.inspectorToken)).json()).toMatchObject({ status: 'evaluation' });
    const published = await createPublished(t, cast);
    const early = await api('POST', `/recruitments/${published}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('NOT_IN_EVALUATION');
  });
});

describe('an exhausted sequence', () => {
  let other: { id: string; bidders: Bidder[] };
  let only: string;
  let experts: Expert[];
  const supplementary = (token: string, payload: object = { reason: '第 3 席专家回避，原抽取序列已用尽' }) =>
    api('POST', `/recruitments/${other.id}/panel/supplementary-draw`, token, payload);
  const panelOf = async () => (await api('GET', `/recruitments/${other.id}/panel`, cast.agentToken)).json();

  it('leaves the seat of a recused expert empty, logged, and the result never opens', async () => {
    other = await createInEvaluation(t, cast, { arts: [20, 30, 40] });
    ({ specialty: only, experts } = await createExperts(t, 5));
    const drawn = await api('POST', `/recruitments/${other.id}/panel/draw`, cast.agentToken, { size: 5, specialties: [only] });
    const third = experts.find((e) => e.id === drawn.json().members[2].userId)!;
    const declared = await api('POST', `/recruitments/${other.id}/panel/declaration`, third.token, { conflict: true, note: '系其中一家单位理事' });
    expect(declared.json()).toEqual({ status: 'recused', replacement: null });
    expect((await panelOf()).vacantSeats).toEqual([3]);
    const entries = (await api('GET', `/audit?recruitmentId=${other.id}&limit=1000`, cast.inspectorToken)).json();
    expect(entries.some((e: { action: string }) => e.action === 'panel.seat_vacant')).toBe(true);
    expect((await api('GET', `/recruitments/${other.id}/evaluation`, cast.agentToken)).json().code).toBe('SCORES_PENDING');
  });

  it('a supplementary draw is the recruitment agent’s, with a reason, and needs experts never drawn', async () => {
    for (const token of [cast.inspectorToken, experts[0]!.token, other.bidders[0]!.token]) {
      expect((await supplementary(token)).statusCode).toBe(403);
    }
    const otherAgent = await apiToken(t, await createStaff(t, 'agent'));
    expect((await supplementary(otherAgent)).json().code).toBe('FORBIDDEN');
    const blank = await supplementary(cast.agentToken, { reason: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json()).toMatchObject({ code: 'REASON_REQUIRED', message: '补充抽取评审专家须说明原因' });
    expect((await supplementary(cast.agentToken, {})).statusCode).toBe(400);
    // the only candidates are the five drawn, the recused one included, and one affiliated with a bidder
    const user = await createStaff(t, 'expert', { specialties: [only], affiliationUscc: other.bidders[1]!.uscc });
    const none = await supplementary(cast.agentToken);
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('NOT_ENOUGH_EXPERTS');
    expect(none.json().message).toContain('专家库');
    const panel = await panelOf();
    expect(panel.supplementaryDraws).toEqual([]);
    expect(panel.vacantSeats).toEqual([3]);
    expect(panel.members.map((m: { userId: string }) => m.userId)).not.toContain(user.id);
  });

  it('the evaluation page offers the agent the supplementary draw beside the vacant seat, and shows the refusal there', async () => {
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    const seen = await inspector.get(`/recruitments/${other.id}/evaluation`);
    expect(seen.body).toContain('第 3 席空缺，评审无法完成，待经办人补充抽取');
    expect(seen.body).not.toContain('/panel/supplementary-draw');
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/recruitments/${other.id}/evaluation`)).body).toContain(`action="/recruitments/${other.id}/panel/supplementary-draw"`);
    const blank = await agent.post(`/recruitments/${other.id}/panel/supplementary-draw`, { reason: '' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('补充抽取评审专家须说明原因');
    const refused = await agent.post(`/recruitments/${other.id}/panel/supplementary-draw`, { reason: '第 3 席空缺' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('请先补充专家库');
  });

  it('draws over the experts never drawn, fills the vacant seat, and its sequence goes on serving recusals', async () => {
    const added: Expert[] = [];
    for (let i = 0; i < 2; i++) {
      const user = await createStaff(t, 'expert', { specialties: [only] });
      added.push({ ...user, token: await apiToken(t, user) });
    }
    const response = await supplementary(cast.agentToken);
    expect(response.statusCode).toBe(200);
    const [logged] = (await api('GET', `/audit?recruitmentId=${other.id}&limit=1000`, cast.inspectorToken))
      .json()
      .filter((e: { action: string }) => e.action === 'panel.supplementary_draw');
    expect(logged.details.candidates).toEqual(added.map((e) => e.id).sort());
    expect(logged.details.reason).toBe('第 3 席专家回避，原抽取序列已用尽');
    const sequence = drawSequence(logged.details.seed, logged.details.candidates);
    const seated = added.find((e) => e.id === sequence[0])!;
    expect(response.json()).toEqual({
      number: 1,
      seed: logged.details.seed,
      members: [{ userId: seated.id, name: seated.name, order: 3 }],
      vacantSeats: [],
    });
    const panel = await panelOf();
    expect(panel.vacantSeats).toEqual([]);
    expect(panel.supplementaryDraws).toMatchObject([{ number: 1, reason: '第 3 席专家回避，原抽取序列已用尽', seed: logged.details.seed }]);
    expect(panel.members.find((m: { userId: string }) => m.userId === seated.id)).toMatchObject({ order: 3, position: 6, status: 'pending', drawNumber: 1 });
    expect(panel.members.filter((m: { drawNumber: number }) => m.drawNumber === 0)).toHaveLength(5);
    expect((await supplementary(cast.agentToken)).json().code).toBe('NO_VACANT_SEAT');
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = (await agent.get(`/recruitments/${other.id}/evaluation`)).body;
    expect(page).toContain('第 1 次补充抽取');
    expect(page).toContain(logged.details.seed);
    expect(page).not.toContain('/panel/supplementary-draw');

    const declared = await api('POST', `/recruitments/${other.id}/panel/declaration`, seated.token, { conflict: true, note: '近三年与其中一家单位合作' });
    expect(declared.json()).toEqual({ status: 'recused', replacement: { userId: sequence[1], order: 3 } });
    const told = (await outbox(t)).filter((m) => m.to === seated.email).map((m) => m.text);
    expect(told).toEqual([expect.stringContaining('您已经第 1 次补充抽取递补为本项目评审委员会第 3 位评审专家')]);
  });

  it('a member replaced with the sequence exhausted leaves its seat vacant until the next supplementary draw, through the page', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const before = (await agent.get(`/recruitments/${other.id}/evaluation`)).body;
    expect(before).toContain(`action="/recruitments/${other.id}/panel/replace"`);
    const second = (await panelOf()).members.find((m: { order: number; status: string }) => m.order === 2 && m.status !== 'recused');
    const blank = await agent.post(`/recruitments/${other.id}/panel/replace`, { userId: second.userId, reason: '' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('更换评审专家须说明原因');
    expect(blank.body).toMatch(new RegExp(`value="${second.userId}" checked`));
    const done = await agent.post(`/recruitments/${other.id}/panel/replace`, { userId: second.userId, reason: '专家账号已停用' });
    expect(done.statusCode).toBe(303);
    const panel = await panelOf();
    expect(panel.vacantSeats).toEqual([2]);
    const page = (await agent.get(`/recruitments/${other.id}/evaluation`)).body;
    expect(page).toContain('已更换：专家账号已停用');
    expect(page).toContain(`action="/recruitments/${other.id}/panel/supplementary-draw"`);
  });
});
