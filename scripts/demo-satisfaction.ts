import { DAY, HOUR, seeded, type DemoCase } from './demo-helpers.ts';
import type { Partner } from './demo-partnerships.ts';

// The services used and rated over a period: each partner issues a proof-of-use code with every
// free and discounted place it delivers (and with a few at full price), some workers rate with
// their code on their phone, without signing in. Everything is drawn from a seeded generator:
// the same uses, ratings and scores on every run.

/** Score distribution (1..5) of a partner's workers: good mostly 4–5; poor about 45% satisfied. */
export const SCORE_PROFILES = {
  good: [0.01, 0.02, 0.07, 0.33, 0.57],
  poor: [0.1, 0.18, 0.27, 0.3, 0.15],
} as const;
export type Profile = keyof typeof SCORE_PROFILES;

export interface Plan {
  partner: Partner;
  /** share of the promised free and discounted places actually delivered */
  delivery: number;
  profile: Profile;
  /** index of the partner among all, for its site's Wi-Fi and its workers */
  index: number;
}

type Place = 'free' | 'discounted' | 'regular';
interface Use {
  at: number;
  plan: Plan;
  offerId: string;
  place: Place;
  group: string;
  code?: string;
  rating?: { at: number; score: number };
}

const REGULAR_PER_MONTH = 2;
const MONTH = (365.25 / 12) * DAY;
const WORKERS_PER_SITE = 40;
const COMMENTS: Record<number, string[]> = {
  5: ['老师很专业，安排得很周到。', '免费名额很实用，感谢工会！', '环境干净，工作人员热情。', '预约方便，下次还来。'],
  4: ['整体不错，希望增加周末场次。', '服务挺好，就是报名的人有点多。', '价格实惠，场地稍显拥挤。'],
  3: ['一般，等候时间较长。', '内容可以再丰富一些。', '预约系统不太好用。'],
  2: ['工作人员态度一般，课程多次临时改期。', '场地设施老旧，体验不好。', '优惠名额总说约满了。'],
  1: ['说好的优惠没有落实，还要另外收费。', '活动临时取消也没有通知。'],
};

/** A time in [from, to) within Beijing's 9:00–20:00 (01:00–12:00 UTC). */
function openHour(random: () => number, from: number, to: number): number {
  const day = Math.floor((from + random() * (to - from - DAY)) / DAY) * DAY;
  const at = day + (1 + random() * 11) * HOUR;
  return at < from ? at + DAY : at;
}

function scoreOf(random: () => number, profile: Profile): number {
  let draw = random();
  for (const [index, share] of SCORE_PROFILES[profile].entries()) {
    draw -= share;
    if (draw < 0) return index + 1;
  }
  return 5;
}

/** The uses of each plan's services over [from, to): the places delivered, drawn month by month. */
function usesOf(plans: Plan[], from: number, to: number, random: () => number): Use[] {
  const uses: Use[] = [];
  const months = (to - from) / MONTH;
  for (const plan of plans) {
    for (const offer of plan.partner.offers) {
      const counts: [Place, number][] = [
        ['free', offer.freePlaces * plan.delivery],
        ['discounted', offer.discountedPlaces * plan.delivery],
        ['regular', REGULAR_PER_MONTH],
      ];
      for (const [place, perMonth] of counts) {
        for (let i = 0; i < Math.round(perMonth * months); i++) {
          const group = place === 'free' ? (random() < 0.5 ? 'modelWorker' : 'hardship') : place === 'discounted' ? 'unionMember' : random() < 0.5 ? 'unionMember' : 'allWorkers';
          uses.push({ at: openHour(random, from, to), plan, offerId: offer.id, place, group });
        }
      }
    }
  }
  return uses;
}

/**
 * Over [from, to): the partners issue a code with each use, and `ratings` of the uses (drawn
 * without replacement) are rated, on the spot or within a day and a half, from the site's Wi-Fi
 * or the worker's mobile network, each worker on their own phone (its device cookie kept).
 */
export async function serve(demo: DemoCase, plans: Plan[], from: Date, to: Date, ratings: number, seed: number) {
  const random = seeded(seed);
  const uses = usesOf(plans, from.getTime(), to.getTime(), random);
  const order = uses.map((_, index) => index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const index of order.slice(0, ratings)) {
    const use = uses[index]!;
    const delay = random() < 0.6 ? (5 + random() * 55) * 60 * 1000 : (2 + random() * 34) * HOUR;
    use.rating = { at: use.at + delay, score: scoreOf(random, use.plan.profile) };
  }
  const steps = [...uses.map((use) => ({ at: use.at, use, rate: false })), ...uses.filter((use) => use.rating).map((use) => ({ at: use.rating!.at, use, rate: true }))];
  steps.sort((a, b) => a.at - b.at);
  const devices = new Map<number, string>();
  for (const { at, use, rate } of steps) {
    demo.clock.set(new Date(at));
    if (!rate) {
      const issued = await demo.call<{ code: string }>('POST', `/partnerships/${use.plan.partner.id}/service-uses`, use.plan.partner.token, {
        offerId: use.offerId,
        group: use.group,
        place: use.place,
      });
      use.code = issued.code;
      continue;
    }
    const worker = use.plan.index * WORKERS_PER_SITE + Math.floor(random() * WORKERS_PER_SITE);
    const { score } = use.rating!;
    const comment = random() < 0.35 ? COMMENTS[score]![Math.floor(random() * COMMENTS[score]!.length)]! : null;
    const device = devices.get(worker);
    const response = await demo.app.inject({
      method: 'POST',
      url: '/api/v1/ratings',
      payload: { partnershipId: use.plan.partner.id, code: use.code!, score, group: use.group, comment },
      remoteAddress: random() < 0.4 ? `192.0.2.${10 + use.plan.index}` : `198.51.100.${1 + (worker % 250)}`,
      ...(device ? { cookies: { rating_device: device } } : {}),
    });
    if (response.statusCode !== 201) throw new Error(`rating: ${response.statusCode} ${response.body}`);
    const cookie = response.cookies.find((c) => c.name === 'rating_device');
    if (cookie) devices.set(worker, cookie.value);
  }
  return { uses: uses.length, ratings: Math.min(ratings, uses.length) };
}
