import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { lots, organizations, partnerships, recruitments, satisfactionRatings, serviceUses } from '../../db/schema.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError, RateLimitedError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Limit, RateLimiter } from '../accounts/rate-limit.ts';
import { currentOf, offersOf } from '../offers/catalogue.ts';
import { OFFER_GROUPS, type OfferGroup } from '../offers/types.ts';
import type { PartnershipAccess } from '../partnerships/access.ts';
import {
  LIMIT_WINDOW_MS,
  normalizeUseCode,
  RATINGS_PER_ADDRESS_PER_DAY,
  RATINGS_PER_DEVICE_PER_DAY,
  ratingKeys,
  useCodeHash,
  withinRatingWindow,
  WRONG_CODES_PER_ADDRESS_PER_HOUR,
  RATING_WINDOW_DAYS,
} from './codes.ts';
import { refuseUnlessServing, SERVING_STATUSES } from './service-uses.ts';
import { SATISFACTION_SCORES } from './types.ts';

// A worker rates a service (issue 17), without signing in: the proof-of-use code the partner
// handed over is the proof, good for one rating within 30 days. A code that is unknown, used,
// expired or another partner's is refused alike, so a refusal tells nothing about which codes
// exist. Wrong codes are limited per address (counted before the look-up, given back when the
// code was right); ratings per device (a random HttpOnly cookie) and per address per day. Only
// keyed hashes of the address and the device are stored. A rating is anonymous public input,
// not an act of an account: it has no audit entry (the code's issue has one).

export const MAX_COMMENT_LENGTH = 500;

export const WRONG_RATING_CODE: Limit = {
  scope: 'rating_code_address',
  max: WRONG_CODES_PER_ADDRESS_PER_HOUR,
  windowMs: 60 * 60 * 1000,
  refusal: '评价码错误次数过多',
};

export interface RatingInput {
  code: string;
  score: number;
  group: string;
  comment?: string | null;
}

export interface RatingOrigin {
  ip: string;
  /** the device cookie's random value */
  deviceToken: string;
}

const CODE_REFUSAL = `评价码无效：请核对服务人员提供的评价码。每个评价码只能评价一次，须在服务后 ${RATING_WINDOW_DAYS} 天内使用，且只能评价发放它的合作伙伴`;

/** The rating's fields checked, the comment trimmed (blank is none). */
export function validRating(input: RatingInput): { canonicalCode: string | null; score: number; group: OfferGroup; comment: string | null } {
  if (!SATISFACTION_SCORES.includes(input.score as (typeof SATISFACTION_SCORES)[number])) {
    throw new AppError('SCORE_INVALID', '请选择 1 至 5 分的满意度评价', 'score');
  }
  if (!OFFER_GROUPS.includes(input.group as OfferGroup)) throw new AppError('GROUP_INVALID', '请选择您所属的职工群体', 'group');
  const comment = input.comment?.trim() || null;
  if (comment !== null && [...comment].length > MAX_COMMENT_LENGTH) {
    throw new AppError('COMMENT_TOO_LONG', `意见建议不能超过 ${MAX_COMMENT_LENGTH} 字`, 'comment');
  }
  return { canonicalCode: normalizeUseCode(input.code), score: input.score, group: input.group as OfferGroup, comment };
}

