import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { createInEvaluation, type Organization } from '../helpers/evaluation.ts';
import { pdfWith } from '../helpers/multipart.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

// The red flags about bidders (indicators/bidders*.ts), each fired on crafted data and silent on
// clean data, raised by the review as the data appears and read as the named inspector reads them.

let t: TestApp;
let cast: Cast;
/** organisations registered long before any deadline here, each with contacts of its own */
let pool: Organization[];

interface Alert {
  indicator: string;
  severity: string;
  subject: string;
  evidence: { kind: string; id: string; detail: string; url?: string }[];
}

let serial = 0;
/** An organisation whose phone and legal representative no other one has. */
function distinctBidder() {
  serial += 1;
  return createBidder(t, { phone: `0571-8600${String(serial).padStart(4, '0')}`, legalRepresentative: `法定代表人${serial}` });
}

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  pool = [];
  for (let i = 0; i < 7; i++) pool.push(await distinctBidder());
});
afterAll(() => t.close());

const review = () => t.app.services.inspection.review.reviewNewEntries();

async function alertsOf(recruitmentId: string, indicator: string): Promise<Alert[]> {
  const response = await t.app.inject({ url: `/api/v1/inspector/alerts?recruitmentId=${recruitmentId}`, headers: bearer(cast.inspectorToken) });
  expect(response.statusCode).toBe(200);
  return response.json<Alert[]>().filter((alert) => alert.indicator === indicator);
}

const details = (alert: Alert) => alert.evidence.map((item) => item.detail).join('\n');

async function deadlineOf(id: string): Promise<number> {
  return Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json<{ submissionDeadline: string }>().submissionDeadline);
}

/** The recruitment's deadline passes and the agent starts the opening (which the review sees). */
async function startOpening(id: string) {
  t.clock.set(new Date((await deadlineOf(id)) + 1000));
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/opening/start`, headers: bearer(cast.agentToken) });
  expect(response.statusCode).toBe(200);
}

/** A recruitment published now, with its deadline 30 days on. */
async function publishedNow() {
  t.clock.set(new Date());
  return createPublished(t, cast);
}

describe('identical bid files', () => {
  it('flags the same file in two organisations’ bids once the opening has decrypted them', async () => {
    const same = pdfWith(`one template ${randomBytes(4).toString('hex')}`);
    const { id, bidders } = await createInEvaluation(t, cast, { arts: [40, 40, 40] }, { organizations: pool, content: (index) => (index < 2 ? same : undefined) });
    await review();
    const [alert, ...others] = await alertsOf(id, 'identical_bid_files');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'high' });
    expect(alert!.subject).toContain(bidders[0]!.name);
    expect(alert!.subject).toContain(bidders[1]!.name);
    expect(alert!.subject).not.toContain(bidders[2]!.name);
    expect(alert!.evidence.map((item) => item.kind)).toEqual(['file', 'file']);
    expect(details(alert!)).toContain(`${bidders[0]!.name}.pdf`);
    expect(alert!.evidence[0]!.url).toMatch(new RegExp(`^/recruitments/${id}/bids/${bidders[0]!.bidId}/files/`));
  });

  it('does not fire when every organisation’s files differ', async () => {
    const { id } = await createInEvaluation(t, cast, { arts: [40, 40, 40] }, { organizations: pool });
    await review();
    expect(await alertsOf(id, 'identical_bid_files')).toEqual([]);
  });
});

describe('shared bidder contacts', () => {
  it('flags each shared phone or legal representative, high when a pair shares both', async () => {
    const id = await publishedNow();
    const first = await createBidder(t, { phone: '0571-8765 4321', legalRepresentative: '周共用' });
    const second = await createBidder(t, { phone: '(0571) 87654321', legalRepresentative: '周共用' });
    const third = await createBidder(t, { phone: '0571-86550001', legalRepresentative: '吴同名' });
    const fourth = await createBidder(t, { phone: '0571-86550002', legalRepresentative: '吴同名' });
    for (const bidder of [first, second, third, fourth]) await submitBid(t, id, bidder.token, 'arts', bidder.name);
    await review();
    const raised = await alertsOf(id, 'shared_bidder_contacts');
    expect(raised).toHaveLength(3);
    const phone = raised.find((alert) => alert.subject.includes('登记的联系电话相同'))!;
    expect(phone.severity).toBe('high');
    expect(phone.subject).toContain(`${first.name}和${second.name}`);
    expect(phone.subject).toContain('法定代表人也相同');
    expect(phone.evidence.map((item) => item.kind)).toEqual(['organization', 'organization']);
    expect(details(phone)).toContain(first.uscc);
    expect(details(phone)).toContain('(0571) 87654321');
    expect(raised.find((alert) => alert.subject.includes('周共用'))!.severity).toBe('high');
    const legal = raised.find((alert) => alert.subject.includes('吴同名'))!;
    expect(legal.severity).toBe('medium');
    expect(legal.subject).toContain(`${third.name}和${fourth.name}登记的法定代表人相同`);

    // a bid withdrawn takes its organisation out of the bidders
    const withdrawnBy = await createBidder(t, { phone: '0571-86550003', legalRepresentative: '郑撤回' });
    const other = await createBidder(t, { phone: '0571-86550004', legalRepresentative: '郑撤回' });
    const bidId = await submitBid(t, id, withdrawnBy.token, 'sports', withdrawnBy.name);
    const withdrawn = await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${bidId}`, headers: bearer(withdrawnBy.token) });
    expect(withdrawn.statusCode).toBe(200);
    await submitBid(t, id, other.token, 'sports', other.name);
    await review();
    expect(await alertsOf(id, 'shared_bidder_contacts')).toHaveLength(3);
  });

  it('does not fire on bidders with contacts of their own', async () => {
    const id = await publishedNow();
    for (const bidder of pool.slice(0, 4)) await submitBid(t, id, bidder.token, 'arts', bidder.name);
    await review();
    expect(await alertsOf(id, 'shared_bidder_contacts')).toEqual([]);
  });
});

