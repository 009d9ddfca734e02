import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../server/db/schema.ts';
import { appendAuditEntries } from '../../server/domain/audit/service.ts';
import { PROCESS_INDICATORS } from '../../server/domain/inspection/indicators/process.ts';
import type { AlertEvidence } from '../../server/domain/inspection/types.ts';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { createExperts, createInEvaluation, evaluateRound, type Bidder, type Expert } from '../helpers/evaluation.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

// The computed red flags about how the procedure was run (indicators/process*.ts), each fired on
// crafted data and kept quiet on clean data that comes close. The data is made through the routes;
// where no route can make a condition (an expert's employer among the bidders, a decryption before
// the opening, an altered audit chain) the test makes it behind the application's back, as the
// comment there says. One review runs over everything at the end of the setup.

let t: TestApp;
let cast: Cast;

type Api = 'GET' | 'POST' | 'PUT';
async function api(method: Api, url: string, token: string, payload?: object) {
  const response = await t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

interface Evaluated {
  id: string;
  bidders: Bidder[];
  panel: Expert[];
}

/** A recruitment in evaluation with a panel of five drawn from experts of its own, all declared. */
async function withPanel(experts?: { affiliationUscc: string }): Promise<Evaluated> {
  const { id, bidders } = await createInEvaluation(t, cast, { arts: [20, 30, 40] });
  const { specialty, experts: pool } = await createExperts(t, 5, experts);
  const drawn = await api('POST', `/recruitments/${id}/panel/draw`, cast.agentToken, { size: 5, specialties: [specialty] });
  const panel = (drawn.members as { userId: string }[]).map((member) => pool.find((expert) => expert.id === member.userId)!);
  for (const expert of panel) await api('POST', `/recruitments/${id}/panel/declaration`, expert.token, { conflict: false, note: '' });
  return { id, bidders, panel };
}

/** Downloads the first file of the first bid, as `token`. */
async function download({ id, bidders }: Evaluated, token: string) {
  const view = await api('GET', `/recruitments/${id}/panel`, cast.agentToken);
  const bid = view.bids.find((each: { bidId: string }) => each.bidId === bidders[0]!.bidId);
  const response = await t.app.inject({ url: `/api/v1/recruitments/${id}/bids/${bid.bidId}/files/${bid.files[0].id}`, headers: bearer(token) });
  expect(response.statusCode).toBe(200);
}

/** Announces the candidates and has bidder 0 challenge them, the agent answering `upheld`. */
async function challenged({ id, bidders }: Evaluated, upheld: boolean) {
  await api('POST', `/recruitments/${id}/publicity`, cast.agentToken);
  const challenge = await api('POST', `/recruitments/${id}/challenges`, bidders[0]!.token, { text: '第 5 席评审专家对我单位的评分明显偏高，疑有不公' });
  await api('POST', `/challenges/${challenge.id}/answer`, cast.agentToken, { text: upheld ? '经核实，质疑成立' : '经复核，评分无误', upheld });
  return challenge.id as string;
}

// Plan points (0–30; each total is 50 more) that expert e gives bid i, as PLANS[i][e].
// Flagged: experts 0 and 1 score alike throughout, expert 2 gives every bid 58, expert 4 gives
// bid 0 80 against a median of 56 (24 points off).
const FLAGGED = [
  [5, 5, 8, 6, 30],
  [20, 20, 8, 18, 16],
  [10, 10, 8, 7, 6],
];
// Clean, but close: expert 4 gives bid 0 exactly 20 points over the median, expert 1 two bids alike.
const CLEAN = [
  [4, 6, 8, 9, 28],
  [15, 16, 17, 18, 19],
  [20, 16, 22, 23, 24],
];
const REDO_REASON = '经核实，第 5 席评审专家的评分有失公允，质疑成立';

let late: { id: string; bidId: string };
let calmId: string;
let clean: Evaluated;
let flagged: Evaluated;
let outsider: TestUser;
let upheldId: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);

  // A clarification ten days before the deadline, and one bid.
  t.clock.set(new Date());
  const lateId = await createPublished(t, cast, 30);
  t.clock.advance(20 * DAY_MS);
  await api('POST', `/recruitments/${lateId}/amendments`, cast.agentToken, { title: '关于场地开放时间的澄清', body: '场地开放时间以附件为准。', affectsPreparation: false });
  const lateBidder = await createBidder(t);
  late = { id: lateId, bidId: await submitBid(t, lateId, lateBidder.token, 'arts', lateBidder.name) };
  // The bid key exists only as the holders' shares until the opening, so no route decrypts a bid
  // before it: the entry is what a server made to decrypt one early would write.
  await t.database.db.transaction((tx) =>
    appendAuditEntries(
      tx,
      [{ actor: { id: cast.agent.id, role: 'agent' }, action: 'bid.decrypt', target: `bid:${late.bidId}`, recruitmentId: lateId, ip: '203.0.113.7', details: { version: 1, verified: true } }],
      t.clock.now(),
    ),
  );

  // Amendments in good time: one 29 days ahead, one 14 days before the deadline that moves it
  // 15.5 days on (what counts is the deadline in force after it).
  t.clock.set(new Date());
  calmId = await createPublished(t, cast, 30);
  const deadline = Date.parse((await api('GET', `/recruitments/${calmId}`, cast.agentToken)).submissionDeadline);
  t.clock.advance(DAY_MS);
  await api('POST', `/recruitments/${calmId}/amendments`, cast.agentToken, { title: '关于服务内容的更正', body: '服务内容增加一项。' });
  t.clock.set(new Date(deadline - 14 * DAY_MS));
  await api('POST', `/recruitments/${calmId}/amendments`, cast.agentToken, {
    title: '关于延长提交截止时间的公告',
    body: '提交截止时间顺延。',
    submissionDeadline: new Date(deadline + 1.5 * DAY_MS).toISOString(),
  });

  // Clean evaluation: experts employed by an organisation that bids elsewhere, a minute and more
  // per sheet, downloads by the panel, the agent and the inspector, a challenge rejected.
  clean = await withPanel({ affiliationUscc: lateBidder.uscc });
  for (const token of [clean.panel[1]!.token, cast.agentToken, cast.inspectorToken]) await download(clean, token);
  await evaluateRound(t, cast, clean, (i, e) => CLEAN[i]![e]!, { secondsPerSheet: () => 61 });
  await challenged(clean, false);

  // Flagged evaluation.
  flagged = await withPanel();
  // The draw leaves out experts employed by a bidder; only an affiliation recorded after the draw
  // (or a pool altered in the database) seats one, which is what the indicator is there to see.
  await t.rawSql(
    `update users set affiliation_uscc = (select o.uscc from organizations o join bids b on b.organization_id = o.id where b.id = '${flagged.bidders[1]!.bidId}') where id = '${flagged.panel[2]!.id}'`,
  );
  outsider = await createStaff(t, 'inspector');
  await download(flagged, await apiToken(t, outsider));
  // The inspector signs the evaluation off while a row of the audit log has been altered behind the
  // application's back; the row is put back afterwards so the other sign-offs verify.
  const [row] = await t.rawRows(`select seq, details::text as details from audit_log where recruitment_id = '${flagged.id}' order by seq limit 1`);
  const alter = (details: string) =>
    t.rawSql(
      'alter table audit_log disable trigger audit_log_no_update_delete',
      `update audit_log set details = '${details.replaceAll("'", "''")}'::jsonb where seq = ${Number(row!.seq)}`,
      'alter table audit_log enable trigger audit_log_no_update_delete',
    );
  await alter('{"forged":true}');
  await evaluateRound(t, cast, flagged, (i, e) => FLAGGED[i]![e]!, {
    comment: (i, e) => (i === 0 && e === 4 ? '该单位方案明显优于其他单位' : ''),
    secondsPerSheet: (e) => (e === 3 ? 0 : 61),
  });
  await alter(String(row!.details));
  upheldId = await challenged(flagged, true);
  await api('POST', `/recruitments/${flagged.id}/evaluation/redo`, cast.agentToken, { reason: REDO_REASON });

  await t.app.services.inspection.review.reviewNewEntries();
}, 180_000);
afterAll(async () => {
  await t.app.services.documents.idle();
  await t.close();
});

