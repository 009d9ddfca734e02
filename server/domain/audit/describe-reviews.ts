import { formatTime } from '../../lib/labels.ts';
import { PARTNERSHIP_STATUS_LABELS, REVIEW_KIND_LABELS, REVIEW_RESULT_LABELS, type PartnershipStatus, type ReviewKind, type ReviewResult } from '../partnerships/types.ts';
import { NEGATIVE_LIST_LABELS, type NegativeListItem } from '../reviews/types.ts';
import { shortHex, type Describer, type Details, type Line } from './describe-words.ts';

// The reviews' audit entries in words (issue 17): scheduling, the completed form and its result,
// the outstanding final review.

const kindLine = (d: Details): Line => {
  const kind = d.str('kind');
  return kind && (REVIEW_KIND_LABELS[kind as ReviewKind] ?? kind);
};

const periodLine = (d: Details): Line => {
  const [from, to] = [d.str('periodFrom'), d.str('periodTo')];
  return from && to && `考核期间：${formatTime(from)} 至 ${formatTime(to)}`;
};

const timeLine = (d: Details, key: string, title: string): Line => {
  const value = d.str(key);
  return value && `${title}：${formatTime(value)}`;
};

export const REVIEW_DESCRIBERS: Record<string, Describer> = {
  'review.schedule': (d) => {
    d.skip('reviewId');
    d.skip('followsReviewId');
    return [kindLine(d), periodLine(d), timeLine(d, 'dueAt', '完成期限')];
  },
  'review.complete': (d) => {
    d.skip('reviewId');
    d.skip('documentId');
    const result = d.str('result');
    const share = d.num('satisfiedShare');
    const breached = (d.list('breached') ?? []).map((item) => NEGATIVE_LIST_LABELS[item as NegativeListItem] ?? String(item));
    const sha256 = d.str('sha256');
    return [
      kindLine(d),
      result && `结果：${REVIEW_RESULT_LABELS[result as ReviewResult] ?? result}，总分 ${d.num('total') ?? '—'} 分`,
      `职工评价 ${d.num('ratings') ?? 0} 条，满意率 ${share === undefined ? '—' : `${Math.round(share * 10000) / 100}%`}`,
      breached.length > 0 ? `负面清单违反：${breached.join('；')}` : '负面清单：未发现违反',
      d.str('assessor') && `第三方评估机构：${d.str('assessor')}`,
      timeLine(d, 'rectifyBy', '整改期限'),
      sha256 && `考核结果通知书 SHA-256：${shortHex(sha256)}`,
    ];
  },
  'review.final_outstanding': (d) => {
    d.skip('alertId');
    const status = d.str('status');
    return [
      timeLine(d, 'endsAt', '合作期满'),
      status && `合作关系状态：${PARTNERSHIP_STATUS_LABELS[status as PartnershipStatus] ?? status}`,
      d.bool('scheduled') ? '终期考核已安排，未完成' : '终期考核未安排',
    ];
  },
};
