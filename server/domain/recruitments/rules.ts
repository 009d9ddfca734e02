import type { ErrorCode } from '../../errors.ts';
import type { Criterion, EligibilityCondition, Lot } from './types.ts';

// The numeric rules of SPEC §3 that a recruitment's terms must keep, as pure checks that list
// every broken rule at once, each with its code, its field and a zh-CN message.

export const DAY_MS = 24 * 60 * 60 * 1000;
export const RULES = {
  criteriaTotal: 100,
  maxAgreementTermMonths: 60,
  minPublicityDays: 3,
  /** an amendment that changes the deadline, or what bidders prepare, must leave at least this many days */
  amendmentNoticeDays: 15,
  /** default gap between the questions deadline and the submission deadline */
  questionsBeforeSubmissionDays: 10,
  defaultMinPublicBenefitRatio: 20,
} as const;

/** The six eligibility conditions of the Shaanxi rules and Zhejiang opinions (SPEC §1). */
export const DEFAULT_ELIGIBILITY: EligibilityCondition[] = [
  { key: 'political', text: '政治立场坚定，遵纪守法' },
  { key: 'liability', text: '具有独立承担民事责任的能力（法人或能以自己名义从事活动的组织）' },
  { key: 'qualification', text: '具备履行合作协议所必需的资质和专业能力' },
  { key: 'credit', text: '具有良好的商业信誉和健全的财务会计制度' },
  { key: 'taxes', text: '依法缴纳税收和社会保障资金' },
  { key: 'record', text: '无重大违法记录、失信记录或拒不执行生效判决的记录' },
];

export interface RuleViolation {
  code: ErrorCode;
  field: string;
  message: string;
}

export interface RecruitmentTerms {
  lots: Lot[];
  eligibility: EligibilityCondition[];
  criteria: Criterion[];
  minPublicBenefitRatio: number;
  agreementTermMonths: number;
  questionsDeadline: Date;
  submissionDeadline: Date;
  publicityDays: number;
}

function duplicateKeys(items: { key: string }[]): string[] {
  const seen = new Set<string>();
  return items.filter(({ key }) => seen.has(key) || !seen.add(key)).map(({ key }) => key);
}

/** The questions deadline a submission deadline gives when the agent types none. */
export const derivedQuestionsDeadline = (submissionDeadline: Date): Date =>
  new Date(submissionDeadline.getTime() - RULES.questionsBeforeSubmissionDays * DAY_MS);

/**
 * Whether a draft's questions deadline is the one derived from its submission deadline: then the
 * agent typed none (or typed that very value), and it follows the submission deadline when that moves.
 */
export const questionsDeadlineDerived = (draft: { submissionDeadline: Date; questionsDeadline: Date }): boolean =>
  draft.questionsDeadline.getTime() === derivedQuestionsDeadline(draft.submissionDeadline).getTime();

/** Rules a draft must keep whenever it is saved. */
export function checkTerms(terms: RecruitmentTerms): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const refuse = (code: ErrorCode, field: string, message: string) => violations.push({ code, field, message });

  for (const [field, items, label] of [
    ['lots', terms.lots, '类别'],
    ['eligibility', terms.eligibility, '资格条件'],
    ['criteria', terms.criteria, '评分因素'],
  ] as const) {
    const duplicates = duplicateKeys(items);
    if (duplicates.length > 0) refuse('DUPLICATE_KEY', field, `${label}编号重复：${duplicates.join('、')}`);
  }
  // Scores are given in steps of 0.5; with valid steps the total is exact in floating point.
  if (terms.criteria.some((criterion) => !Number.isInteger(criterion.maxScore * 2))) {
    refuse('INVALID_MAX_SCORE', 'criteria', '评分因素满分须为 0.5 的整数倍');
  } else {
    const total = terms.criteria.reduce((sum, criterion) => sum + criterion.maxScore, 0);
    if (total !== RULES.criteriaTotal) {
      refuse('CRITERIA_SUM_NOT_100', 'criteria', `评分因素满分合计必须为 ${RULES.criteriaTotal} 分（当前 ${total} 分）`);
    }
  }
  if (terms.agreementTermMonths > RULES.maxAgreementTermMonths) {
    refuse('AGREEMENT_TERM_TOO_LONG', 'agreementTermMonths', `合作期限最长 ${RULES.maxAgreementTermMonths} 个月（5 年）`);
  }
  if (terms.publicityDays < RULES.minPublicityDays) {
    refuse('PUBLICITY_TOO_SHORT', 'publicityDays', `公示期不少于 ${RULES.minPublicityDays} 天`);
  }
  if (terms.questionsDeadline.getTime() > terms.submissionDeadline.getTime()) {
    refuse('QUESTIONS_DEADLINE_AFTER_SUBMISSION', 'questionsDeadline', '提问截止时间不能晚于响应文件提交截止时间');
  }
  return violations;
}

