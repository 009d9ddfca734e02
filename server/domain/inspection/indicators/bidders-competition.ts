import { and, asc, countDistinct, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { awards, lots, openingRecords, organizations, recruitments } from '../../../db/schema.ts';
import { groupBy } from '../../../lib/group-by.ts';
import { formatTime } from '../../../lib/labels.ts';
import { bidEvidence, currentBids } from './bidders-data.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags about competition and who wins: too few bids for a lot, the same winner across a
// centre's recruitments, a winner offering no more than the minimum public-benefit share.

const lotOf = and(eq(lots.recruitmentId, awards.recruitmentId), eq(lots.key, awards.lotKey));

export const thinCompetition: IndicatorDefinition = {
  id: 'thin_competition',
  label: '竞争不充分',
  meaning: `提交截止后，某类别的响应文件少于入选名额加 ${THRESHOLDS.competitionMargin}：评审委员会几乎没有选择余地，可能是招募条件排斥了潜在响应人或公告范围不足（参照 ProZorro 的“竞争不足”指标）。`,
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview, now: Date): Promise<Finding[]> {
    if (now < recruitment.submissionDeadline) return [];
    const lotRows = await tx
      .select({ id: lots.id, key: lots.key, name: lots.name, quota: lots.quota })
      .from(lots)
      .where(eq(lots.recruitmentId, recruitment.id))
      .orderBy(asc(lots.position));
    const current = await currentBids(tx, recruitment.id);
    return lotRows.flatMap((lot): Finding[] => {
      const inLot = current.filter((bid) => bid.lotKey === lot.key);
      if (inLot.length >= lot.quota + THRESHOLDS.competitionMargin) return [];
      const received = inLot.length === 0 ? '没有收到响应文件' : `只收到 ${inLot.length} 份响应文件`;
      return [
        {
          key: `lot:${lot.key}`,
          subject: `类别“${lot.name}”${received}，入选名额 ${lot.quota} 个`,
          evidence: [
            {
              kind: 'lot',
              id: lot.id,
              detail: `类别“${lot.name}”：入选名额 ${lot.quota} 个，提交截止（${formatTime(recruitment.submissionDeadline)}）时有效的响应文件 ${inLot.length} 份`,
              url: `/recruitments/${recruitment.id}`,
            },
            ...inLot.map((bid) => bidEvidence(bid)),
          ],
        },
      ];
    });
  },
};

const percent = (share: number) => `${Math.round(share * 100)}%`;

export const winnerConcentration: IndicatorDefinition = {
  id: 'winner_concentration',
  label: '同一单位在本中心屡次入选',
  meaning: `同一单位在同一招募中心已定标的招募项目中入选超过 ${percent(THRESHOLDS.concentrationShare)}（已定标的项目至少 ${THRESHOLDS.concentrationMinRecruitments} 个）：长期固定的入选者值得关注，可能存在为其量身定制的招募条件或利益输送。预警挂在该单位入选的项目上。`,
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const winners = await tx.selectDistinct({ organizationId: awards.organizationId }).from(awards).where(eq(awards.recruitmentId, recruitment.id));
    if (winners.length === 0) return [];
    const [centre] = await tx
      .select({ awarded: countDistinct(awards.recruitmentId) })
      .from(awards)
      .innerJoin(recruitments, eq(recruitments.id, awards.recruitmentId))
      .where(eq(recruitments.owner, recruitment.owner));
    const awarded = centre?.awarded ?? 0;
    if (awarded < THRESHOLDS.concentrationMinRecruitments) return [];
    const won = await tx
      .select({
        awardId: awards.id,
        recruitmentId: awards.recruitmentId,
        title: recruitments.title,
        lotName: lots.name,
        rank: awards.rank,
        score: awards.score,
        awardedAt: awards.awardedAt,
        organizationId: awards.organizationId,
        organizationName: organizations.name,
      })
      .from(awards)
      .innerJoin(recruitments, eq(recruitments.id, awards.recruitmentId))
      .innerJoin(organizations, eq(organizations.id, awards.organizationId))
      .innerJoin(lots, lotOf)
      .where(and(eq(recruitments.owner, recruitment.owner), inArray(awards.organizationId, winners.map((winner) => winner.organizationId))))
      .orderBy(asc(awards.awardedAt), asc(lots.position));
    return [...groupBy(won, (award) => award.organizationId)].flatMap(([organizationId, awardsWon]): Finding[] => {
      const recruitmentsWon = new Set(awardsWon.map((award) => award.recruitmentId)).size;
      if (recruitmentsWon / awarded <= THRESHOLDS.concentrationShare) return [];
      return [
        {
          key: `organization:${organizationId}`,
          subject: `${awardsWon[0]!.organizationName}在${recruitment.owner}已定标的 ${awarded} 个招募项目中入选了 ${recruitmentsWon} 个（${percent(recruitmentsWon / awarded)}）`,
          evidence: awardsWon.map((award) => ({
            kind: 'award',
            id: award.awardId,
            detail: `“${award.title}”类别“${award.lotName}”第 ${award.rank} 名入选，得分 ${award.score}，${formatTime(award.awardedAt)}定标`,
            url: `/recruitments/${award.recruitmentId}`,
          })),
        },
      ];
    });
  },
};

export const winnerAtMinimumShare: IndicatorDefinition = {
  id: 'winner_at_minimum_share',
  label: '入选单位的公益名额比例恰为最低要求',
  meaning: '入选单位开标时的公益名额比例恰好等于招募文件规定的最低比例：只求达标的方案仍然入选，应核对评分中公益名额一项是否合理，以及该单位是否事先知道了底线。',
  severity: 'low',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const rows = await tx
      .select({
        awardId: awards.id,
        bidId: awards.bidId,
        lotName: lots.name,
        rank: awards.rank,
        score: awards.score,
        awardedAt: awards.awardedAt,
        recordId: openingRecords.id,
        organizationName: openingRecords.organizationName,
        ratio: openingRecords.publicBenefitRatio,
      })
      .from(awards)
      .innerJoin(openingRecords, and(eq(openingRecords.recruitmentId, awards.recruitmentId), eq(openingRecords.bidId, awards.bidId)))
      .innerJoin(recruitments, eq(recruitments.id, awards.recruitmentId))
      .innerJoin(lots, lotOf)
      // both numeric(5,2): compared exactly
      .where(and(eq(awards.recruitmentId, recruitment.id), eq(openingRecords.publicBenefitRatio, recruitments.minPublicBenefitRatio)))
      .orderBy(asc(lots.position), asc(awards.rank));
    return rows.map(
      (row): Finding => ({
        key: `bid:${row.bidId}`,
        subject: `入选单位${row.organizationName}（类别“${row.lotName}”）的公益名额比例为 ${row.ratio}%，恰为最低要求`,
        evidence: [
          {
            kind: 'opening_record',
            id: row.recordId,
            detail: `开标记录：${row.organizationName}的公益名额比例 ${row.ratio}%，招募文件规定不低于 ${recruitment.minPublicBenefitRatio}%`,
            url: `/recruitments/${recruitment.id}/opening`,
          },
          {
            kind: 'award',
            id: row.awardId,
            detail: `类别“${row.lotName}”第 ${row.rank} 名入选，得分 ${row.score}，${formatTime(row.awardedAt)}定标`,
            url: `/recruitments/${recruitment.id}`,
          },
        ],
      }),
    );
  },
};
