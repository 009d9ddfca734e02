import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { createBidder, submitBid } from '../helpers/bidding.ts';
import { Browser } from '../helpers/browser.ts';
import { createInEvaluation, createOpened } from '../helpers/evaluation.ts';
import { outbox } from '../helpers/mail.ts';
import { VERIFICATION_SUBJECT } from '../helpers/organizations.ts';
import { createInPublicity } from '../helpers/publicity.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';

// The bidder's desk (我的项目) and where its bids stand (issue 15 points 1 and 11): every
// recruitment it bid in or followed, each bid's stage from received to the award, its own score
// and rank from the publicity on (never another organisation's), and its notices after the award.

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const post = (url: string, token: string, payload?: object) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

async function signedIn(organization: { email: string; password: string }) {
  const browser = new Browser(t.app);
  await browser.signIn(organization);
  return browser;
}

/** The text of one bid's entry on a page listing the organisation's bids. */
function entryOf(html: string, bidId: string) {
  const start = html.lastIndexOf('<li class="own-bid">', html.indexOf(`<code>${bidId}</code>`));
  return html.slice(start, html.indexOf('</li>', html.indexOf(`<code>${bidId}</code>`)));
}

describe('the desk', () => {
  it('15.1: lists every recruitment the organisation bid in or followed, each with its bids and their stage', async () => {
    const organization = await createBidder(t);
    const browser = await signedIn(organization);
    expect((await browser.get('/bidder')).body).toContain('尚未关注任何项目，也未提交响应文件');

    const [followedOnly, bidOnly, bidAndFollowed, withdrawnIn] = [
      await createPublished(t, cast),
      await createPublished(t, cast),
      await createPublished(t, cast),
      await createPublished(t, cast),
    ];
    for (const id of [followedOnly, bidAndFollowed]) {
      await t.app.inject({ method: 'PUT', url: `/api/v1/recruitments/${id}/follow`, headers: bearer(organization.token) });
    }
    const bid = await submitBid(t, bidOnly, organization.token, 'arts', organization.name);
    const both = await submitBid(t, bidAndFollowed, organization.token, 'sports', organization.name);
    const withdrawn = await submitBid(t, withdrawnIn, organization.token, 'arts', organization.name);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${withdrawn}`, headers: bearer(organization.token) });
    const unrelated = await createPublished(t, cast);

    const desk = await browser.get('/bidder');
    expect(desk.statusCode).toBe(200);
    expect(desk.body).not.toContain('尚未关注任何项目');
    for (const id of [followedOnly, bidOnly, bidAndFollowed, withdrawnIn]) expect(desk.body).toContain(`<h2><a href="/recruitments/${id}">`);
    expect(desk.body).not.toContain(`href="/recruitments/${unrelated}"`);
    expect(desk.body).toContain('已收到您的响应文件</strong>：服务器已完整接收并加密保存下列 2 份响应文件');
    for (const bidId of [bid, both]) expect(entryOf(desk.body, bidId)).toContain('<span class="status status-received">已收到</span>');
    expect(entryOf(desk.body, withdrawn)).toContain('<span class="status status-withdrawn">已撤回</span>');
    // the recruitment only followed says no bid is in it
    const followedCard = desk.body.slice(desk.body.indexOf(`<h2><a href="/recruitments/${followedOnly}">`));
    expect(followedCard.slice(0, followedCard.indexOf('</li>'))).toContain('本单位尚未在本项目提交响应文件');
  });

  it('15.1: the candidates\' publicity is mailed to every organisation that bid, once, whether it followed or not', async () => {
    const { bidders } = await createInPublicity(t, cast, { arts: [30, 31, 32, 33] });
    const mails = await outbox(t);
    for (const bidder of bidders) {
      const received = mails.filter((m) => m.to === bidder.email && m.subject !== VERIFICATION_SUBJECT);
      expect(received.map((m) => m.subject.replace(/】.*/, '】')), bidder.name).toEqual(['【中选候选人公示】']);
    }
  }, 120_000);
});

describe('where a bid stands', () => {
  it('15.11: received, then past the deadline awaiting the opening, then opened, then under evaluation', async () => {
    const organization = await createBidder(t);
    const browser = await signedIn(organization);
    const id = await createPublished(t, cast, 21);
    const bidId = await submitBid(t, id, organization.token, 'arts', organization.name);
    const stageOn = async (url: string) => (await browser.get(url)).body;
    expect(await stageOn(`/bidder/bids/${bidId}`)).toContain('status-received">已收到</span>');
    const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
    t.clock.set(new Date(deadline + 1));
    for (const url of [`/bidder/bids/${bidId}`, '/bidder']) expect(await stageOn(url)).toContain('status-awaiting_opening">已截止，待开标</span>');

    const opened = await createOpened(t, cast, { arts: [30, 31, 32] }, { organizations: [organization] });
    const openedBid = opened.bidders[0]!.bidId;
    for (const url of [`/bidder/bids/${openedBid}`, '/bidder']) expect(entryOrPage(await stageOn(url), openedBid)).toContain('status-opened">已开标</span>');

    const evaluated = await createInEvaluation(t, cast, { arts: [30, 31, 32] }, { organizations: [organization] });
    const evaluatedBid = evaluated.bidders[0]!.bidId;
    const receipt = await stageOn(`/bidder/bids/${evaluatedBid}`);
    expect(receipt).toContain('status-under_evaluation">评审中</span>');
    expect(receipt).not.toContain('本单位得分');
  }, 120_000);

  it('15.11: from the publicity on, its own score and rank only; after the award, selected or not, with its notices, on the pages and in the API', async () => {
    // arts has a quota of 3: the first of four bids scores least and is not a candidate
    const { id, bidders, publicityEndsAt } = await createInPublicity(t, cast, { arts: [30, 31, 32, 33] });
    const [last, , , first] = bidders;
    const lastBrowser = await signedIn(last!);
    const firstBrowser = await signedIn(first!);

    const notCandidate = await lastBrowser.get(`/bidder/bids/${last!.bidId}`);
    expect(notCandidate.body).toContain('status-not_candidate">未列为中选候选人</span>');
    expect(notCandidate.body).toContain('本单位得分 <strong>60</strong> 分，在本类别排第 <strong>4</strong> 名（共 4 家参加评分）');
    const candidate = await firstBrowser.get('/bidder');
    expect(entryOf(candidate.body, first!.bidId)).toContain('status-candidate">中选候选人（公示中）</span>');
    expect(entryOf(candidate.body, first!.bidId)).toContain('本单位得分 <strong>63</strong> 分，在本类别排第 <strong>1</strong> 名');
    // no other organisation's score or name on either page
    for (const [page, own, others] of [
      [notCandidate.body, last!, ['61', '62', '63']],
      [candidate.body, first!, ['60', '61', '62']],
    ] as const) {
      expect(page.match(/本单位得分/g)).toHaveLength(1);
      for (const score of others) expect(page).not.toContain(`<strong>${score}</strong>`);
      for (const other of bidders.filter((b) => b.bidId !== own.bidId)) expect(page).not.toContain(other.name);
    }

    t.clock.set(new Date(publicityEndsAt.getTime() + 1000));
    expect((await post(`/recruitments/${id}/award/sign-off`, cast.inspectorToken, { comment: '公示期满，无质疑' })).statusCode).toBe(200);
    expect((await post(`/recruitments/${id}/award`, cast.agentToken)).statusCode).toBe(200);
    await t.app.services.documents.idle();

    const notSelected = await lastBrowser.get(`/bidder/bids/${last!.bidId}`);
    expect(notSelected.body).toContain('status-not_selected">未入选</span>');
    expect(notSelected.body).toContain('本单位得分 <strong>60</strong> 分');
    expect(notSelected.body).toMatch(/<a href="\/documents\/[0-9a-f-]{36}">下载未入选通知书（PDF）<\/a>/);
    expect(notSelected.body).not.toContain('下载入选通知书');
    const selected = await firstBrowser.get('/bidder');
    const entry = entryOf(selected.body, first!.bidId);
    expect(entry).toContain('status-selected">入选</span>');
    expect(entry).toMatch(/<a href="\/documents\/[0-9a-f-]{36}">下载入选通知书（PDF）<\/a>/);
    expect(entry).toMatch(/<a href="\/documents\/[0-9a-f-]{36}">下载合作协议（草案）（PDF）<\/a>/);
    const link = /<a href="(\/documents\/[0-9a-f-]{36})">下载入选通知书/.exec(entry)![1]!;
    const download = await firstBrowser.get(link);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');

    // the JSON API tells each organisation the same standing: GET /bids and GET /bids/:id
    const own = (await t.app.inject({ url: '/api/v1/bids', headers: bearer(last!.token) })).json();
    expect(own).toHaveLength(1);
    expect(own[0].standing).toMatchObject({ stage: 'not_selected', label: '未入选', score: { mean: 60, rank: 4, of: 4 } });
    expect(own[0].standing.notices.map((n: { kindName: string }) => n.kindName)).toEqual(['未入选通知书']);
    const receipt = (await t.app.inject({ url: `/api/v1/bids/${first!.bidId}`, headers: bearer(first!.token) })).json();
    expect(receipt.standing).toMatchObject({ stage: 'selected', score: { mean: 63, rank: 1, of: 4 } });
    expect(receipt.standing.notices.map((n: { kindName: string }) => n.kindName).sort()).toEqual(['入选通知书', '合作协议（草案）'].sort());
  }, 180_000);
});

/** A bid's entry on the desk, or the whole receipt page. */
function entryOrPage(html: string, bidId: string) {
  return html.includes('<h1 id="receipt-h">') ? html : entryOf(html, bidId);
}