const alertsOf = (recruitmentId: string, indicator: string) =>
  t.database.db
    .select()
    .from(alerts)
    .where(and(eq(alerts.recruitmentId, recruitmentId), eq(alerts.indicator, indicator)))
    .orderBy(alerts.findingKey);

const details = (evidence: AlertEvidence[]) => evidence.map((item) => item.detail).join('\n');
/** The audit entries among the evidence, each linked to its place in the recruitment's record. */
const auditEvidence = (recruitmentId: string, evidence: AlertEvidence[]) => {
  const entries = evidence.filter((item) => item.kind === 'audit');
  for (const entry of entries) expect(entry.url).toBe(`/inspector/recruitments/${recruitmentId}/audit?seq=${entry.id}`);
  return entries.map((entry) => entry.detail);
};

describe('computed red flags about the procedure: quiet on clean data', () => {
  it.each(PROCESS_INDICATORS.map((indicator) => indicator.id))('%s does not fire', async (indicator) => {
    for (const id of [clean.id, calmId]) expect(await alertsOf(id, indicator)).toEqual([]);
  });
});

describe('computed red flags about the procedure: raised with their evidence', () => {
  it('expert_score_outlier: the expert, the bid, every total and the written reason', async () => {
    const [alert, ...more] = await alertsOf(flagged.id, 'expert_score_outlier');
    expect(more).toEqual([]);
    const expert = flagged.panel[4]!;
    const bid = flagged.bidders[0]!;
    expect(alert).toMatchObject({ severity: 'medium', status: 'open', findingKey: `1:${bid.bidId}:${expert.id}` });
    expect(alert!.subject).toContain(`评审专家${expert.name}给${bid.name}的总分为 80 分，偏离评审委员会中位数 56 分达 24 分`);
    expect(details(alert!.evidence)).toContain('该单位方案明显优于其他单位');
    expect(alert!.evidence.find((item) => item.kind === 'bid')?.detail).toContain(`${expert.name} 80`);
    expect(auditEvidence(flagged.id, alert!.evidence)).toEqual([expect.stringContaining(`${expert.name}（评审专家）提交评分`)]);
  });

  it('identical_score_vectors: the pair of experts, once, with both submissions', async () => {
    const [alert, ...more] = await alertsOf(flagged.id, 'identical_score_vectors');
    expect(more).toEqual([]);
    const pair = [flagged.panel[0]!, flagged.panel[1]!];
    expect(alert).toMatchObject({ severity: 'high', findingKey: `1:${pair.map((e) => e.id).sort().join(':')}` });
    for (const expert of pair) expect(alert!.subject).toContain(expert.name);
    const submissions = auditEvidence(flagged.id, alert!.evidence);
    expect(submissions).toHaveLength(2);
    for (const expert of pair) expect(submissions.join()).toContain(`${expert.name}（评审专家）提交评分`);
  });

  it('uniform_or_hasty_scoring: the expert who gave every bid 58, and the one who scored three bids in seconds', async () => {
    const raised = await alertsOf(flagged.id, 'uniform_or_hasty_scoring');
    const [hasty, uniform] = [flagged.panel[3]!, flagged.panel[2]!];
    expect(raised.map((alert) => [alert.findingKey, alert.severity])).toEqual([
      [`hasty:1:${hasty.id}`, 'medium'],
      [`uniform:1:${uniform.id}`, 'medium'],
    ]);
    expect(raised[0]!.subject).toContain(`评审专家${hasty.name}从首次阅读或评分到提交评分仅用`);
    expect(raised[0]!.subject).toContain('评了 3 份响应文件');
    expect(auditEvidence(flagged.id, raised[0]!.evidence)).toEqual([
      expect.stringContaining(`${hasty.name}（评审专家）保存评分`),
      expect.stringContaining(`${hasty.name}（评审专家）提交评分`),
    ]);
    expect(raised[1]!.subject).toContain(`评审专家${uniform.name}给全部 3 份响应文件的总分均为 58 分`);
  });

  it('expert_employer_conflict: the panel member employed by a bidder, with its declaration', async () => {
    const [alert, ...more] = await alertsOf(flagged.id, 'expert_employer_conflict');
    expect(more).toEqual([]);
    const expert = flagged.panel[2]!;
    expect(alert!.severity).toBe('high');
    expect(alert!.findingKey).toMatch(new RegExp(`^${expert.id}:`));
    expect(alert!.subject).toContain(`评审专家${expert.name}`);
    expect(alert!.subject).toContain(`与响应单位${flagged.bidders[1]!.name}相同`);
    expect(auditEvidence(flagged.id, alert!.evidence)).toEqual([expect.stringContaining('声明与响应单位无利害关系')]);
  });

  it('late_amendment: the clarification published ten days before the deadline', async () => {
    const [alert, ...more] = await alertsOf(late.id, 'late_amendment');
    expect(more).toEqual([]);
    expect(alert!.severity).toBe('medium');
    expect(alert!.subject).toContain('第 1 号更正公告“关于场地开放时间的澄清”发布时距提交截止仅 10.0 天');
    expect(alert!.evidence[0]).toMatchObject({ kind: 'announcement', url: `/recruitments/${late.id}` });
    expect(auditEvidence(late.id, alert!.evidence)).toEqual([expect.stringContaining('不影响响应文件编制的澄清')]);
  });

  it('access_outside_opening: a decryption before the opening, a download by an inspector not named on it', async () => {
    const [early, ...moreEarly] = await alertsOf(late.id, 'access_outside_opening');
    expect(moreEarly).toEqual([]);
    expect(early!.severity).toBe('high');
    expect(early!.subject).toContain(`${cast.agent.name}（招标代理）解密了`);
    expect(early!.subject).toContain('时间在开标开始前');
    expect(auditEvidence(late.id, early!.evidence)).toEqual([expect.stringContaining('解密响应文件')]);
    expect(early!.findingKey).toBe(early!.evidence[0]!.id);
    expect(early!.evidence[1]).toMatchObject({ kind: 'opening', detail: '本项目尚未开标' });

    const [read, ...moreRead] = await alertsOf(flagged.id, 'access_outside_opening');
    expect(moreRead).toEqual([]);
    expect(read!.subject).toBe(`${outsider.name}（纪检监督员）下载了${flagged.bidders[0]!.name}的响应文件：其并非本项目的评审专家、经办人或纪检监督员`);
    expect(auditEvidence(flagged.id, read!.evidence)).toEqual([expect.stringContaining('下载响应文件')]);
  });

  it('sign_off_over_broken_chain: the evaluation signed off while the chain did not verify', async () => {
    const [alert, ...more] = await alertsOf(flagged.id, 'sign_off_over_broken_chain');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ severity: 'high', findingKey: 'evaluation:1' });
    expect(alert!.subject).toContain('对第 1 轮评审签字确认时，审计日志哈希链校验未通过');
    expect(auditEvidence(flagged.id, alert!.evidence)).toEqual([expect.stringContaining('纪检监督员确认评审')]);
    expect(alert!.evidence.find((item) => item.kind === 'chain')).toBeDefined();
  });

  it('challenge_upheld_or_redo: the upheld challenge and the redo, one finding each', async () => {
    const raised = await alertsOf(flagged.id, 'challenge_upheld_or_redo');
    expect(raised.map((alert) => [alert.findingKey, alert.severity])).toEqual([
      [`challenge:${upheldId}`, 'medium'],
      ['redo:2', 'medium'],
    ]);
    expect(raised[0]!.subject).toBe(`${flagged.bidders[0]!.name}在第 1 轮结果公示期间提出的质疑被认定成立`);
    expect(details(raised[0]!.evidence)).toContain('经核实，质疑成立');
    expect(auditEvidence(flagged.id, raised[0]!.evidence)).toEqual([expect.stringContaining('答复质疑')]);
    expect(raised[1]!.subject).toContain(`启动重新评审（第 2 轮），原因：${REDO_REASON}`);
    expect(auditEvidence(flagged.id, raised[1]!.evidence)).toEqual([expect.stringContaining('重新评审')]);
  });

  it('raises each finding once, however often the data is reviewed again', async () => {
    const count = async () => (await t.database.db.select().from(alerts).where(eq(alerts.recruitmentId, flagged.id))).length;
    const before = await count();
    await t.app.services.inspection.review.reviewAll();
    expect(await count()).toBe(before);
  });
});
