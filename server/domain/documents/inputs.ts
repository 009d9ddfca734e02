import type { DocumentRequest } from '../../lib/pdf/documents.ts';
import type { AnnouncementInput } from '../../lib/pdf/templates/announcement.ts';
import type { DraftAgreementInput } from '../../lib/pdf/templates/draft-agreement.ts';
import type { OpeningRecordInput } from '../../lib/pdf/templates/opening-record.ts';
import type { EvaluationReportInput } from '../../lib/pdf/templates/evaluation-report.ts';
import type { DocumentKind, RecruitmentInfo, SignOff } from '../../lib/pdf/templates/template.ts';
import type { OutcomeEntry } from '../awards/service.ts';
import type { PanelChange } from '../evaluation/draw.ts';
import type { Recruitment } from '../recruitments/types.ts';
import { signDeadline } from '../partnerships/rules.ts';

// Pure: the portal's records in, the input of a document template out. The verification code
// and the issue time are added by the document service when it issues the document.

export interface IssueStamp {
  verifyCode: string;
  issuedAt: Date;
}

/** A document ready to render once it has its stamp. */
export type DocumentDraft = (stamp: IssueStamp) => DocumentRequest;

/** What the signature's /Reason says, per kind. */
export const SIGNING_REASONS: Record<DocumentKind, string> = {
  award_notice: '入选通知书签发',
  rejection_notice: '未入选通知书签发',
  draft_agreement: '合作协议（草案）签发',
  opening_record: '开标记录签发',
  evaluation_report: '评审报告签发',
  announcement: '招募公告发布',
  audit_checkpoint: '操作日志检查点签发',
  agreement: '合作协议签署（甲方）',
  satisfaction_poster: '职工满意度评价海报签发',
  review_result: '考核结果通知书签发',
  termination_notice: '终止合作通知书签发',
};

export const KIND_NAMES: Record<DocumentKind, string> = {
  award_notice: '入选通知书',
  rejection_notice: '未入选通知书',
  draft_agreement: '合作协议（草案）',
  opening_record: '开标记录',
  evaluation_report: '评审报告',
  announcement: '招募公告',
  audit_checkpoint: '操作日志检查点',
  agreement: '合作协议',
  satisfaction_poster: '职工满意度评价海报',
  review_result: '考核结果通知书',
  termination_notice: '终止合作通知书',
};


export interface RecruitmentTerms {
  info: RecruitmentInfo;
  agreementTermMonths: number;
  minPublicBenefitRatio: number;
  lots: { key: string; name: string; quota: number; description: string }[];
  eligibility: { key: string; text: string }[];
}

/** A recruitment's terms as the documents print them. */
export function recruitmentTerms(recruitment: Recruitment): RecruitmentTerms {
  return {
    info: { title: recruitment.title, owner: recruitment.owner },
    agreementTermMonths: recruitment.agreementTermMonths,
    minPublicBenefitRatio: recruitment.minPublicBenefitRatio,
    lots: recruitment.lots.map(({ key, name, quota, description }) => ({ key, name, quota, description })),
    eligibility: recruitment.eligibility.map(({ key, text }) => ({ key, text })),
  };
}

export function announcementDraft(input: Omit<AnnouncementInput, 'verifyCode' | 'issuedAt'>): DocumentDraft {
  return (stamp) => ({ kind: 'announcement', input: { ...input, ...stamp } });
}

export function openingRecordDraft(input: Omit<OpeningRecordInput, 'verifyCode' | 'issuedAt'>): DocumentDraft {
  return (stamp) => ({ kind: 'opening_record', input: { ...input, ...stamp } });
}

export interface EvaluationData {
  round: number;
  /** why the evaluation was redone, for a round after the first */
  redo: { reason: string } | null;
  members: { userId: string; name: string; order: number; confirmedAt: Date | null }[];
  /** how the panel changed during the round (evaluation/draw.ts panelChangesIn), with names */
  panelChanges: (PanelChange & { name: string })[];
  criteria: { key: string; name: string; maxScore: number }[];
  bids: {
    organization: string;
    lot: string;
    qualified: boolean;
    qualification: { results: Record<string, 'pass' | 'fail'>; reason: string } | null;
    publicBenefitRatio: number | null;
    totals: Record<string, number>;
    scores: Record<string, Record<string, number>>;
    comments: Record<string, string>;
    mean: number | null;
    rank: number | null;
    recommended: boolean;
    flags: { kind: string; userId: string; deviation: number; justified: boolean }[];
  }[];
}

function panelChangeText(change: PanelChange): string {
  switch (change.kind) {
    case 'recused':
      return `申请回避：${change.note}`;
    case 'replaced':
      return `经办人更换：${change.reason}`;
    case 'seated':
      return change.drawNumber === 0 ? '按抽取序列递补' : `经第 ${change.drawNumber} 次补充抽取递补`;
  }
}

