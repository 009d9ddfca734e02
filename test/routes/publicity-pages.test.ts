import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { createSignedOffEvaluation, type Bidder } from '../helpers/evaluation.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
const agent = () => browsers.agent!;
const browsers: Record<string, Browser> = {};

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders } = await createSignedOffEvaluation(t, cast, { arts: [20, 30, 40], sports: [25, 35, 45] }));
  for (const [name, user] of [
    ['agent', cast.agent],
    ['inspector', cast.inspector],
    ['bidder', bidders[0]!],
  ] as const) {
    browsers[name] = new Browser(t.app);
    await browsers[name].signIn(user);
  }
});
afterAll(() => t.close());

const page = () => `/recruitments/${id}/publicity`;

describe('publicity, challenges and the award through the pages', () => {
  it('the agent announces the candidates from the publicity page', async () => {
    expect((await agent().get(`/agent/recruitments/${id}`)).body).toContain(`href="${page()}"`);
    const before = await agent().get(page());
    expect(before.body).toContain('公示中选候选人</button>');
    const forged = await agent().post(page(), {}, { csrf: false });
    expect(forged.statusCode).toBe(403);
    const announced = await agent().post(page(), {});
    expect(announced.statusCode).toBe(303);
    expect(announced.headers.location).toBe(`${page()}?done=announce`);
    const after = await agent().get(announced.headers.location as string);
    expect(after.body).toContain('中选候选人已公示');
    expect(after.body).toContain(bidders[2]!.name);
    expect(after.body).not.toContain('公示中选候选人</button>');
  });

  it('the public page shows the candidates during publicity', async () => {
    const response = await new Browser(t.app).get(`/recruitments/${id}`);
    expect(response.body).toContain('中选候选人公示');
    expect(response.body).toMatch(new RegExp(`<td>文艺演出</td><td>1</td><td>${bidders[2]!.name}</td>`));
  });

  it('a bidder raises a challenge: a blank one comes back with 400 beside the field, a forged one 403', async () => {
    const bidder = browsers.bidder!;
    expect((await bidder.get(page())).body).toContain('提交质疑');
    const blank = await bidder.post(`/recruitments/${id}/challenges`, { text: '' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toMatch(/has-error[\s\S]*name="text"/);
    expect((await bidder.post(`/recruitments/${id}/challenges`, { text: '评分有误' }, { csrf: false })).statusCode).toBe(403);
    const raised = await bidder.post(`/recruitments/${id}/challenges`, { text: '我单位公益方案得分偏低，请复核' });
    expect(raised.statusCode).toBe(303);
    const own = await bidder.get(raised.headers.location as string);
    expect(own.body).toContain('我单位公益方案得分偏低，请复核');
    expect(own.body).toContain('待经办人答复');
  });

  it('the agent answers it; the inspector sees it with the challenger; the public does not', async () => {
    const view = await t.app.services.awards.getPublicity(id, null);
    expect(view.challenges).toEqual([]);
    const inspectorPage = await browsers.inspector!.get(page());
    expect(inspectorPage.body).toContain(`质疑（${bidders[0]!.name}）`);
    const listed = await agent().get(page());
    const challengeId = /challenges\/([0-9a-f-]{36})\/answer/.exec(listed.body)![1];
    const blank = await agent().post(`/recruitments/${id}/challenges/${challengeId}/answer`, { text: '' });
    expect(blank.statusCode).toBe(400);
    const answered = await agent().post(`/recruitments/${id}/challenges/${challengeId}/answer`, { text: '经复核，评分无误' });
    expect(answered.statusCode).toBe(303);
    expect((await browsers.bidder!.get(page())).body).toContain('质疑不成立');
    expect((await new Browser(t.app).get(`/recruitments/${id}`)).body).not.toContain('我单位公益方案得分偏低');
  });

  it('after publicity the inspector signs off and the agent awards; the public page shows the result', async () => {
    expect((await browsers.inspector!.get(page())).body).not.toContain('签字确认定标</button>');
    const early = await browsers.inspector!.post(`/recruitments/${id}/award/signoff`, { comment: '' });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('公示期尚未结束');
    const { publicity } = await t.app.services.awards.getPublicity(id, null);
    t.clock.set(new Date(publicity!.endsAt.getTime() + 1000));
    expect((await browsers.inspector!.get(page())).body).toContain('签字确认定标</button>');
    expect((await browsers.inspector!.post(`/recruitments/${id}/award/signoff`, { comment: '同意' })).statusCode).toBe(303);
    const ready = await agent().get(page());
    expect(ready.body).toContain('确定入选单位（定标）</button>');
    expect((await agent().post(`/recruitments/${id}/award`, {}, { csrf: false })).statusCode).toBe(403);
    const awarded = await agent().post(`/recruitments/${id}/award`, {});
    expect(awarded.statusCode).toBe(303);
    const result = await new Browser(t.app).get(`/recruitments/${id}`);
    expect(result.body).toContain('入选结果');
    expect(result.body).toContain('已确定入选');
    expect(result.body).toMatch(new RegExp(`<td>体育组织</td><td>1</td><td>${bidders[5]!.name}</td>`));
  });
});
