import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { bids, bidVersions, openingFiles, organizations } from '../../../db/schema.ts';
import { groupBy } from '../../../lib/group-by.ts';
import { formatRemaining, formatTime } from '../../../lib/labels.ts';
import { DAY_MS } from '../../recruitments/rules.ts';
import type { AlertEvidence } from '../types.ts';
import { bidEvidence, currentBids, joinNames, type CurrentBid } from './bidders-data.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags about who the bidders are: the same files, the same contacts, an organisation
// registered just before the deadline.

/** The organisations with a bid that stands, once each (one may bid for several lots). */
function bidders(current: CurrentBid[]): CurrentBid[] {
  return [...groupBy(current, (bid) => bid.organizationId).values()].map((group) => group[0]!);
}

async function openedFiles(tx: Tx, recruitmentId: string) {
  return tx
    .select({
      fileId: openingFiles.fileId,
      name: openingFiles.name,
      size: openingFiles.size,
      sha256: openingFiles.sha256,
      bidId: bids.id,
      version: bidVersions.version,
      organizationId: organizations.id,
      organizationName: organizations.name,
    })
    .from(openingFiles)
    .innerJoin(bidVersions, eq(bidVersions.id, openingFiles.versionId))
    .innerJoin(bids, eq(bids.id, bidVersions.bidId))
    .innerJoin(organizations, eq(organizations.id, bids.organizationId))
    .where(eq(openingFiles.recruitmentId, recruitmentId))
    .orderBy(asc(bidVersions.receivedAt), asc(openingFiles.position));
}

export const identicalBidFiles: IndicatorDefinition = {
  id: 'identical_bid_files',
  label: '不同单位的响应文件中有相同文件',
  meaning: '开标解密后，不同单位的响应文件中出现摘要（SHA-256）完全相同的文件：独立编制的文件不会逐字节相同，可能由同一人制作，存在串通投标的嫌疑（SPEC §7）。开标后才能发现。',
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const files = await openedFiles(tx, recruitment.id);
    return [...groupBy(files, (file) => file.sha256)]
      .filter(([, group]) => new Set(group.map((file) => file.organizationId)).size > 1)
      .map(([sha256, group]): Finding => ({
        key: `sha256:${sha256}`,
        subject: `${joinNames(group.map((file) => file.organizationName))}的响应文件中有内容完全相同的文件（${joinNames(group.map((file) => `“${file.name}”`))}）`,
        evidence: group.map((file) => ({
          kind: 'file',
          id: file.fileId,
          detail: `${file.organizationName}：响应文件第 ${file.version} 版中的“${file.name}”，${file.size} 字节，SHA-256 ${sha256}`,
          url: `/recruitments/${recruitment.id}/bids/${file.bidId}/files/${file.fileId}`,
        })),
      }));
  },
};

const organizationEvidence = (bidder: CurrentBid, shown: string): AlertEvidence => ({
  kind: 'organization',
  id: bidder.organizationId,
  detail: `${bidder.organizationName}（统一社会信用代码 ${bidder.uscc}）${shown}`,
});

/** A phone number as its digits, without the country code of a mainland mobile number. */
const phoneDigits = (phone: string) => phone.replace(/\D/g, '').replace(/^(?:0086|86)(?=1\d{10}$)/, '');

const CONTACTS = [
  { field: 'phone', label: '联系电话', valueOf: (bidder: CurrentBid) => bidder.phone, normalise: phoneDigits },
  { field: 'email', label: '电子邮箱', valueOf: (bidder: CurrentBid) => bidder.email, normalise: (email: string) => email.trim().toLowerCase() },
  {
    field: 'legal',
    label: '法定代表人',
    valueOf: (bidder: CurrentBid) => bidder.legalRepresentative,
    normalise: (name: string) => name.replace(/\s+/g, ''),
  },
] as const;

type Contact = (typeof CONTACTS)[number];

const pairKey = (a: CurrentBid, b: CurrentBid) => [a.organizationId, b.organizationId].sort().join('|');

function pairsOf<T>(items: readonly T[]): [T, T][] {
  return items.flatMap((a, i) => items.slice(i + 1).map((b): [T, T] => [a, b]));
}

export const sharedBidderContacts: IndicatorDefinition = {
  id: 'shared_bidder_contacts',
  label: '不同响应单位的联系方式相同',
  meaning:
    '不同响应单位登记了相同的联系电话、电子邮箱或法定代表人：可能是同一人控制的关联单位在“陪标”，存在串通投标的嫌疑（SPEC §7）。同一对单位有两项及以上相同时为高风险。',
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const organizations = bidders(await currentBids(tx, recruitment.id));
    const shared = CONTACTS.flatMap((contact) =>
      [...groupBy(organizations, (bidder) => contact.normalise(contact.valueOf(bidder)))]
        .filter(([value, group]) => value !== '' && group.length > 1)
        .map(([value, group]) => ({ contact, value, group })),
    );
    // what each pair of bidders shares, to tell a pair sharing several contacts
    const sharedByPair = new Map<string, Contact[]>();
    for (const { contact, group } of shared) {
      for (const [a, b] of pairsOf(group)) sharedByPair.set(pairKey(a, b), [...(sharedByPair.get(pairKey(a, b)) ?? []), contact]);
    }
    return shared.map(({ contact, value, group }): Finding => {
      const alsoShared = pairsOf(group).flatMap(([a, b]) => {
        const others = (sharedByPair.get(pairKey(a, b)) ?? []).filter((other) => other !== contact);
        return others.length > 0 ? [`${joinNames([a.organizationName, b.organizationName])}的${joinNames(others.map((other) => other.label))}也相同`] : [];
      });
      const names = joinNames(group.map((bidder) => bidder.organizationName));
      return {
        key: `${contact.field}:${value}`,
        subject: `${names}登记的${contact.label}相同（${contact.valueOf(group[0]!)}）${alsoShared.length > 0 ? `，其中${alsoShared.join('；')}` : ''}`,
        evidence: group.map((bidder) => organizationEvidence(bidder, `登记的${contact.label}：${contact.valueOf(bidder)}`)),
        ...(alsoShared.length > 0 ? { severity: 'high' as const } : {}),
      };
    });
  },
};

export const lateRegistration: IndicatorDefinition = {
  id: 'late_registration',
  label: '响应单位临近截止才注册',
  meaning: `响应单位在提交截止前 ${THRESHOLDS.lateRegistrationDays} 天内才在平台注册：来不及研读至少公告 20 天的招募文件，可能是临时拉来凑数的陪标单位。`,
  severity: 'low',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const deadline = recruitment.submissionDeadline.getTime();
    const current = await currentBids(tx, recruitment.id);
    return bidders(current)
      .filter(({ registeredAt }) => registeredAt.getTime() >= deadline - THRESHOLDS.lateRegistrationDays * DAY_MS && registeredAt.getTime() < deadline)
      .map((bidder): Finding => ({
        key: `organization:${bidder.organizationId}`,
        subject: `${bidder.organizationName}于 ${formatTime(bidder.registeredAt)} 注册，距提交截止仅 ${formatRemaining(deadline - bidder.registeredAt.getTime())}`,
        evidence: [
          organizationEvidence(bidder, `注册于 ${formatTime(bidder.registeredAt)}；提交截止 ${formatTime(recruitment.submissionDeadline)}`),
          ...current.filter((bid) => bid.organizationId === bidder.organizationId).map((bid) => bidEvidence(bid)),
        ],
      }));
  },
};
