// The review form (issue 17, Shaanxi art. 16): its criteria, the negative list, and what a
// completed review records. Shared by the schema (the jsonb columns), the rules and the views.

export const CRITERION_KEYS = ['satisfaction', 'delivery', 'places', 'safety', 'compliance'] as const;
export type CriterionKey = (typeof CRITERION_KEYS)[number];

export const CRITERION_LABELS: Record<CriterionKey, string> = {
  satisfaction: '职工满意度',
  delivery: '服务项目完成情况',
  places: '公益（免费、优惠）名额兑现情况',
  safety: '安全管理',
  compliance: '遵守协议及负面清单情况',
};

/** Criteria the agent (and an assessor) score; satisfaction's points the portal computes. */
export const SCORED_CRITERIA = ['delivery', 'places', 'safety', 'compliance'] as const satisfies readonly CriterionKey[];
export type ScoredCriterion = (typeof SCORED_CRITERIA)[number];

/** The negative list of the Shaanxi rules: each item is answered on every review. */
export const NEGATIVE_LIST_ITEMS = ['sublet', 'subcontract', 'documents', 'profit', 'overcharge'] as const;
export type NegativeListItem = (typeof NEGATIVE_LIST_ITEMS)[number];

export const NEGATIVE_LIST_LABELS: Record<NegativeListItem, string> = {
  sublet: '变相出租、转租服务阵地',
  subcontract: '转包或分包服务阵地的运营',
  documents: '使用服务阵地（中心）的文件、公章、票据或账户',
  profit: '以服务阵地名义从事营利性经营活动',
  overcharge: '超出公示价格收费或未落实对劳模工匠、困难职工、工会会员的优惠',
};

/** Who gave a criterion its points. */
export type ScoredBy = 'portal' | 'agent' | 'agentAndAssessor';

export const SCORED_BY_LABELS: Record<ScoredBy, string> = {
  portal: '平台按职工评价计算',
  agent: '经办人评分',
  agentAndAssessor: '经办人与第三方评估机构评分的平均',
};

/** One criterion as a completed review records it. */
export interface CriterionRecord {
  key: CriterionKey;
  weight: number;
  /** the criterion's points, 0..weight, 2 decimals */
  points: number;
  /** the agent's points (scored criteria) */
  agentPoints: number | null;
  /** the third-party assessor's points, when one scored */
  assessorPoints: number | null;
  scoredBy: ScoredBy;
}

/** The period's satisfaction figures the review counted. */
export interface SatisfactionRecord {
  ratings: number;
  mean: number | null;
  satisfiedShare: number | null;
}

/** The public-benefit places of the period: delivered (proof-of-use codes) and promised (the catalogue). */
export interface PlacesRecord {
  delivered: { free: number; discounted: number };
  promised: { free: number; discounted: number };
  /** the period in months, 2 decimals, the promise is counted over */
  months: number;
}

export interface NegativeListAnswer {
  item: NegativeListItem;
  breached: boolean;
}
