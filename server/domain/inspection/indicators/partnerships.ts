import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { organizations, partnerships } from '../../../db/schema.ts';
import { formatTime } from '../../../lib/labels.ts';
import { entriesOf, entryEvidence } from './audit-evidence.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags after the award (issue 17): an award left unsigned past the award notice's deadline.

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

export const PARTNERSHIP_INDICATORS: IndicatorDefinition[] = [awardLapsed];