export function evaluationReportDraft(terms: RecruitmentTerms, data: EvaluationData, signOff: SignOff): DocumentDraft {
  const panel = [...data.members].sort((a, b) => a.order - b.order);
  const nameOf = (userId: string) => panel.find((m) => m.userId === userId)?.name ?? userId;
  const conditionText = (key: string) => terms.eligibility.find((c) => c.key === key)?.text ?? key;
  const input: Omit<EvaluationReportInput, 'verifyCode' | 'issuedAt'> = {
    recruitment: terms.info,
    round: data.round,
    redoReason: data.redo?.reason ?? null,
    panel: panel.map(({ name, order }) => ({ name, order })),
    panelChanges: data.panelChanges.map((change) => ({ seat: change.seat, name: change.name, change: panelChangeText(change) })),
    criteria: data.criteria,
    lots: terms.lots.map(({ key, name, quota }) => ({ key, name, quota })),
    qualification: data.bids.map((bid) => ({
      organization: bid.organization,
      lotKey: bid.lot,
      passed: bid.qualified,
      failures: Object.entries(bid.qualification?.results ?? {})
        .filter(([, verdict]) => verdict === 'fail')
        .map(([key]) => ({ condition: conditionText(key), reason: bid.qualification?.reason ?? '' })),
    })),
    bids: data.bids
      .filter((bid) => bid.qualified && bid.mean !== null && bid.rank !== null)
      .map((bid) => ({
        organization: bid.organization,
        lotKey: bid.lot,
        publicBenefitRatio: bid.publicBenefitRatio ?? 0,
        scores: panel.map((member) => ({
          expert: member.name,
          byCriterion: bid.scores[member.userId] ?? {},
          total: bid.totals[member.userId] ?? 0,
          comment: bid.comments[member.userId]?.trim() || null,
        })),
        mean: bid.mean!,
        rank: bid.rank!,
        recommended: bid.recommended,
        flags: bid.flags.map(
          (flag) => `${nameOf(flag.userId)}的总分偏离中位数 ${flag.deviation.toFixed(1)} 分${flag.justified ? '（已书面说明理由）' : ''}`,
        ),
      })),
    confirmations: panel.flatMap((member) => (member.confirmedAt ? [{ expert: member.name, at: member.confirmedAt }] : [])),
    signOff,
  };
  return (stamp) => ({ kind: 'evaluation_report', input: { ...input, ...stamp } });
}

function lotOf(terms: RecruitmentTerms, key: string) {
  const lot = terms.lots.find((each) => each.key === key);
  if (!lot) throw new Error(`unknown lot ${key}`);
  return lot;
}

export function awardNoticeDraft(terms: RecruitmentTerms, entry: OutcomeEntry, dates: { publicityEndedAt: Date; awardedAt: Date }): DocumentDraft {
  if (entry.score === null || entry.rank === null) throw new Error(`selected bid ${entry.bidId} has no score`);
  const { score, rank } = entry;
  return (stamp) => ({
    kind: 'award_notice',
    input: {
      ...stamp,
      recruitment: terms.info,
      organization: { name: entry.organization.name, uscc: entry.organization.uscc },
      lot: { key: entry.lot, name: entry.lotName },
      finalScore: score,
      rank,
      publicBenefitRatio: entry.publicBenefitRatio ?? terms.minPublicBenefitRatio,
      agreementTermMonths: terms.agreementTermMonths,
      publicityEndedAt: dates.publicityEndedAt,
      signBy: signDeadline(dates.awardedAt),
    },
  });
}

export function rejectionReason(terms: RecruitmentTerms, entry: OutcomeEntry): string {
  if (!entry.qualified) return '未通过评审委员会的资格审查，未进入评分。';
  const lot = lotOf(terms, entry.lot);
  return `综合得分在“${lot.name}”类别中排名第 ${entry.rank ?? '—'} 名，未进入本类别 ${lot.quota} 个入选名额。`;
}

export function rejectionNoticeDraft(terms: RecruitmentTerms, entry: OutcomeEntry, dates: { publicityEndedAt: Date }): DocumentDraft {
  return (stamp) => ({
    kind: 'rejection_notice',
    input: {
      ...stamp,
      recruitment: terms.info,
      organization: { name: entry.organization.name, uscc: entry.organization.uscc },
      lot: { key: entry.lot, name: entry.lotName },
      finalScore: entry.qualified ? entry.score : null,
      rank: entry.qualified ? entry.rank : null,
      reason: rejectionReason(terms, entry),
      publicityEndedAt: dates.publicityEndedAt,
    },
  });
}

/** What a version of the agreement says beyond the award: its number, its term and the revisions agreed so far. */
export interface AgreementText {
  version: number;
  termMonths: number;
  revisions: { version: number; text: string }[];
}

function agreementInput(terms: RecruitmentTerms, entry: OutcomeEntry, text?: AgreementText): Omit<DraftAgreementInput, 'verifyCode' | 'issuedAt'> {
  const lot = lotOf(terms, entry.lot);
  const projectContent =
    lot.description.trim() ||
    `在${terms.info.owner}职工服务阵地内，面向职工提供“${lot.name}”类别的公益服务项目，具体内容以招募文件和乙方响应文件为准。`;
  return {
    recruitment: terms.info,
    centre: { name: terms.info.owner },
    partner: {
      name: entry.organization.name,
      uscc: entry.organization.uscc,
      address: entry.organization.address,
      representative: entry.organization.legalRepresentative,
    },
    lot: { key: lot.key, name: lot.name },
    projectContent,
    termMonths: text?.termMonths ?? terms.agreementTermMonths,
    publicBenefitRatio: entry.publicBenefitRatio ?? terms.minPublicBenefitRatio,
    minPublicBenefitRatio: terms.minPublicBenefitRatio,
    ...(text && { version: text.version, revisions: text.revisions }),
  };
}

/** The draft agreement: version 1 with the award notice, or a later version the agent issues on a request for changes. */
export function draftAgreementDraft(terms: RecruitmentTerms, entry: OutcomeEntry, text?: AgreementText): DocumentDraft {
  const input = agreementInput(terms, entry, text);
  return (stamp) => ({ kind: 'draft_agreement', input: { ...input, ...stamp } });
}

/** The agreement as concluded: the accepted version's text, for the centre to sign first and the organisation after. */
export function agreementDraft(terms: RecruitmentTerms, entry: OutcomeEntry, text: AgreementText, acceptedAt: Date): DocumentDraft {
  const input = { ...agreementInput(terms, entry, text), version: text.version, acceptedAt };
  return (stamp) => ({ kind: 'agreement', input: { ...input, ...stamp } });
}