/** Rules checked when the agent publishes, against the clock of that moment. */
export function checkPublication(
  draft: { decisionRef: string | null; submissionDeadline: Date; questionsDeadline: Date },
  now: Date,
  minTenderDays: number,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (!draft.decisionRef?.trim()) {
    violations.push({
      code: 'DECISION_REF_REQUIRED',
      field: 'decisionRef',
      message: '发布前须记录集体决策（“三重一大”）文号',
    });
  }
  if (draft.submissionDeadline.getTime() < now.getTime() + minTenderDays * DAY_MS) {
    violations.push({
      code: 'DEADLINE_TOO_SOON',
      field: 'submissionDeadline',
      message: `提交截止时间须在发布之日起至少 ${minTenderDays} 天之后`,
    });
  }
  if (draft.questionsDeadline.getTime() <= now.getTime()) {
    violations.push({
      code: 'QUESTIONS_DEADLINE_PASSED',
      field: 'questionsDeadline',
      message: questionsDeadlineDerived(draft)
        ? `提问截止时间（未填写，按提交截止前 ${RULES.questionsBeforeSubmissionDays} 天计算）已过，请推迟提交截止时间或填写提问截止时间`
        : '提问截止时间已过，请先修改',
    });
  }
  return violations;
}

/**
 * The amendment rules. A deadline change never brings the deadline before publication +
 * MIN_TENDER_DAYS, and always leaves at least 15 days after the amendment: otherwise the agent
 * could cut the tender short and open at once. Without a deadline change, an amendment that
 * changes what bidders must prepare, published less than 15 days before the deadline, must move
 * it; only a clarification that changes nothing to prepare (`affectsPreparation: false`) may
 * come inside those 15 days, and it cannot waive the rule for a deadline change.
 */
export function checkAmendment(
  amendment: { affectsPreparation: boolean; submissionDeadline: Date | null; questionsDeadline: Date | null },
  current: { submissionDeadline: Date; questionsDeadline: Date; publishedAt: Date },
  now: Date,
  minTenderDays: number,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const moved = amendment.submissionDeadline !== null && amendment.submissionDeadline.getTime() !== current.submissionDeadline.getTime();
  const deadline = amendment.submissionDeadline ?? current.submissionDeadline;
  const questionsDeadline = amendment.questionsDeadline ?? current.questionsDeadline;
  if (deadline.getTime() <= now.getTime()) {
    violations.push({ code: 'DEADLINE_IN_PAST', field: 'submissionDeadline', message: '提交截止时间必须晚于当前时间' });
  } else {
    if (moved && deadline.getTime() < current.publishedAt.getTime() + minTenderDays * DAY_MS) {
      violations.push({
        code: 'DEADLINE_BEFORE_MINIMUM',
        field: 'submissionDeadline',
        message: `提交截止时间不得早于招募公告发布之日起 ${minTenderDays} 天`,
      });
    }
    if ((moved || amendment.affectsPreparation) && deadline.getTime() < now.getTime() + RULES.amendmentNoticeDays * DAY_MS) {
      violations.push({
        code: 'DEADLINE_TOO_CLOSE',
        field: 'submissionDeadline',
        message: moved
          ? `更改提交截止时间的，新的截止时间须在本公告发布之日起至少 ${RULES.amendmentNoticeDays} 天之后`
          : `该更正影响响应文件编制，提交截止时间须顺延至本公告发布之日起至少 ${RULES.amendmentNoticeDays} 天之后`,
      });
    }
  }
  if (questionsDeadline.getTime() > deadline.getTime()) {
    violations.push({
      code: 'QUESTIONS_DEADLINE_AFTER_SUBMISSION',
      field: 'questionsDeadline',
      message: '提问截止时间不能晚于响应文件提交截止时间',
    });
  }
  return violations;
}
