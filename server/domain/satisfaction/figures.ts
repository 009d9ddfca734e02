import { and, desc, eq, gte, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { satisfactionRatings, serviceUses } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { beijingDate, beijingDayStart } from '../../lib/datetime.ts';
import type { SignedInUser } from '../accounts/service.ts';
import { currentOf, offersOf } from '../offers/catalogue.ts';
import { OFFER_GROUP_LABELS, OFFER_GROUPS } from '../offers/types.ts';
import type { Partnership, PartnershipAccess } from '../partnerships/access.ts';
import { PARTNERSHIP_STATUS_LABELS } from '../partnerships/types.ts';
import { satisfactionOf, type DeliveredPlaces, type Period } from './aggregate.ts';
import { PLACE_KINDS, type PlaceKind } from './types.ts';

// What each party sees of a partnership's satisfaction over a period (issue 17): the partner its
// figures only — never a comment, never who rated; the recruitment's agent and any inspector the
// same with the comments (text, score, group, date). No one sees the address or device keys.

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** the comments shown, newest first */
const MAX_COMMENTS = 500;

export interface PeriodQuery {
  /** Beijing date, inclusive; default the signing day */
  from?: string | undefined;
  /** Beijing date, inclusive; default today */
  to?: string | undefined;
}

function dayStart(value: string, field: 'from' | 'to'): Date {
  const start = DATE.test(value) ? beijingDayStart(value) : null;
  if (!start || Number.isNaN(start.getTime()) || beijingDate(start) !== value) {
    throw new AppError('PERIOD_INVALID', `${field === 'from' ? '起始' : '截止'}日期须为 YYYY-MM-DD 格式的有效日期`, field);
  }
  return start;
}

/** The period a query names: Beijing days, both ends included; by default from signing until now. */
export function periodOf(query: PeriodQuery, partnership: Partnership, now: Date): Period {
  const from = query.from ? dayStart(query.from, 'from') : (partnership.signedAt ?? partnership.createdAt);
  const to = query.to ? new Date(dayStart(query.to, 'to').getTime() + DAY_MS) : now;
  if (from.getTime() >= to.getTime()) throw new AppError('PERIOD_INVALID', '起始日期不能晚于截止日期', 'from');
  return { from, to };
}

export function createSatisfactionFigures({ db, clock, access }: { db: Db; clock: Clock; access: Pick<PartnershipAccess, 'load' | 'canSee'> }) {
  /**
   * Places delivered per Beijing month and kind, and in all, beside the free and discounted places
   * the current offers promise a month.
   */
  async function placesByMonth(partnershipId: string, period: Period) {
    const uses = await db
      .select({ usedAt: serviceUses.usedAt, place: serviceUses.place })
      .from(serviceUses)
      .where(and(eq(serviceUses.partnershipId, partnershipId), gte(serviceUses.usedAt, period.from), lt(serviceUses.usedAt, period.to)));
    const months = new Map<string, Record<PlaceKind, number>>();
    for (const { usedAt, place } of uses) {
      const month = beijingDate(usedAt).slice(0, 7);
      const counts = months.get(month) ?? (Object.fromEntries(PLACE_KINDS.map((kind) => [kind, 0])) as Record<PlaceKind, number>);
      counts[place] += 1;
      months.set(month, counts);
    }
    const current = (await offersOf(db, [partnershipId])).map(currentOf);
    const promised = {
      free: current.reduce((sum, offer) => sum + offer.freePlaces, 0),
      discounted: current.reduce((sum, offer) => sum + offer.discountedPlaces, 0),
    };
    const byKind = Object.fromEntries(
      PLACE_KINDS.map((kind) => [kind, [...months.values()].reduce((sum, counts) => sum + counts[kind], 0)]),
    ) as DeliveredPlaces['byKind'];
    return {
      delivered: { total: uses.length, byKind },
      promisedPerMonth: promised,
      months: [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, delivered]) => ({ month, delivered })),
    };
  }

  /** The partnership's satisfaction over the period, as `viewer` may see it (404 to anyone else). */
  async function partnershipSatisfaction(partnershipId: string, viewer: SignedInUser, query: PeriodQuery = {}) {
    const partnership = await access.load(partnershipId);
    if (!(await access.canSee(partnership, viewer))) throw new AppError('NOT_FOUND', '合作关系不存在');
    const period = periodOf(query, partnership, clock.now());
    const figures = await satisfactionOf(db, partnershipId, period);
    const places = await placesByMonth(partnershipId, period);
    const common = {
      partnershipId,
      recruitmentId: partnership.recruitmentId,
      status: partnership.status,
      statusLabel: PARTNERSHIP_STATUS_LABELS[partnership.status],
      period,
      figures,
      ...places,
    };
    if (viewer.role === 'bidder') return { ...common, comments: null };
    const comments = await db
      .select({ score: satisfactionRatings.score, group: satisfactionRatings.group, comment: satisfactionRatings.comment, ratedAt: satisfactionRatings.ratedAt })
      .from(satisfactionRatings)
      .where(
        and(
          eq(satisfactionRatings.partnershipId, partnershipId),
          isNotNull(satisfactionRatings.comment),
          gte(satisfactionRatings.ratedAt, period.from),
          lt(satisfactionRatings.ratedAt, period.to),
        ),
      )
      .orderBy(desc(satisfactionRatings.ratedAt))
      .limit(MAX_COMMENTS);
    return { ...common, comments: comments.map((row) => ({ ...row, comment: row.comment!, groupLabel: OFFER_GROUP_LABELS[row.group] })) };
  }

  return { partnershipSatisfaction };
}

export const GROUP_ROWS = OFFER_GROUPS.map((group) => ({ group, label: OFFER_GROUP_LABELS[group] }));