describe('thin competition', () => {
  it('flags, once the deadline has passed, a lot with fewer bids than its quota plus one', async () => {
    const id = await publishedNow();
    // arts: quota 3, two bids; sports: quota 2, three bids
    for (const [index, bidder] of pool.slice(0, 5).entries()) await submitBid(t, id, bidder.token, index < 2 ? 'arts' : 'sports', bidder.name);
    await review();
    expect(await alertsOf(id, 'thin_competition')).toEqual([]);
    await startOpening(id);
    await review();
    const [alert, ...others] = await alertsOf(id, 'thin_competition');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'medium' });
    expect(alert!.subject).toBe('类别“文艺演出”只收到 2 份响应文件，入选名额 3 个');
    expect(alert!.evidence.map((item) => item.kind)).toEqual(['lot', 'bid', 'bid']);
    expect(details(alert!)).toContain(pool[0]!.name);
    expect(details(alert!)).toContain(pool[1]!.name);
  });

  it('does not fire when every lot has its quota plus one', async () => {
    const id = await publishedNow();
    for (const [index, bidder] of pool.entries()) await submitBid(t, id, bidder.token, index < 4 ? 'arts' : 'sports', bidder.name);
    await startOpening(id);
    await review();
    expect(await alertsOf(id, 'thin_competition')).toEqual([]);
  });
});

describe('late registration', () => {
  it('flags a bidder registered within three days of the deadline', async () => {
    const id = await publishedNow();
    t.clock.set(new Date((await deadlineOf(id)) - 2 * DAY_MS));
    const late = await distinctBidder();
    await submitBid(t, id, late.token, 'arts', late.name);
    await submitBid(t, id, pool[0]!.token, 'arts', pool[0]!.name);
    await review();
    const [alert, ...others] = await alertsOf(id, 'late_registration');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'low' });
    expect(alert!.subject).toContain(late.name);
    expect(alert!.subject).toContain('距提交截止仅 1 天 23 小时');
    expect(alert!.evidence.map((item) => item.kind)).toEqual(['organization', 'bid']);
    expect(details(alert!)).toContain(late.uscc);
  });

  it('does not fire on bidders registered earlier', async () => {
    const id = await publishedNow();
    t.clock.set(new Date((await deadlineOf(id)) - 4 * DAY_MS));
    const early = await distinctBidder();
    await submitBid(t, id, early.token, 'arts', early.name);
    await submitBid(t, id, pool[0]!.token, 'arts', pool[0]!.name);
    await review();
    expect(await alertsOf(id, 'late_registration')).toEqual([]);
  });
});

