import type { Role } from '../../db/schema.ts';
import type { RecruitmentStatus } from './types.ts';

// The recruitment's life cycle (SPEC §3) in one table. Nothing else decides which status may
// follow which: services apply a transition with a conditional update guarded by `from`, and
// pages ask `allowedActions` which buttons to show.

export interface Transition {
  from: readonly RecruitmentStatus[];
  /** 'previous' returns to the status held before suspension */
  to: RecruitmentStatus | 'previous';
  roles: readonly Role[];
}

const RUNNING: readonly RecruitmentStatus[] = ['published', 'opening', 'evaluation', 'publicity'];

export const TRANSITIONS = {
  publish: { from: ['draft'], to: 'published', roles: ['agent'] },
  // Termination (终止): announced by the agent, countersigned by the inspector afterwards.
  cancel: { from: ['draft', ...RUNNING, 'suspended'], to: 'cancelled', roles: ['agent'] },
  suspend: { from: RUNNING, to: 'suspended', roles: ['inspector'] },
  resume: { from: ['suspended'], to: 'previous', roles: ['inspector'] },
  // The opening (开标): started by the agent at the deadline, closed by the inspector's sign-off,
  // which moves on to evaluation, or to failure (流标) when no lot kept 3 valid bids.
  startOpening: { from: ['published'], to: 'opening', roles: ['agent'] },
  closeOpening: { from: ['opening'], to: 'evaluation', roles: ['inspector'] },
  failOpening: { from: ['opening'], to: 'failed', roles: ['inspector'] },
  // The evaluation's sign-off by the inspector changes no status (evaluation_sign_offs records
  // it): the recruitment leaves `evaluation` when the agent announces the candidates (publicity),
  // which the awards service allows only once that sign-off exists.
  announceCandidates: { from: ['evaluation'], to: 'publicity', roles: ['agent'] },
  // An upheld challenge sends the recruitment back to evaluation for a new round (重新评审),
  // which the awards service allows once every challenge of the round is answered.
  redoEvaluation: { from: ['publicity'], to: 'evaluation', roles: ['agent'] },
  // The award (定标) follows the inspector's award sign-off, which the awards service requires
  // together with the end of publicity and no open or upheld challenge in the current round.
  award: { from: ['publicity'], to: 'awarded', roles: ['agent'] },
} as const satisfies Record<string, Transition>;

export type RecruitmentAction = keyof typeof TRANSITIONS;
export const RECRUITMENT_ACTIONS = Object.keys(TRANSITIONS) as RecruitmentAction[];

export type TransitionCheck =
  | { ok: true; to: RecruitmentStatus | 'previous' }
  | { ok: false; reason: 'role' | 'status' };

export function checkTransition(status: RecruitmentStatus, action: RecruitmentAction, role: Role): TransitionCheck {
  const transition: Transition = TRANSITIONS[action];
  if (!transition.roles.includes(role)) return { ok: false, reason: 'role' };
  if (!transition.from.includes(status)) return { ok: false, reason: 'status' };
  return { ok: true, to: transition.to };
}

/** The status an action leads to, or null when the action is not allowed from `status`. */
export function nextStatus(
  status: RecruitmentStatus,
  action: RecruitmentAction,
  suspendedFrom: RecruitmentStatus | null = null,
): RecruitmentStatus | null {
  const transition: Transition = TRANSITIONS[action];
  if (!transition.from.includes(status)) return null;
  return transition.to === 'previous' ? suspendedFrom : transition.to;
}

export function allowedActions(status: RecruitmentStatus, role: Role): RecruitmentAction[] {
  return RECRUITMENT_ACTIONS.filter((action) => checkTransition(status, action, role).ok);
}
