import { NEGATIVE_LIST_ITEMS, type NegativeListItem } from '../server/domain/reviews/types.ts';
import { DAY, halfPoints, noise, type DemoCase } from './demo-helpers.ts';
import type { Partner } from './demo-partnerships.ts';
import { serve, type Plan } from './demo-satisfaction.ts';

// The partnership's first year (issue 17): the agent schedules each partner's stage review, 300
// worker ratings arrive over the year, the agent completes each review on the real form. Two
// partners are asked to rectify: A (poor in its first year) improves and passes its re-review;
// B (poor throughout) fails it and is terminated with a signed termination notice.

export const YEAR_RATINGS = 300;
const RECTIFICATION_DAYS = 60;
/** About how long this part takes on the clock after the award: signing, a year, the rectification. */
export const DAYS_AFTER_AWARD = 440;

interface ReviewForm {
  figures: { places: { delivered: { free: number; discounted: number }; promised: { free: number; discounted: number } } };
  defaultWeights: { delivery: number; places: number; safety: number; compliance: number; satisfaction: number };
}
interface Listed {
  reviews: { id: string; kind: string; completedAt: string | null }[];
}
interface Completed {
  result: string;
  total: number;
}

export interface YearOutcome {
  a: Partner;
  b: Partner;
  termination: { id: string; verifyCode: string };
}

/** The agent's form: quality in [0, 1] for its own criteria; the places scored by delivered over promised; every negative-list item answered. */
async function complete(demo: DemoCase, reviewId: string, quality: number, remarks: string, extra: { rectifyBy?: Date; breached?: NegativeListItem[] } = {}) {
  const form = await demo.call<ReviewForm>('GET', `/reviews/${reviewId}`, demo.agent);
  const { delivered, promised } = form.figures.places;
  const placesShare = Math.min(1, (delivered.free + delivered.discounted) / Math.max(1, promised.free + promised.discounted));
  const weights = form.defaultWeights;
  const breached = extra.breached ?? [];
  const points = {
    delivery: halfPoints(weights.delivery * quality, weights.delivery),
    places: halfPoints(weights.places * placesShare, weights.places),
    safety: halfPoints(weights.safety * (quality + 0.08), weights.safety),
    compliance: halfPoints(weights.compliance * (breached.length > 0 ? 0.4 : quality + 0.05), weights.compliance),
  };
  return demo.call<Completed>('POST', `/reviews/${reviewId}/complete`, demo.agent, {
    weights,
    points,
    negativeList: Object.fromEntries(NEGATIVE_LIST_ITEMS.map((item) => [item, breached.includes(item)])),
    ...(extra.rectifyBy ? { rectifyBy: extra.rectifyBy.toISOString() } : {}),
    remarks,
  });
}

const openReview = async (demo: DemoCase, partner: Partner) =>
  (await demo.call<Listed>('GET', `/partnerships/${partner.id}/reviews`, demo.agent)).reviews.find((review) => review.completedAt === null)!.id;

