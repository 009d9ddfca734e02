import type { RecruitmentStatus } from '../recruitments/types.ts';

// What a recruitment asks of its inspector now, and its next deadline, from the facts the desk
// gathers: pure, so each rule reads as the service that enforces it (cited beside each).

export const SIGN_OFF_KINDS = ['opening', 'evaluation', 'award', 'cancellation'] as const;
export type SignOffKind = (typeof SIGN_OFF_KINDS)[number];

export const SIGN_OFF_LABELS: Record<SignOffKind, string> = {
  opening: '开标签字确认',
  evaluation: '评审签字确认',
  award: '定标签字确认',
  cancellation: '会签终止',
};

export const DEADLINE_KINDS = ['questions', 'submission', 'publicity'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_LABELS: Record<DeadlineKind, string> = {
  questions: '提问截止',
  submission: '提交截止（开标）',
  publicity: '公示期满',
};

export interface DeskFacts {
  status: RecruitmentStatus;
  suspendedFrom: RecruitmentStatus | null;
  questionsDeadline: Date;
  submissionDeadline: Date;
  cancelCountersigned: boolean;
  /** the opening session, once the agent has started it */
  opening: { opened: boolean; signedOff: boolean } | null;
  unansweredObjections: number;
  /** the panel's size, once drawn */
  panelSize: number | null;
  /** panel members who submitted and confirmed in the current round */
  confirmedMembers: number;
  evaluationSignedOff: boolean;
  /** the current round's publicity, once announced */
  publicityEndsAt: Date | null;
  /** the current round's challenges */
  challenges: { unanswered: number; upheld: number };
  awardSignedOff: boolean;
}

/** The sign-offs the recruitment waits for: each one the inspector could give now. */
export function signOffsWaiting(facts: DeskFacts, now: Date): SignOffKind[] {
  const waiting: SignOffKind[] = [];
  // opening/service.ts signOff: opened, not signed, every objection answered
  if (facts.status === 'opening' && facts.opening?.opened && !facts.opening.signedOff && facts.unansweredObjections === 0) {
    waiting.push('opening');
  }
  // evaluation/service.ts signOff: every seat submitted and confirmed in the round. Only a seated
  // member submits, and a member who has submitted is never replaced in that round, so the
  // round's confirmed submissions reach the panel's size exactly when every seat has confirmed.
  if (facts.status === 'evaluation' && facts.panelSize !== null && facts.confirmedMembers >= facts.panelSize && !facts.evaluationSignedOff) {
    waiting.push('evaluation');
  }
  // awards/rules.ts awardBlocker: publicity ended, every challenge answered, none upheld
  if (
    facts.status === 'publicity' &&
    facts.publicityEndsAt !== null &&
    now >= facts.publicityEndsAt &&
    facts.challenges.unanswered === 0 &&
    facts.challenges.upheld === 0 &&
    !facts.awardSignedOff
  ) {
    waiting.push('award');
  }
  // recruitments/service.ts countersignCancellation
  if (facts.status === 'cancelled' && !facts.cancelCountersigned) waiting.push('cancellation');
  return waiting;
}

/**
 * The deadline the recruitment's stage runs to: the questions deadline, then the submission
 * deadline (when the opening is due) while published, the end of publicity while publicised; a
 * suspended recruitment keeps the one of the stage it was suspended in. Null when the stage has
 * none (the opening and the evaluation run until the inspector signs off).
 */
export function nextDeadline(facts: DeskFacts, now: Date): { kind: DeadlineKind; at: Date } | null {
  const stage = facts.status === 'suspended' ? facts.suspendedFrom : facts.status;
  if (stage === 'published') {
    return now < facts.questionsDeadline ? { kind: 'questions', at: facts.questionsDeadline } : { kind: 'submission', at: facts.submissionDeadline };
  }
  if (stage === 'publicity' && facts.publicityEndsAt) return { kind: 'publicity', at: facts.publicityEndsAt };
  return null;
}