export function createRatings({
  db,
  clock,
  limiter,
  access,
  ratingKey,
}: {
  db: Db;
  clock: Clock;
  limiter: Pick<RateLimiter, 'attempt' | 'refund'>;
  access: Pick<PartnershipAccess, 'load'>;
  /** ratingKeyOf(the session secret) */
  ratingKey: Buffer;
}) {
  /** Refuses when `key` already has `max` ratings in the last day (429 with the wait). */
  async function refuseOverDaily(tx: Tx, column: typeof satisfactionRatings.addressKey | typeof satisfactionRatings.deviceKey, key: string, max: number, refusal: string) {
    const now = clock.now();
    const recent = await tx
      .select({ ratedAt: satisfactionRatings.ratedAt })
      .from(satisfactionRatings)
      .where(and(eq(column, key), gt(satisfactionRatings.ratedAt, new Date(now.getTime() - LIMIT_WINDOW_MS))))
      .orderBy(asc(satisfactionRatings.ratedAt))
      .limit(max);
    if (recent.length < max) return;
    const waitS = Math.max(1, Math.ceil((recent[0]!.ratedAt.getTime() + LIMIT_WINDOW_MS - now.getTime()) / 1000));
    throw new RateLimitedError(`${refusal}，请在 ${Math.ceil(waitS / 3600)} 小时后再试`, waitS);
  }

  /** A worker's rating of the partnership's service, with the code of its use. */
  async function rate(partnershipId: string, raw: RatingInput, origin: RatingOrigin) {
    const input = validRating(raw);
    const partnership = await access.load(partnershipId);
    refuseUnlessServing(partnership, 'RATINGS_CLOSED');
    const keys = ratingKeys(ratingKey, origin.ip, origin.deviceToken);
    const attempt = await limiter.attempt(WRONG_RATING_CODE, keys.addressKey);
    const refused = () => new AppError('RATING_CODE_INVALID', CODE_REFUSAL, 'code');
    if (input.canonicalCode === null) throw refused();
    const rated = await db.transaction(async (tx) => {
      const [use] = await tx.select().from(serviceUses).where(eq(serviceUses.codeHash, useCodeHash(input.canonicalCode!))).for('update');
      if (!use || use.partnershipId !== partnershipId || !withinRatingWindow(use.usedAt, clock.now())) return null;
      const [already] = await tx.select({ id: satisfactionRatings.id }).from(satisfactionRatings).where(eq(satisfactionRatings.serviceUseId, use.id));
      if (already) return null;
      // one device's or address's ratings are counted one at a time (two-key lock, its own class)
      for (const key of [keys.addressKey, keys.deviceKey]) await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${key}))`);
      await refuseOverDaily(tx, satisfactionRatings.deviceKey, keys.deviceKey, RATINGS_PER_DEVICE_PER_DAY, '本设备今天的评价次数已达上限');
      await refuseOverDaily(tx, satisfactionRatings.addressKey, keys.addressKey, RATINGS_PER_ADDRESS_PER_DAY, '该网络地址今天的评价次数已达上限');
      const [row] = await tx
        .insert(satisfactionRatings)
        .values({ serviceUseId: use.id, partnershipId, score: input.score, group: input.group, comment: input.comment, ratedAt: clock.now(), ...keys })
        .returning({ id: satisfactionRatings.id, ratedAt: satisfactionRatings.ratedAt });
      return row!;
    }).catch(async (error: unknown) => {
      if (isUniqueViolation(error, 'satisfaction_ratings_service_use_key')) return null;
      // the code was right: a daily limit is not a wrong code
      if (error instanceof RateLimitedError) await limiter.refund(attempt);
      throw error;
    });
    if (!rated) throw refused();
    await limiter.refund(attempt);
    return { ratingId: rated.id, partnershipId, score: input.score, group: input.group, ratedAt: rated.ratedAt };
  }

  /** What the public rating page shows: the partner, its site and its services now. */
  async function ratingPage(partnershipId: string) {
    const [row] = await db
      .select({ partnership: partnerships, organization: organizations.name, recruitment: recruitments.title, owner: recruitments.owner, lot: lots.name })
      .from(partnerships)
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .innerJoin(recruitments, eq(recruitments.id, partnerships.recruitmentId))
      .innerJoin(lots, and(eq(lots.recruitmentId, partnerships.recruitmentId), eq(lots.key, partnerships.lotKey)))
      .where(eq(partnerships.id, partnershipId));
    // a partnership not yet signed is no one's business but its parties'
    if (!row || row.partnership.status === 'awarded' || row.partnership.status === 'lapsed') throw new AppError('NOT_FOUND', '评价页面不存在');
    const services = (await offersOf(db, [partnershipId])).map((offer) => currentOf(offer).service);
    return {
      partnershipId,
      organization: row.organization,
      recruitmentId: row.partnership.recruitmentId,
      site: { recruitment: row.recruitment, owner: row.owner, lot: row.lot },
      services,
      open: SERVING_STATUSES.includes(row.partnership.status),
    };
  }

  return { rate, ratingPage };
}

// two-key advisory locks of the ratings' limits, apart from the audit log's and rate-limit.ts's
const LOCK_CLASS = 0x72617465;

export type Ratings = ReturnType<typeof createRatings>;
