import type { DocumentDraft } from '../documents/inputs.ts';
import type { OutcomeEntry } from '../awards/service.ts';
import { REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS, type ReviewKind, type ReviewResult } from '../partnerships/types.ts';
import { REVIEW_RULES } from './rules.ts';
import {
  CRITERION_LABELS,
  NEGATIVE_LIST_LABELS,
  SCORED_BY_LABELS,
  type CriterionRecord,
  type NegativeListAnswer,
  type PlacesRecord,
  type SatisfactionRecord,
} from './types.ts';

// Pure: a completed review in, the 考核结果通知书's input out, worded for the partner.

export interface CompletedForm {
  kind: ReviewKind;
  periodFrom: Date;
  periodTo: Date;
  criteria: CriterionRecord[];
  assessorName: string | null;
  satisfaction: SatisfactionRecord;
  places: PlacesRecord;
  negativeList: NegativeListAnswer[];
  total: number;
  result: ReviewResult;
  rectifyBy: Date | null;
  reReviewDueAt: Date | null;
  remarks: string | null;
}

export function reviewResultDraft(recruitment: { title: string; owner: string }, entry: OutcomeEntry, form: CompletedForm): DocumentDraft {
  return ({ verifyCode, issuedAt }) => ({
    kind: 'review_result',
    input: {
      recruitment: { title: recruitment.title, owner: recruitment.owner },
      verifyCode,
      issuedAt,
      organization: { name: entry.organization.name, uscc: entry.organization.uscc },
      lotName: entry.lotName,
      kindLabel: REVIEW_KIND_LABELS[form.kind],
      periodFrom: form.periodFrom,
      periodTo: form.periodTo,
      criteria: form.criteria.map((criterion) => ({
        label: CRITERION_LABELS[criterion.key],
        weight: criterion.weight,
        points: criterion.points,
        agentPoints: criterion.agentPoints,
        assessorPoints: criterion.assessorPoints,
        scoredBy: SCORED_BY_LABELS[criterion.scoredBy],
      })),
      assessorName: form.assessorName,
      satisfaction: form.satisfaction,
      places: form.places,
      negativeList: form.negativeList.map((answer) => ({ label: NEGATIVE_LIST_LABELS[answer.item], breached: answer.breached })),
      total: form.total,
      passScore: REVIEW_RULES.passScore,
      result: form.result,
      resultLabel: REVIEW_RESULT_LABELS[form.result],
      rectifyBy: form.rectifyBy,
      reReviewDueAt: form.reReviewDueAt,
      remarks: form.remarks,
    },
  });
}
