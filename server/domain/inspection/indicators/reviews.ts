import type { IndicatorDefinition } from './types.ts';

// The red flag of the partnership's reviews (issue 17), raised by the reviews' own sweep
// (reviews/outstanding.ts) and listed here so that the pages name and explain it.

export const FINAL_REVIEW_OUTSTANDING = {
  id: 'final_review_outstanding',
  label: '合作期满未完成终期考核',
  meaning:
    '合作期限已届满，终期考核却尚未完成（或尚未安排）。终期考核是合作期满时对合作伙伴履约情况、以职工满意度为核心的全面评价，也是后续招募判断其有无不良记录的依据：须督促经办人完成考核，并核查合作伙伴是否仍在使用服务阵地。',
  severity: 'medium',
} as const satisfies IndicatorDefinition;

export const REVIEW_INDICATORS: IndicatorDefinition[] = [FINAL_REVIEW_OUTSTANDING];
