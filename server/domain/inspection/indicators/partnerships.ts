import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { organizations, partnerships } from '../../../db/schema.ts';
import { formatTime } from '../../../lib/labels.ts';
import { belowBid } from '../../offers/rules.ts';
import { entriesOf, entryEvidence, type Entry } from './audit-evidence.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags after the award (issue 17): an award left unsigned past the award notice's
// deadline; a partner's published catalogue promising fewer free or discounted places than its bid.

const awardLapsed: IndicatorDefinition = {
  id: 'award_lapsed',
  label: '入选单位逾期未签订合作协议',
  meaning:
    '入选单位未在入选通知书规定的期限内签署合作协议，入选资格已失效（视为放弃）。须查明原因：是否因协议文本超出招募文件的条件、是否有人施压或私下约定，以及空出的名额如何处理（依次递补或重新招募须按规定程序，不得直接指定）。',
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const rows = await tx
      .select({ id: partnerships.id, signBy: partnerships.signBy, organizationId: organizations.id, organization: organizations.name })
      .from(partnerships)
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .where(and(eq(partnerships.recruitmentId, recruitment.id), eq(partnerships.status, 'lapsed')));
    if (rows.length === 0) return [];
    const lapses = await entriesOf(tx, recruitment.id, ['partnership.lapse']);
    return rows.map((row): Finding => {
      const entry = lapses.find((each) => each.target === `partnership:${row.id}`);
      return {
        key: row.id,
        subject: `${row.organization}未在 ${formatTime(row.signBy)} 前签订合作协议，入选资格失效`,
        evidence: [
          { kind: 'organization', id: row.organizationId, detail: `${row.organization}：签约期限 ${formatTime(row.signBy)}`, url: `/partnerships/${row.id}` },
          ...(entry ? [entryEvidence(recruitment.id, entry, '入选资格失效')] : []),
        ],
      };
    });
  },
};

const shareOf = (entry: Entry, key: 'share' | 'bidShare'): number | null => {
  const value = entry.details[key];
  return typeof value === 'number' ? value : null;
};
const isBelow = (entry: Entry) => belowBid(shareOf(entry, 'share'), shareOf(entry, 'bidShare'), THRESHOLDS.offerShareMarginPoints);

/**
 * Each offer entry records the catalogue's share and the bid's after the change. A finding is a
 * drop: the entry that took the catalogue below the bid's share while it still stands below, so
 * the alert is raised once per drop however many changes follow, and again only after a recovery.
 */
const offerShareBelowBid: IndicatorDefinition = {
  id: 'offer_share_below_bid',
  label: '服务目录公益名额比例低于响应文件承诺',
  meaning:
    '合作伙伴在服务阵地公示的每月免费和优惠名额占全部名额的比例，低于其响应文件承诺的公益名额比例。承诺比例是评审打分和入选的依据，签约后降低等于变相改变入选条件：须核查降低的原因，并督促其按承诺恢复或按协议处理。',
  severity: 'medium',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const entries = await entriesOf(tx, recruitment.id, ['offer.publish', 'offer.change']);
    const byPartnership = new Map<string, Entry[]>();
    for (const entry of entries) byPartnership.set(entry.target ?? '', [...(byPartnership.get(entry.target ?? '') ?? []), entry]);
    if (byPartnership.size === 0) return [];
    const rows = await tx
      .select({ id: partnerships.id, organizationId: organizations.id, organization: organizations.name })
      .from(partnerships)
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .where(eq(partnerships.recruitmentId, recruitment.id));
    const findings: Finding[] = [];
    for (const row of rows) {
      let drop: Entry | null = null;
      for (const entry of byPartnership.get(`partnership:${row.id}`) ?? []) drop = isBelow(entry) ? (drop ?? entry) : null;
      if (!drop) continue;
      const latest = byPartnership.get(`partnership:${row.id}`)!.at(-1)!;
      const [share, bidShare] = [shareOf(latest, 'share'), shareOf(latest, 'bidShare')];
      findings.push({
        key: `${row.id}:${drop.seq}`,
        subject: `${row.organization}服务目录的公益名额比例 ${share}% 低于响应文件承诺的 ${bidShare}%`,
        evidence: [
          { kind: 'organization', id: row.organizationId, detail: `${row.organization}：当前 ${share}%，承诺 ${bidShare}%`, url: `/partnerships/${row.id}/offers` },
          entryEvidence(recruitment.id, drop, '公益名额比例降至承诺以下'),
        ],
      });
    }
    return findings;
  },
};

export const PARTNERSHIP_INDICATORS: IndicatorDefinition[] = [awardLapsed, offerShareBelowBid];
