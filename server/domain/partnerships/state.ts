import type { Role } from '../../db/schema.ts';
import type { PartnershipStatus } from './types.ts';

// The partnership's life cycle (issue 17) in one table, as the recruitment's (recruitments/state.ts).
// Nothing else decides which status may follow which: transition.ts applies a step with a
// conditional update guarded by `from`, and pages ask `allowedPartnershipActions` for buttons.
// 'system' is the portal itself (the lapse sweep), never a signed-in role.

export type PartnershipActor = Role | 'system';

export interface PartnershipTransition {
  from: readonly PartnershipStatus[];
  to: PartnershipStatus;
  roles: readonly PartnershipActor[];
}

export const PARTNERSHIP_TRANSITIONS = {
  // The organisation countersigns the final agreement the centre issued on acceptance: the
  // term starts at this moment.
  sign: { from: ['awarded'], to: 'signed', roles: ['bidder'] },
  // Unsigned by the award notice's deadline: the award lapses (视为放弃入选资格), on the clock's
  // sweep or on the first read after the deadline.
  lapse: { from: ['awarded'], to: 'lapsed', roles: ['system'] },
  // The centre records that the partner has taken over the site and started its services.
  activate: { from: ['signed'], to: 'active', roles: ['agent'] },
  // A failed stage review sends the partnership into rectification; a passed re-review ends it.
  requireRectification: { from: ['active'], to: 'rectifying', roles: ['agent'] },
  passRectification: { from: ['rectifying'], to: 'active', roles: ['agent'] },
  // Termination only after a failed rectification (the review service checks the failed re-review).
  terminate: { from: ['rectifying'], to: 'terminated', roles: ['agent'] },
  // The term's end, after the final review.
  end: { from: ['active'], to: 'ended', roles: ['agent'] },
} as const satisfies Record<string, PartnershipTransition>;

export type PartnershipAction = keyof typeof PARTNERSHIP_TRANSITIONS;
export const PARTNERSHIP_ACTIONS = Object.keys(PARTNERSHIP_TRANSITIONS) as PartnershipAction[];

export type PartnershipTransitionCheck = { ok: true; to: PartnershipStatus } | { ok: false; reason: 'role' | 'status' };

export function checkPartnershipTransition(
  status: PartnershipStatus,
  action: PartnershipAction,
  actor: PartnershipActor,
): PartnershipTransitionCheck {
  const transition: PartnershipTransition = PARTNERSHIP_TRANSITIONS[action];
  if (!transition.roles.includes(actor)) return { ok: false, reason: 'role' };
  if (!transition.from.includes(status)) return { ok: false, reason: 'status' };
  return { ok: true, to: transition.to };
}

export function allowedPartnershipActions(status: PartnershipStatus, actor: PartnershipActor): PartnershipAction[] {
  return PARTNERSHIP_ACTIONS.filter((action) => checkPartnershipTransition(status, action, actor).ok);
}

/** Statuses after which nothing follows. */
export const FINAL_STATUSES: readonly PartnershipStatus[] = ['ended', 'terminated', 'lapsed'];