export async function runFirstYear(demo: DemoCase, partners: Partner[]): Promise<YearOutcome> {
  const { clock, call, agent, step } = demo;
  const a = partners.find((p) => p.lot === 'sports' && p.rank === 2)!;
  const b = partners.find((p) => p.lot === 'event-planning' && p.rank === 2)!;
  const yearEnd = (partner: Partner) => new Date(partner.signedAt.getTime() + 365 * DAY);

  // at the start of operation the agent schedules each first-year stage review
  for (const partner of partners) {
    const periodTo = yearEnd(partner);
    await call('POST', `/partnerships/${partner.id}/reviews`, agent, {
      kind: 'stage',
      periodFrom: partner.signedAt.toISOString(),
      periodTo: periodTo.toISOString(),
      dueAt: new Date(periodTo.getTime() + 30 * DAY).toISOString(),
    });
  }
  const plans: Plan[] = partners.map((partner, index) => ({
    partner,
    index,
    delivery: partner === b ? 0.7 : partner === a ? 0.8 : 0.92 + noise(index, 3) * 0.08,
    profile: partner === a || partner === b ? 'poor' : 'good',
  }));
  const from = new Date(clock.now().getTime() + DAY);
  const to = new Date(Math.min(...partners.map((p) => yearEnd(p).getTime())) - 3 * DAY);
  const year = await serve(demo, plans, from, to, YEAR_RATINGS, 17);
  step(`经办人为每项合作安排首年阶段考核；一年间合作伙伴随服务发放评价码 ${year.uses} 个，职工扫码评价 ${year.ratings} 次（无需登录，各用自己的手机）`);

  // a few days after the year, the agent completes each stage review
  clock.set(new Date(Math.max(...partners.map((p) => yearEnd(p).getTime())) + 5 * DAY));
  const rectifyBy = new Date(clock.now().getTime() + RECTIFICATION_DAYS * DAY);
  for (const [index, partner] of partners.entries()) {
    const poor = partner === a || partner === b;
    const remarks = poor
      ? '职工满意率偏低，部分公益名额未按月兑现，须在整改期限内提交整改报告并落实公示的优惠。'
      : '服务项目按协议开展，公益名额兑现良好，职工评价较高。';
    const quality = poor ? (partner === a ? 0.72 : 0.66) : 0.86 + noise(index, 11) * 0.1;
    await complete(demo, await openReview(demo, partner), quality, remarks, poor ? { rectifyBy } : {});
  }
  step(`首年阶段考核完成：${partners.length - 2} 家合格；${a.name}、${b.name}限期整改 ${RECTIFICATION_DAYS} 天，平台自动安排整改复核`);

  // the rectification: A improves, B does not
  const rectification: Plan[] = [
    { ...plans.find((p) => p.partner === a)!, delivery: 1, profile: 'good' },
    { ...plans.find((p) => p.partner === b)!, delivery: 0.6 },
  ];
  const ratings = await serve(demo, rectification, new Date(clock.now().getTime() + DAY), new Date(rectifyBy.getTime() - 2 * DAY), 40, 29);
  clock.set(new Date(rectifyBy.getTime() + 3 * DAY));
  await complete(demo, await openReview(demo, a), 0.9, '整改措施落实到位：增加周末开放时段，公益名额按月足额兑现，职工满意率明显回升。');
  await complete(demo, await openReview(demo, b), 0.6, '整改期间满意率仍未改善，职工反映优惠未落实并另行收费，经核实属实。', { breached: ['overcharge'] });
  step(`整改期间职工又评价 ${ratings.ratings} 次；整改复核：${a.name}合格，恢复合作中；${b.name}不合格`);

  clock.advance(DAY);
  const terminated = await call<{ notice: { id: string; verifyCode: string } }>('POST', `/partnerships/${b.id}/terminate`, agent, {
    reason: '整改复核不合格：职工满意率持续低于 50%，公益名额未按承诺兑现，且存在超出公示价格收费的情形。',
    assetHandling: '按协议第九条，乙方自行购置的活动器材于终止后 15 日内清点搬离；中心提供的场地、家具和设备由中心与乙方共同清点验收后收回，损坏部分按原值折旧赔偿。',
  });
  await demo.app.services.mailer.drain();
  // what the server's watch does within seconds of each change: the red flags are reviewed
  await demo.app.services.inspection.review.reviewNewEntries();
  const concentrated = await call<{ id: string }[]>('GET', `/inspector/alerts?recruitmentId=${demo.recruitmentId}&indicator=ratings_concentrated`, demo.inspector);
  for (const alert of concentrated) {
    await call('POST', `/inspector/alerts/${alert.id}/decision`, demo.inspector, {
      status: 'dismissed',
      note: '经核查，集中的网络地址是服务阵地的公共无线网络出口，这些评价来自不同设备，所用评价码均对应合作伙伴发放记录中的真实服务。',
    });
  }
  if (concentrated.length > 0) step(`监督预警：${concentrated.length} 条满意度评价集中来自同一网络地址；纪检监督员核查为阵地公共无线网络、设备各不相同，排除并注明理由`);
  step(`经办人终止与${b.name}的合作：签发终止合作通知书，记入本中心对该单位的记录（后续招募资格审查第 6 项可见）`);
  return { a, b, termination: terminated.notice };
}
