import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawSequence, replacementFor } from '../../server/domain/evaluation/draw.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { ALL_PASS, createExperts, createInEvaluation, evaluateRound, type Bidder, type Expert } from '../helpers/evaluation.ts';
import { createCast, outbox, type Cast } from '../helpers/recruitments.ts';

// The redo of the evaluation that replaces named panel members (a conflict the challenge found).
// A pool of 8 experts, a panel of 5: seat 5's first expert declares a conflict in round 1 and the
// 6th of the sequence takes the seat; the redo replaces seats 3 and 5, which go to the 7th and the
// 8th of the sequence, in the order named.

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let pool: Expert[];
let panel: Expert[];
let recused: Expert;
let outsider: Expert;
let next: Expert[];

const BIDS = { arts: [20, 30, 40], sports: [25, 35, 45] };
const REASON = '经核实，第 3 席评审专家与一家响应单位存在合作关系，质疑成立';

type Method = 'GET' | 'POST' | 'PUT';
const api = async (method: Method, url: string, token: string | null, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
const ok = async (method: Method, url: string, token: string, payload?: object) => {
  const response = await api(method, url, token, payload);
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
};
const redo = (payload: object) => api('POST', `/recruitments/${id}/evaluation/redo`, cast.agentToken, payload);
const expertOf = (userId: string) => pool.find((e) => e.id === userId)!;
const memberRows = () =>
  t.rawRows(`select user_id, seat, position, status, from_round, until_round from panel_members where recruitment_id = '${id}' order by position`);
const auditOf = async () => (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json();

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createInEvaluation(t, cast, BIDS));
  const created = await createExperts(t, 8);
  pool = created.experts;
  const drawn = await ok('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 5, specialties: [created.specialty] });
  panel = (drawn.members as { userId: string; order: number }[]).sort((a, b) => a.order - b.order).map((m) => expertOf(m.userId));
  recused = panel[4]!;
  const declared = await ok('POST', `/recruitments/${id}/panel/declaration`, recused.token, { conflict: true, note: '近三年与响应单位有合作' });
  panel[4] = expertOf(declared.replacement.userId);
  for (const expert of panel) await ok('POST', `/recruitments/${id}/panel/declaration`, expert.token, { conflict: false, note: '' });
  await evaluateRound(t, cast, { id, bidders, panel }, (index) => 10 + index);
  await ok('POST', `/recruitments/${id}/publicity`, cast.agentToken);
  const raised = await ok('POST', `/recruitments/${id}/challenges`, bidders[0]!.token, { text: '第 3 席评审专家与第一名存在合作关系' });
  await ok('POST', `/challenges/${raised.id}/answer`, cast.agentToken, { text: '经核实，质疑成立', upheld: true });
  outsider = pool.find((e) => e !== recused && !panel.includes(e))!;
  await t.app.services.documents.idle();
}, 120_000);
afterAll(() => t.close());

describe('replacing panel members at the redo: refusals', () => {
  it('refuses an unknown user, an expert not on the panel, a recused member (NOT_ON_PANEL) and a repeat (DUPLICATE_MEMBER), changing nothing', async () => {
    const members = await memberRows();
    const entries = (await auditOf()).length;
    for (const [replace, code] of [
      [[randomUUID()], 'NOT_ON_PANEL'],
      [[outsider.id], 'NOT_ON_PANEL'],
      [[recused.id], 'NOT_ON_PANEL'],
      [[cast.agent.id], 'NOT_ON_PANEL'],
      [[panel[1]!.id, recused.id], 'NOT_ON_PANEL'],
      [[panel[2]!.id, panel[2]!.id], 'DUPLICATE_MEMBER'],
      [['not-a-uuid'], 'VALIDATION_FAILED'],
    ] as const) {
      const response = await redo({ reason: REASON, replace });
      expect(response.statusCode, `${code} ${replace.join()}`).toBe(400);
      expect(response.json().code).toBe(code);
    }
    expect(await memberRows()).toEqual(members);
    expect((await auditOf()).length).toBe(entries);
    expect((await api('GET', `/recruitments/${id}`, null)).json()).toMatchObject({ status: 'publicity', evaluationRound: 1 });
  });
});

