import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { bids, lots, organizations, panelMembers, users } from '../../../db/schema.ts';
import { entriesOf, entryEvidence } from './audit-evidence.ts';
import { RECORD_INDICATORS } from './process-record.ts';
import { SCORE_INDICATORS } from './process-scores.ts';
import type { Finding, IndicatorDefinition, RecruitmentUnderReview } from './types.ts';

// The red flags about how the procedure was run: the panel's scores and conflicts, late amendments,
// bids read outside the opening, sign-offs over a broken audit chain, upheld challenges and redos.

const expertEmployerConflict: IndicatorDefinition = {
  id: 'expert_employer_conflict',
  label: '评审专家的工作单位是响应单位',
  meaning: '评审委员会成员在专家库登记的工作单位统一社会信用代码与本项目某响应单位相同，却未回避：抽取本应排除此类专家，出现即说明专家库或抽取记录有问题，评审的公正性存疑。',
  severity: 'high',
  async detect(tx: Tx, recruitment: RecruitmentUnderReview): Promise<Finding[]> {
    const rows = await tx
      .select({
        expertId: users.id,
        expert: users.name,
        uscc: organizations.uscc,
        seat: panelMembers.seat,
        status: panelMembers.status,
        untilRound: panelMembers.untilRound,
        organizationId: organizations.id,
        organization: organizations.name,
        lot: lots.name,
      })
      .from(panelMembers)
      .innerJoin(users, eq(users.id, panelMembers.userId))
      .innerJoin(organizations, eq(organizations.uscc, users.affiliationUscc))
      .innerJoin(bids, and(eq(bids.organizationId, organizations.id), eq(bids.recruitmentId, panelMembers.recruitmentId)))
      .innerJoin(lots, and(eq(lots.recruitmentId, bids.recruitmentId), eq(lots.key, bids.lotKey)))
      .where(eq(panelMembers.recruitmentId, recruitment.id));
    // a member sits once it has declared no conflict (a replaced one sat until its last round);
    // one who declared the conflict and stood down did what the rules ask
    const seated = rows.filter((row) => row.status === 'serving' || (row.status === 'recused' && row.untilRound !== null));
    if (seated.length === 0) return [];
    const declarations = await entriesOf(tx, recruitment.id, ['panel.declare']);
    const pairs = new Map(seated.map((row) => [`${row.expertId}:${row.organizationId}`, row]));
    return [...pairs].map(([key, row]): Finding => {
      const lotNames = seated.filter((each) => `${each.expertId}:${each.organizationId}` === key).map((each) => each.lot);
      const declared = declarations.find((entry) => entry.actorId === row.expertId && entry.details.conflict === false);
      return {
        key,
        subject: `评审专家${row.expert}（第 ${row.seat} 席）的工作单位统一社会信用代码 ${row.uscc} 与响应单位${row.organization}相同`,
        evidence: [
          { kind: 'user', id: row.expertId, detail: `评审专家${row.expert}，专家库登记的工作单位统一社会信用代码 ${row.uscc}` },
          { kind: 'organization', id: row.organizationId, detail: `${row.organization}（统一社会信用代码 ${row.uscc}），响应类别：${lotNames.join('、')}` },
          ...(declared ? [entryEvidence(recruitment.id, declared, '其声明与响应单位无利害关系')] : []),
        ],
      };
    });
  },
};

export const PROCESS_INDICATORS: IndicatorDefinition[] = [...SCORE_INDICATORS, expertEmployerConflict, ...RECORD_INDICATORS];
