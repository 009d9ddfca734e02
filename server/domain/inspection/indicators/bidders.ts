import { and, eq, isNotNull } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { bids, bidVersions, organizations } from '../../../db/schema.ts';
import { formatTime } from '../../../lib/labels.ts';
import type { AlertEvidence } from '../types.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags about who bids and how: shared addresses, sessions, files and contacts, late
// registrations and last-minute filings, thin competition, concentration, winning at the minimum.

/** Every version of every bid in the recruitment, with where it came from. */
async function bidOrigins(tx: Tx, recruitmentId: string) {
  return tx
    .select({
      bidId: bids.id,
      version: bidVersions.version,
      receivedAt: bidVersions.receivedAt,
      ip: bidVersions.ip,
      sessionId: bidVersions.sessionId,
      organizationId: organizations.id,
      organizationName: organizations.name,
    })
    .from(bidVersions)
    .innerJoin(bids, eq(bids.id, bidVersions.bidId))
    .innerJoin(organizations, eq(organizations.id, bids.organizationId))
    .where(and(eq(bids.recruitmentId, recruitmentId), isNotNull(bidVersions.ip)))
    .orderBy(bidVersions.receivedAt);
}

type BidOrigin = Awaited<ReturnType<typeof bidOrigins>>[number];

const bidEvidence = (origin: BidOrigin, shown: string): AlertEvidence => ({
  kind: 'bid',
  id: `${origin.bidId}#${origin.version}`,
  detail: `${origin.organizationName}：响应文件第 ${origin.version} 版，${formatTime(origin.receivedAt)}，${shown}`,
});

/** Versions grouped by `keyOf`, keeping the groups that span several organisations. */
function sharedBy(origins: BidOrigin[], keyOf: (origin: BidOrigin) => string | null) {
  const groups = new Map<string, BidOrigin[]>();
  for (const origin of origins) {
    const key = keyOf(origin);
    if (key !== null) groups.set(key, [...(groups.get(key) ?? []), origin]);
  }
  return [...groups].filter(([, group]) => new Set(group.map((origin) => origin.organizationId)).size > 1);
}

const bidsFromOneAddress: IndicatorDefinition = {
  id: 'bids_from_one_address',
  label: '多家单位从同一地址或同一会话投标',
  meaning: '不同单位的响应文件从同一 IP 地址或同一浏览器会话上传：可能由同一人代为制作和提交，存在串通投标的嫌疑（SPEC §7）。',
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const origins = await bidOrigins(tx, recruitment.id);
    const byAddress = sharedBy(origins, (origin) => origin.ip).map(([ip, group]): Finding => ({
      key: `ip:${ip}`,
      subject: `${names(group)}的响应文件从同一 IP 地址 ${ip} 上传`,
      evidence: group.map((origin) => bidEvidence(origin, `IP ${origin.ip}`)),
    }));
    const bySession = sharedBy(origins, (origin) => origin.sessionId).map(([session, group]): Finding => ({
      key: `session:${session}`,
      subject: `${names(group)}的响应文件在同一登录会话中上传`,
      evidence: group.map((origin) => bidEvidence(origin, `会话 ${session.slice(0, 8)}`)),
    }));
    return [...byAddress, ...bySession];
  },
};

/** "甲、乙和丙" — each organisation once. */
function names(group: BidOrigin[]): string {
  const unique = [...new Set(group.map((origin) => origin.organizationName))];
  return unique.length > 1 ? `${unique.slice(0, -1).join('、')}和${unique.at(-1)}` : (unique[0] ?? '');
}

export const BIDDER_INDICATORS: IndicatorDefinition[] = [bidsFromOneAddress];