describe('the redo form on the publicity page', () => {
  it('lists the seated members as checkboxes; a refusal comes back with 400, the choice kept and the message beside it', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/recruitments/${id}/publicity`);
    expect(page.body).toContain('更换评审专家（可多选）');
    for (const [index, expert] of panel.entries()) {
      expect(page.body).toContain(`<input type="checkbox" name="replace" value="${expert.id}"> 第 ${index + 1} 位`);
    }
    expect(page.body).not.toContain(`value="${recused.id}"`);
    const blank = await agent.post(`/recruitments/${id}/evaluation/redo`, { reason: ' ', replace: panel[2]!.id });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain(`value="${panel[2]!.id}" checked`);
    const refused = await agent.post(`/recruitments/${id}/evaluation/redo`, { reason: REASON, replace: outsider.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/has-error[\s\S]*更换评审专家[\s\S]*所选专家不是本项目评审委员会的在任成员/);
    expect((await agent.post(`/recruitments/${id}/evaluation/redo`, { reason: REASON, replace: panel[2]!.id }, { csrf: false })).statusCode).toBe(403);
    expect((await api('GET', `/recruitments/${id}`, null)).json()).toMatchObject({ status: 'publicity', evaluationRound: 1 });
  });
});

describe('replacing panel members at the redo', () => {
  it('recuses the named members and seats the sequence’s next experts in their seats, audited with the round and reason', async () => {
    const { draw } = (await api('GET', `/recruitments/${id}/panel`, cast.agentToken)).json();
    const third = replacementFor(drawSequence(draw.seed, draw.candidates), 6, 3)!;
    const fifth = replacementFor(drawSequence(draw.seed, draw.candidates), 7, 5)!;
    expect([third.position, fifth.position]).toEqual([7, 8]);
    const response = await redo({ reason: REASON, replace: [panel[2]!.id, panel[4]!.id] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'evaluation',
      round: 2,
      replaced: [
        { userId: panel[2]!.id, order: 3, replacement: third.userId },
        { userId: panel[4]!.id, order: 5, replacement: fifth.userId },
      ],
    });
    const replaces = (await auditOf()).filter((e: { action: string; details: { round?: number } }) => e.action === 'panel.replace' && e.details.round === 2);
    expect(replaces.map((e: { details: object }) => e.details)).toEqual([
      { recused: panel[2]!.id, order: 3, replacement: third, round: 2, reason: REASON },
      { recused: panel[4]!.id, order: 5, replacement: fifth, round: 2, reason: REASON },
    ]);
    const rows = await memberRows();
    expect(rows.map((r) => [r.user_id, r.seat, r.status, r.from_round, r.until_round])).toEqual([
      [panel[0]!.id, 1, 'serving', 1, null],
      [panel[1]!.id, 2, 'serving', 1, null],
      [panel[2]!.id, 3, 'recused', 1, 1],
      [panel[3]!.id, 4, 'serving', 1, null],
      [recused.id, 5, 'recused', 1, null],
      [panel[4]!.id, 5, 'recused', 1, 1],
      [third.userId, 3, 'pending', 2, null],
      [fifth.userId, 5, 'pending', 2, null],
    ]);
    next = [expertOf(third.userId), expertOf(fifth.userId)];
  });

  it('mails the drawn experts to declare, the replaced that they sit no more, the rest of the panel the redo', async () => {
    // the mails of the redo (those of the first draw and its replacement say nothing of round 2)
    const mails = (await outbox(t)).filter((m) => m.text.includes('（第 2 轮）'));
    const to = (prefix: string) => mails.filter((m) => m.subject.startsWith(prefix)).map((m) => m.to).sort();
    expect(to('【评审专家抽取】')).toEqual(next.map((e) => e.email).sort());
    expect(to('【评审专家更换】')).toEqual([panel[2]!.email, panel[4]!.email].sort());
    expect(to('【重新评审】')).toEqual([panel[0]!.email, panel[1]!.email, panel[3]!.email].sort());
    const drawnMail = mails.find((m) => m.subject.startsWith('【评审专家抽取】') && m.to === next[0]!.email)!;
    expect(drawnMail.text).toContain('第 3 位评审专家');
    expect(drawnMail.text).toContain('回避声明');
    expect(mails.find((m) => m.subject.startsWith('【评审专家更换】'))!.text).toContain(REASON);
    const announcement = (await api('GET', `/recruitments/${id}`, null)).json().announcements.at(-1);
    expect(announcement.body).toContain('原评审委员会第 3、5 位评审专家予以更换');
    expect(announcement.body).not.toContain(panel[2]!.name);
  });

  it('the replaced experts lose the new round; the new members must declare, then may score', async () => {
    const bid = bidders[0]!.bidId;
    const scores = { scores: { plan: 10, ability: 15, record: 15, share: 10, revenue: 10 }, comment: '' };
    for (const gone of [panel[2]!, panel[4]!]) {
      const scored = await api('PUT', `/recruitments/${id}/scores/${bid}`, gone.token, scores);
      expect(scored.statusCode).toBe(403);
      expect(scored.json().code).toBe('NOT_PANEL_MEMBER');
      expect((await api('GET', `/recruitments/${id}/panel`, gone.token)).statusCode).toBe(403);
    }
    const early = await api('PUT', `/recruitments/${id}/scores/${bid}`, next[0]!.token, scores);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('DECLARATION_REQUIRED');
    const view = (await api('GET', `/recruitments/${id}/panel`, next[0]!.token)).json();
    expect(view.me).toMatchObject({ order: 3, status: 'pending' });
    expect(view.vacantSeats).toEqual([]);
    for (const expert of next) await ok('POST', `/recruitments/${id}/panel/declaration`, expert.token, { conflict: false, note: '' });
    expect((await api('PUT', `/recruitments/${id}/qualification/${bid}`, next[0]!.token, ALL_PASS)).json().code).toBe('NOT_CHAIR');
    await ok('PUT', `/recruitments/${id}/qualification/${bid}`, panel[0]!.token, ALL_PASS);
    expect((await api('PUT', `/recruitments/${id}/scores/${bid}`, next[0]!.token, scores)).statusCode).toBe(200);
  });

  it('the evaluation page and the expert lists show who was replaced and who joined', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/recruitments/${id}/evaluation`);
    expect(page.body).toContain('已更换（担任至第 1 轮）');
    expect(page.body).toContain('第 2 轮递补');
    expect(page.body).toContain('原第 3 位');
    const gone = new Browser(t.app);
    await gone.signIn(panel[2]!);
    expect((await gone.get('/expert')).body).toContain('已更换（担任至第 1 轮）');
    const joined = new Browser(t.app);
    await joined.signIn(next[1]!);
    const list = (await joined.get('/expert')).body;
    expect(list).toContain('第 5 位');
    expect(list).toContain('无利害关系');
  });

  it('round 2 completes with the new members to the award; round 1 stays as it was and can be rebuilt', async () => {
    const second = [panel[0]!, panel[1]!, next[0]!, panel[3]!, next[1]!];
    await evaluateRound(t, cast, { id, bidders, panel: second }, (index) => 16 - index);
    const result = (await api('GET', `/recruitments/${id}/evaluation`, cast.inspectorToken)).json();
    expect(result.round).toBe(2);
    expect(result.members.map((m: { userId: string }) => m.userId)).toEqual(second.map((e) => e.id));
    const first = await t.app.services.evaluation.evaluationReport(id, 1);
    expect(first.members.map((m) => m.userId)).toEqual(panel.map((e) => e.id));
    expect(first.bids.every((b) => Object.keys(b.scores).length === 5)).toBe(true);
    const changes = (report: typeof first) => report.panelChanges.map((c) => [c.kind, c.seat, c.userId]);
    expect(changes(first)).toEqual([
      ['recused', 5, recused.id],
      ['seated', 5, panel[4]!.id],
    ]);
    expect(changes(await t.app.services.evaluation.evaluationReport(id, 2))).toEqual([
      ['replaced', 3, panel[2]!.id],
      ['replaced', 5, panel[4]!.id],
      ['seated', 3, next[0]!.id],
      ['seated', 5, next[1]!.id],
    ]);
    const announced = await ok('POST', `/recruitments/${id}/publicity`, cast.agentToken);
    t.clock.set(new Date(Date.parse(announced.publicityEndsAt) + 1000));
    await ok('POST', `/recruitments/${id}/award/sign-off`, cast.inspectorToken, { comment: '公示期满，无质疑' });
    expect((await ok('POST', `/recruitments/${id}/award`, cast.agentToken)).status).toBe('awarded');
    const submissions = await t.rawRows(
      `select u.id as user_id, s.round from panel_submissions s join panel_members m on m.id = s.member_id join users u on u.id = m.user_id where s.recruitment_id = '${id}'`,
    );
    const submitted = (round: number) => submissions.filter((s) => s.round === round).map((s) => s.user_id).sort();
    expect(submitted(1)).toEqual(panel.map((e) => e.id).sort());
    expect(submitted(2)).toEqual(second.map((e) => e.id).sort());
    const scored = await t.rawRows(`select count(*) as n from scores where recruitment_id = '${id}' and round = 1 and expert_id = '${panel[2]!.id}'`);
    expect(Number(scored[0]!.n)).toBe(bidders.length * 5);
  });
});

describe('the evaluation reports each expert may read', () => {
  it('are those of the rounds the expert sat in: a replaced member keeps round 1’s, a new member has round 2’s', async () => {
    await t.app.services.documents.idle();
    const reports = async (expert: Expert) => {
      const response = await api('GET', `/recruitments/${id}/documents`, expert.token);
      expect(response.statusCode).toBe(200);
      const listed = response.json() as { kind: string; title: string }[];
      expect(listed.filter((d) => d.kind === 'opening_record')).toHaveLength(1);
      return listed.filter((d) => d.kind === 'evaluation_report').map((d) => d.title);
    };
    const both = await reports(panel[0]!);
    expect(both).toHaveLength(2);
    const [firstRound] = await reports(panel[2]!);
    expect(await reports(panel[2]!)).toEqual([firstRound]);
    const secondOnly = await reports(next[0]!);
    expect(secondOnly).toHaveLength(1);
    expect(secondOnly[0]).not.toBe(firstRound);
    expect(secondOnly[0]).toContain('第 2 轮');
    const { experts: [stranger] } = await createExperts(t, 1);
    for (const never of [recused, stranger!]) {
      expect((await api('GET', `/recruitments/${id}/documents`, never.token)).statusCode).toBe(403);
    }
  });
});
