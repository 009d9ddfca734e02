import type { Tx } from '../../../db/client.ts';
import { groupBy } from '../../../lib/group-by.ts';
import { formatTime } from '../../../lib/labels.ts';
import { identicalBidFiles, lateRegistration, sharedBidderContacts } from './bidders-contacts.ts';
import { thinCompetition, winnerAtMinimumShare, winnerConcentration } from './bidders-competition.ts';
import { bidEvidence, bidOrigins, joinNames } from './bidders-data.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags about who bids and how: shared addresses, sessions, files and contacts, late
// registrations and last-minute filings, thin competition, concentration, winning at the minimum.
// This file holds those read from where the bids came from; the others are beside it.

type BidOrigin = Awaited<ReturnType<typeof bidOrigins>>[number];

/** Versions grouped by `keyOf`, keeping the groups that span several organisations. */
function sharedBy(origins: BidOrigin[], keyOf: (origin: BidOrigin) => string | null) {
  return [...groupBy(origins, keyOf)].flatMap(([key, group]) =>
    key !== null && new Set(group.map((origin) => origin.organizationId)).size > 1 ? [[key, group] as const] : [],
  );
}

const namesOf = (group: BidOrigin[]) => joinNames(group.map((origin) => origin.organizationName));

const bidsFromOneAddress: IndicatorDefinition = {
  id: 'bids_from_one_address',
  label: '多家单位从同一地址或同一会话投标',
  meaning: '不同单位的响应文件从同一 IP 地址或同一浏览器会话上传：可能由同一人代为制作和提交，存在串通投标的嫌疑（SPEC §7）。',
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const origins = await bidOrigins(tx, recruitment.id);
    const byAddress = sharedBy(origins, (origin) => origin.ip).map(([ip, group]): Finding => ({
      key: `ip:${ip}`,
      subject: `${namesOf(group)}的响应文件从同一 IP 地址 ${ip} 上传`,
      evidence: group.map((origin) => bidEvidence(origin, `IP ${origin.ip}`)),
    }));
    const bySession = sharedBy(origins, (origin) => origin.sessionId).map(([session, group]): Finding => ({
      key: `session:${session}`,
      subject: `${namesOf(group)}的响应文件在同一登录会话中上传`,
      evidence: group.map((origin) => bidEvidence(origin, `会话 ${session.slice(0, 8)}`)),
    }));
    return [...byAddress, ...bySession];
  },
};

const lastMinuteBidsFromOneAddress: IndicatorDefinition = {
  id: 'last_minute_bids_from_one_address',
  label: '截止前最后时刻从同一地址集中投标',
  meaning: `提交截止前 ${THRESHOLDS.lastMinutes} 分钟内，同一 IP 地址上传了 ${THRESHOLDS.lastMinuteBids} 份及以上响应文件（不论是否同一单位）：可能由同一人在最后时刻集中代为提交或调整报价，应核对这些单位之间的关系。`,
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const deadline = recruitment.submissionDeadline.getTime();
    const from = deadline - THRESHOLDS.lastMinutes * 60_000;
    const late = (await bidOrigins(tx, recruitment.id)).filter((origin) => origin.receivedAt.getTime() >= from && origin.receivedAt.getTime() < deadline);
    return [...groupBy(late, (origin) => origin.ip)]
      .filter(([, group]) => group.length >= THRESHOLDS.lastMinuteBids)
      .map(([ip, group]): Finding => ({
        key: `ip:${ip}`,
        subject: `提交截止（${formatTime(recruitment.submissionDeadline)}）前 ${THRESHOLDS.lastMinutes} 分钟内，IP 地址 ${ip} 上传了 ${group.length} 份响应文件（${namesOf(group)}）`,
        evidence: group.map((origin) => bidEvidence(origin, `IP ${origin.ip}`)),
      }));
  },
};

export const BIDDER_INDICATORS: IndicatorDefinition[] = [
  bidsFromOneAddress,
  lastMinuteBidsFromOneAddress,
  identicalBidFiles,
  sharedBidderContacts,
  lateRegistration,
  thinCompetition,
  winnerConcentration,
  winnerAtMinimumShare,
];
