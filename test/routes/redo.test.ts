import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { evaluateRound, type Bidder, type Expert } from '../helpers/evaluation.ts';
import { schemaErrors } from '../helpers/ocds-schema.ts';
import { createInPublicity } from '../helpers/publicity.ts';
import { createCast, outbox, type Cast } from '../helpers/recruitments.ts';

// The redo of the evaluation (重新评审) after an upheld challenge: its refusals, then a whole
// second round to the award. arts selects 3 of 4 bids, sports 2 of 3. Round 1 scores the later
// bids of a lot higher, round 2 the earlier ones, so the two rounds recommend other organisations.

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let panel: Expert[];
let firstEnd: Date;

const BIDS = { arts: [20, 30, 40, 40], sports: [25, 35, 45] };
const REASON = '经核实，第 3 席评审专家与一家响应单位存在合作关系，质疑成立';

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders, panel, publicityEndsAt: firstEnd } = await createInPublicity(t, cast, BIDS));
  // round 1's report, issued in the background, is not counted among the changes below
  await t.app.services.documents.idle();
}, 120_000);
afterAll(() => t.close());

type Method = 'GET' | 'POST';
const api = (method: Method, url: string, token: string | null, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
const redo = (token: string, payload: object = { reason: REASON }) => api('POST', `/recruitments/${id}/evaluation/redo`, token, payload);
const detail = async () => (await api('GET', `/recruitments/${id}`, null)).json();
const names = (list: { organization: string }[]) => list.map((each) => each.organization).sort();
const nameOf = (...indexes: number[]) => indexes.map((i) => bidders[i]!.name).sort();
const count = async (table: string, round: number) =>
  Number((await t.rawRows(`select count(*) as n from ${table} where recruitment_id = '${id}' and round = ${round}`))[0]!.n);

let upheldId: string;

describe('redoing the evaluation: refusals', () => {
  it('is refused without an upheld challenge, and while a challenge is unanswered (409)', async () => {
    const none = await redo(cast.agentToken);
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('NO_UPHELD_CHALLENGE');
    const raised = await api('POST', `/recruitments/${id}/challenges`, bidders[0]!.token, { text: '第 3 席评审专家与第一名存在合作关系' });
    upheldId = raised.json().id;
    const open = await redo(cast.agentToken);
    expect(open.statusCode).toBe(409);
    expect(open.json().code).toBe('CHALLENGES_OPEN');
    const rejected = await api('POST', `/recruitments/${id}/challenges`, bidders[4]!.token, { text: '我单位得分偏低' });
    await api('POST', `/challenges/${rejected.json().id}/answer`, cast.agentToken, { text: '经复核，评分无误', upheld: false });
    await api('POST', `/challenges/${upheldId}/answer`, cast.agentToken, { text: '经核实，质疑成立', upheld: true });
  });

  it('an upheld challenge blocks the award sign-off and the award once publicity has ended (409)', async () => {
    t.clock.set(new Date(firstEnd.getTime() + 1000));
    for (const [url, token] of [
      [`/recruitments/${id}/award/sign-off`, cast.inspectorToken],
      [`/recruitments/${id}/award`, cast.agentToken],
    ] as const) {
      const response = await api('POST', url, token, { comment: '' });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CHALLENGE_UPHELD');
    }
  });

  it('is the recruitment’s agent’s (403 for the inspector, a bidder, another agent)', async () => {
    const otherAgent = await apiToken(t, await createStaff(t, 'agent'));
    for (const token of [cast.inspectorToken, bidders[0]!.token, otherAgent]) {
      expect((await redo(token)).statusCode).toBe(403);
    }
  });

  it('needs a reason (400), and a refused request changes nothing', async () => {
    const before = await detail();
    const entries = (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json().length;
    for (const payload of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(2001) }]) {
      expect((await redo(cast.agentToken, payload)).statusCode).toBe(400);
    }
    expect(await detail()).toMatchObject({ status: 'publicity', evaluationRound: 1, announcements: before.announcements });
    expect((await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json()).toHaveLength(entries);
  });
});

describe('redoing the evaluation', () => {
  it('withdraws the publicity and starts round 2: audited, announced, the panel, followers and bidders mailed', async () => {
    await t.app.inject({ method: 'PUT', url: `/api/v1/recruitments/${id}/follow`, headers: bearer(bidders[1]!.token) });
    const response = await redo(cast.agentToken);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'evaluation', round: 2, replaced: [] });
    const after = await detail();
    expect(after).toMatchObject({ status: 'evaluation', evaluationRound: 2 });
    expect(after.announcements.at(-1)).toMatchObject({ kind: 'redo', title: expect.stringContaining('中选候选人公示撤回及重新评审公告') });
    expect(after.announcements.at(-1).body).toContain(REASON);
    const audit = (await api('GET', `/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json();
    expect(audit.find((entry: { action: string }) => entry.action === 'recruitment.redoEvaluation')).toMatchObject({
      details: { from: 'publicity', to: 'evaluation', reason: REASON, fromRound: 1, toRound: 2, upheldChallenges: [upheldId] },
    });
    const mails = await outbox(t);
    const panelMails = mails.filter((m) => m.subject.startsWith('【重新评审】'));
    expect(panelMails.map((m) => m.to).sort()).toEqual(panel.map((e) => e.email).sort());
    expect(panelMails[0]!.text).toContain(REASON);
    // every organisation that bid, the one that follows too, is told once (issue 15 point 1)
    const told = mails.filter((m) => m.subject.includes('中选候选人公示撤回及重新评审公告')).map((m) => m.to);
    expect(told.sort()).toEqual(bidders.map((b) => b.email).sort());
    // no longer in publicity: a second redo is refused
    expect((await redo(cast.agentToken)).json().code).toBe('NOT_IN_PUBLICITY');
  });

  it('withdraws round 1’s candidates from view; its challenges stay as history for the agent and the inspector', async () => {
    const anonymous = (await api('GET', `/recruitments/${id}/publicity`, null)).json();
    expect(anonymous).toMatchObject({ round: 2, publicity: null, candidates: [], challenges: [], earlierChallenges: [] });
    expect(anonymous.redos).toEqual([expect.objectContaining({ round: 2, reason: REASON })]);
    for (const token of [cast.agentToken, cast.inspectorToken]) {
      const view = (await api('GET', `/recruitments/${id}/publicity`, token)).json();
      expect(view.challenges).toEqual([]);
      expect(view.earlierChallenges.map((c: { round: number; upheld: boolean }) => [c.round, c.upheld])).toEqual([
        [1, true],
        [1, false],
      ]);
    }
    const own = (await api('GET', `/recruitments/${id}/publicity`, bidders[0]!.token)).json();
    expect(own.earlierChallenges).toEqual([expect.objectContaining({ id: upheldId, round: 1, upheld: true })]);
    const raised = await api('POST', `/recruitments/${id}/challenges`, bidders[0]!.token, { text: '再次质疑' });
    expect(raised.json().code).toBe('PUBLICITY_CLOSED');
  });

  it('round 2 starts afresh for the same panel: no review, no submission, no result until all submit again', async () => {
    const view = (await api('GET', `/recruitments/${id}/panel`, cast.agentToken)).json();
    expect(view).toMatchObject({ round: 2, redo: { round: 2, reason: REASON } });
    expect(view.members.map((m: { userId: string }) => m.userId).sort()).toEqual(panel.map((e) => e.id).sort());
    expect(view.members.every((m: { status: string; submittedAt: null; confirmedAt: null }) => m.status === 'serving' && !m.submittedAt && !m.confirmedAt)).toBe(true);
    expect(view.bids.every((b: { qualification: null }) => b.qualification === null)).toBe(true);
    expect((await api('GET', `/recruitments/${id}/evaluation`, cast.inspectorToken)).json().code).toBe('SCORES_PENDING');
    expect((await api('POST', `/recruitments/${id}/publicity`, cast.agentToken)).json().code).toBe('EVALUATION_NOT_SIGNED_OFF');
  });

  it('the evaluation page tells the panel it is round 2 and why', async () => {
    const expert = new Browser(t.app);
    await expert.signIn(panel[1]!);
    const page = await expert.get(`/recruitments/${id}/evaluation`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('第 2 轮评审（重新评审）');
    expect(page.body).toContain(REASON);
    expect(page.body).toContain('提交全部评分');
    const panels = await expert.get('/expert');
    expect(panels.body).toContain('第 2 轮评审');
    expect(panels.body).toContain('未提交');
  });

  it('the publicity page shows the agent round 1’s challenges as history and no redo form', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/recruitments/${id}/publicity`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('此前各轮的质疑（2）');
    expect(page.body).toContain('第 1 轮公示的质疑');
    expect(page.body).toContain(REASON);
    expect(page.body).not.toContain('撤回公示并重新评审</button>');
  });
});

const clock = (advanceMs: number) => t.app.inject({ method: 'POST', url: '/api/v1/_test/clock', payload: { advanceMs } });
let secondEnd: Date;

describe('round 2 to the award', () => {
  it('the same panel reviews, scores the other way round, confirms and is signed off: the ranking changes', async () => {
    await evaluateRound(t, cast, { id, bidders, panel }, (index) => 16 - index);
    const result = (await api('GET', `/recruitments/${id}/evaluation`, cast.inspectorToken)).json();
    expect(result).toMatchObject({ round: 2, redo: { reason: REASON } });
    expect(names(result.bids.filter((b: { recommended: boolean }) => b.recommended))).toEqual(nameOf(0, 1, 2, 4, 5));
    expect(result.signOff.chainHead).toMatch(/^[0-9a-f]{64}$/);
    const signOffs = await t.rawRows(`select round, chain_head from evaluation_sign_offs where recruitment_id = '${id}' order by round`);
    expect(signOffs.map((row) => row.round)).toEqual([1, 2]);
    expect(signOffs[1]!.chain_head).toBe(result.signOff.chainHead);
  });

  it('its candidates are announced in a new publicity of publicityDays × 24 h from the new announcement', async () => {
    expect((await clock(60_000)).statusCode).toBe(200);
    const announced = await api('POST', `/recruitments/${id}/publicity`, cast.agentToken);
    expect(announced.statusCode).toBe(200);
    expect(announced.json()).toMatchObject({ status: 'publicity', round: 2 });
    const view = (await api('GET', `/recruitments/${id}/publicity`, null)).json();
    secondEnd = new Date(view.publicity.endsAt);
    expect(secondEnd.getTime() - Date.parse(view.publicity.announcedAt)).toBe(3 * 24 * 60 * 60 * 1000);
    expect(secondEnd.getTime()).toBeGreaterThan(firstEnd.getTime());
    expect(names(view.candidates)).toEqual(nameOf(0, 1, 2, 4, 5));
    expect(view.candidates.every((c: { round: number }) => c.round === 2)).toBe(true);
    const publicPage = await new Browser(t.app).get(`/recruitments/${id}`);
    expect(publicPage.body).toMatch(new RegExp(`<td>文艺演出</td><td>1</td><td>${bidders[0]!.name}</td>`));
    expect(publicPage.body).not.toContain(`<td>${bidders[3]!.name}</td>`);
  });

  it('is awarded once the new publicity has ended: the organisations of round 2', async () => {
    const early = await api('POST', `/recruitments/${id}/award/sign-off`, cast.inspectorToken, { comment: '' });
    expect(early.json().code).toBe('PUBLICITY_NOT_ENDED');
    expect((await clock(secondEnd.getTime() - t.clock.now().getTime() + 1000)).statusCode).toBe(200);
    const signed = await api('POST', `/recruitments/${id}/award/sign-off`, cast.inspectorToken, { comment: '重新评审结果公示期满，无质疑' });
    expect(signed.statusCode).toBe(200);
    const awarded = await api('POST', `/recruitments/${id}/award`, cast.agentToken);
    expect(awarded.statusCode).toBe(200);
    expect(awarded.json().status).toBe('awarded');
    expect(names(awarded.json().awards)).toEqual(nameOf(0, 1, 2, 4, 5));
    const outcome = await t.app.services.awards.awardOutcome(id);
    expect(outcome.selected.map((e) => e.organization.name).sort()).toEqual(nameOf(0, 1, 2, 4, 5));
    expect(outcome.selected.find((e) => e.organization.name === bidders[0]!.name)).toMatchObject({ rank: 1, score: 66 });
  });

  it('keeps every row of round 1 as it was', async () => {
    // 5 experts × 7 bids × 5 criteria; 7 sheets and reviews; 5 submissions, all confirmed
    for (const round of [1, 2]) {
      expect(await count('scores', round)).toBe(175);
      expect(await count('score_sheets', round)).toBe(35);
      expect(await count('qualification_results', round)).toBe(7);
      expect(await count('candidates', round)).toBe(5);
      expect(await count('publicities', round)).toBe(1);
    }
    const submissions = await t.rawRows(`select round, confirmed_at from panel_submissions where recruitment_id = '${id}'`);
    expect(submissions.filter((row) => row.round === 1 && row.confirmed_at !== null)).toHaveLength(5);
    expect(submissions.filter((row) => row.round === 2 && row.confirmed_at !== null)).toHaveLength(5);
    const first = await t.rawRows(`select organization_name from candidates where recruitment_id = '${id}' and round = 1`);
    expect(first.map((row) => row.organization_name).sort()).toEqual(nameOf(1, 2, 3, 5, 6));
    const plans = await t.rawRows(`select distinct round, score from scores where recruitment_id = '${id}' and bid_id = '${bidders[0]!.bidId}' and criterion_key = 'plan'`);
    expect(plans.map((row) => [row.round, Number(row.score)]).sort()).toEqual([
      [1, 10],
      [2, 16],
    ]);
  });

  it('leaves one signed report per round, each verifiable, and notices from round 2 only', async () => {
    await t.app.services.documents.idle();
    const documents = (await api('GET', `/recruitments/${id}/documents`, cast.agentToken)).json();
    const reports = documents.filter((d: { kind: string }) => d.kind === 'evaluation_report');
    expect(reports).toHaveLength(2);
    expect(reports.filter((d: { title: string }) => d.title.endsWith('（第 2 轮评审）'))).toHaveLength(1);
    for (const report of reports) {
      const pdf = await api('GET', `/documents/${report.id}`, cast.agentToken);
      const verified = (await api('GET', `/verify/${report.verifyCode}`, null)).json();
      expect(verified).toMatchObject({ kind: 'evaluation_report', title: report.title });
      expect(verified.sha256).toBe(createHash('sha256').update(pdf.rawPayload).digest('hex'));
    }
    const second = reports.find((d: { title: string }) => d.title.endsWith('（第 2 轮评审）'));
    const verifyPage = await t.app.inject({ url: `/verify/${second.verifyCode}`, headers: { accept: 'text/html' } });
    expect(verifyPage.body).toContain('（第 2 轮评审）');
    const noticed = (kind: string) =>
      documents.filter((d: { kind: string }) => d.kind === kind).map((d: { bidId: string }) => bidders.find((b) => b.bidId === d.bidId)!.name).sort();
    expect(noticed('award_notice')).toEqual(nameOf(0, 1, 2, 4, 5));
    expect(noticed('draft_agreement')).toEqual(nameOf(0, 1, 2, 4, 5));
    expect(noticed('rejection_notice')).toEqual(nameOf(3, 6));
  });

  it('the OCDS package validates: round 1’s awards cancelled, round 2’s pending then active', async () => {
    const data = (await api('GET', `/recruitments/${id}/ocds`, null)).json();
    expect(schemaErrors(data)).toEqual([]);
    expect(data.releases.map((r: { tag: string[] }) => r.tag[0])).toEqual(['tender', 'award', 'awardCancellation', 'award', 'awardUpdate', 'contract']);
    const [, first, withdrawn, second, award] = data.releases;
    const statuses = (release: { awards: { id: string; status: string }[] }) => release.awards.map((a) => a.status);
    expect(statuses(first)).toEqual(Array(5).fill('pending'));
    expect(statuses(withdrawn)).toEqual(Array(5).fill('cancelled'));
    expect(statuses(second)).toEqual(Array(5).fill('pending'));
    expect(award.awards.map((a: { id: string }) => a.id).sort()).toEqual(second.awards.map((a: { id: string }) => a.id).sort());
    expect(award.awards.every((a: { id: string; status: string }) => a.status === 'active' && a.id.endsWith('-round-2'))).toBe(true);
  });
});

describe('the redo form on the publicity page', () => {
  let other: Awaited<ReturnType<typeof createInPublicity>>;
  let agent: Browser;
  const page = () => `/recruitments/${other.id}/publicity`;

  beforeAll(async () => {
    other = await createInPublicity(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] });
    const raised = await api('POST', `/recruitments/${other.id}/challenges`, other.bidders[0]!.token, { text: '评分有误' });
    agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(page())).body).not.toContain('撤回公示并重新评审</button>');
    await api('POST', `/challenges/${raised.json().id}/answer`, cast.agentToken, { text: '质疑成立', upheld: true });
  }, 120_000);

  it('is shown to the agent once a challenge is upheld; a blank reason comes back with 400 beside the field, a forged form 403', async () => {
    expect((await agent.get(page())).body).toContain('撤回公示并重新评审</button>');
    const blank = await agent.post(`/recruitments/${other.id}/evaluation/redo`, { reason: ' ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toMatch(/has-error[\s\S]*name="reason"/);
    expect((await agent.post(`/recruitments/${other.id}/evaluation/redo`, { reason: REASON }, { csrf: false })).statusCode).toBe(403);
    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    expect((await inspector.get(page())).body).not.toContain('撤回公示并重新评审</button>');
  });

  it('redoes the evaluation and redirects (303) to the page, which tells what happened', async () => {
    const done = await agent.post(`/recruitments/${other.id}/evaluation/redo`, { reason: REASON });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${page()}?done=redo`);
    const after = await agent.get(done.headers.location as string);
    expect(after.body).toContain('已撤回本轮公示并发起重新评审');
    expect(after.body).toContain('评审委员会正在进行第 2 轮评审');
    expect(after.body).not.toContain('撤回公示并重新评审</button>');
    expect((await api('GET', `/recruitments/${other.id}`, null)).json()).toMatchObject({ status: 'evaluation', evaluationRound: 2 });
  });
});