describe('last-minute bids from one address', () => {
  it('flags two bids arriving from one address in the last ten minutes', async () => {
    const id = await publishedNow();
    const deadline = await deadlineOf(id);
    t.clock.set(new Date(deadline - 30 * 60_000));
    await submitBid(t, id, pool[2]!.token, 'arts', pool[2]!.name, { remoteAddress: '10.40.0.7' });
    t.clock.set(new Date(deadline - 8 * 60_000));
    await submitBid(t, id, pool[0]!.token, 'arts', pool[0]!.name, { remoteAddress: '10.40.0.7' });
    await submitBid(t, id, pool[1]!.token, 'sports', pool[1]!.name, { remoteAddress: '10.40.0.7' });
    await review();
    const [alert, ...others] = await alertsOf(id, 'last_minute_bids_from_one_address');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'medium' });
    expect(alert!.subject).toContain('IP 地址 10.40.0.7 上传了 2 份响应文件');
    expect(alert!.subject).toContain(`${pool[0]!.name}和${pool[1]!.name}`);
    expect(alert!.evidence.map((item) => item.kind)).toEqual(['bid', 'bid']);
    expect(details(alert!)).not.toContain(pool[2]!.name);
  });

  it('does not fire on last-minute bids from different addresses, nor on earlier ones from one', async () => {
    const id = await publishedNow();
    const deadline = await deadlineOf(id);
    t.clock.set(new Date(deadline - 40 * 60_000));
    await submitBid(t, id, pool[0]!.token, 'arts', pool[0]!.name, { remoteAddress: '10.41.0.1' });
    await submitBid(t, id, pool[1]!.token, 'arts', pool[1]!.name, { remoteAddress: '10.41.0.1' });
    t.clock.set(new Date(deadline - 5 * 60_000));
    await submitBid(t, id, pool[2]!.token, 'arts', pool[2]!.name, { remoteAddress: '10.41.0.2' });
    await submitBid(t, id, pool[3]!.token, 'arts', pool[3]!.name, { remoteAddress: '10.41.0.3' });
    await review();
    expect(await alertsOf(id, 'last_minute_bids_from_one_address')).toEqual([]);
  });
});

describe('winners', () => {
  // one centre of its own: A wins all three of its recruitments, the others one each;
  // A bid the first at exactly the minimum share (20 %), everyone else above it
  const owner = `测试职工服务中心${randomBytes(3).toString('hex')}`;
  const awarded: { id: string; bidders: { bidId: string; name: string }[] }[] = [];
  const award = async (organizations: Organization[], ratios: number[]) => {
    const recruitment = await createAwarded(t, cast, { arts: ratios }, { owner, organizations });
    awarded.push(recruitment);
    await review();
    return recruitment;
  };

  it('does not flag a winner before the centre has three awarded recruitments, nor a winner above the minimum share', async () => {
    await award([pool[0]!, pool[1]!, pool[2]!], [20, 40, 40]);
    const second = await award([pool[0]!, pool[3]!, pool[4]!], [40, 40, 40]);
    for (const { id } of awarded) expect(await alertsOf(id, 'winner_concentration')).toEqual([]);
    expect(await alertsOf(second.id, 'winner_at_minimum_share')).toEqual([]);
  });

  it('flags a winner at exactly the minimum public-benefit share', async () => {
    const [first] = awarded;
    const [alert, ...others] = await alertsOf(first!.id, 'winner_at_minimum_share');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'low' });
    expect(alert!.subject).toBe(`入选单位${pool[0]!.name}（类别“文艺演出”）的公益名额比例为 20%，恰为最低要求`);
    expect(alert!.evidence.map((item) => item.kind)).toEqual(['opening_record', 'award']);
  });

  it('flags an organisation winning more than half of the centre’s awarded recruitments, on each it won', async () => {
    const third = await award([pool[0]!, pool[5]!, pool[6]!], [40, 40, 40]);
    const [alert, ...others] = await alertsOf(third.id, 'winner_concentration');
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'medium' });
    expect(alert!.subject).toBe(`${pool[0]!.name}在${owner}已定标的 3 个招募项目中入选了 3 个（100%）`);
    expect(alert!.evidence.map((item) => item.kind)).toEqual(['award', 'award', 'award']);
    expect(alert!.evidence.map((item) => item.url)).toEqual(awarded.map(({ id }) => `/recruitments/${id}`));
    // the earlier recruitments it won are flagged when reviewed again
    await t.app.services.inspection.review.reviewAll();
    for (const { id } of awarded) expect((await alertsOf(id, 'winner_concentration')).map((raised) => raised.subject)).toEqual([alert!.subject]);
  });
});
