import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { organizations, partnerships, satisfactionRatings } from '../../../db/schema.ts';
import { beijingDate } from '../../../lib/datetime.ts';
import { THRESHOLDS } from './thresholds.ts';
import type { Finding, IndicatorDefinition } from './types.ts';

// Stuffed ratings (issue 17): within a partnership's recent ratings, too many from one address or
// one device. The keyed hashes only tell that ratings share a source, never whose it is; the
// finding names the share, not the hash.

const DAY_MS = 24 * 60 * 60 * 1000;
const SOURCES = [
  { kind: 'address', column: satisfactionRatings.addressKey, label: '同一网络地址' },
  { kind: 'device', column: satisfactionRatings.deviceKey, label: '同一设备' },
] as const;

const ratingsConcentrated: IndicatorDefinition = {
  id: 'ratings_concentrated',
  label: '职工满意度评价集中来自同一地址或设备',
  meaning:
    '近期对同一合作伙伴的满意度评价中，来自同一网络地址或同一设备的比例过高。满意度是考核的核心指标，集中来源可能是合作伙伴或他人代评、刷评（评价码由合作伙伴发放）。须核查评价码的发放记录，必要时在考核中剔除可疑评价。职工在阵地使用同一无线网络评价也会造成地址集中，可结合设备来源判断。',
  severity: 'medium',
  async detect(tx: Tx, recruitment, now): Promise<Finding[]> {
    const from = new Date(now.getTime() - THRESHOLDS.ratingsConcentrationDays * DAY_MS);
    const rows = await tx
      .select({ id: partnerships.id, organizationId: organizations.id, organization: organizations.name })
      .from(partnerships)
      .innerJoin(organizations, eq(organizations.id, partnerships.organizationId))
      .where(and(eq(partnerships.recruitmentId, recruitment.id), inArray(partnerships.status, ['active', 'rectifying'])));
    const findings: Finding[] = [];
    for (const row of rows) {
      const inWindow = and(eq(satisfactionRatings.partnershipId, row.id), gte(satisfactionRatings.ratedAt, from), lt(satisfactionRatings.ratedAt, now));
      for (const source of SOURCES) {
        const counts = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(satisfactionRatings)
          .where(inWindow)
          .groupBy(source.column)
          .orderBy(sql`count(*) desc`);
        const total = counts.reduce((sum, { n }) => sum + n, 0);
        const top = counts[0]?.n ?? 0;
        if (total < THRESHOLDS.ratingsConcentrationMin || top / total <= THRESHOLDS.ratingsConcentrationShare) continue;
        const share = Math.round((top / total) * 100);
        findings.push({
          // once a month per partnership and kind of source while it lasts
          key: `${row.id}:${source.kind}:${beijingDate(now).slice(0, 7)}`,
          subject: `${row.organization}近 ${THRESHOLDS.ratingsConcentrationDays} 天的 ${total} 条满意度评价中，${top} 条（${share}%）来自${source.label}`,
          evidence: [
            { kind: 'organization', id: row.organizationId, detail: `${row.organization}：${source.label} ${top}/${total} 条`, url: `/partnerships/${row.id}/ratings` },
          ],
        });
      }
    }
    return findings;
  },
};

export const SATISFACTION_INDICATORS: IndicatorDefinition[] = [ratingsConcentrated];
