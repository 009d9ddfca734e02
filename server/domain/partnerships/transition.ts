import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { partnerships } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { checkPartnershipTransition, type PartnershipAction } from './state.ts';
import { PARTNERSHIP_STATUS_LABELS, type PartnershipStatus } from './types.ts';

export interface PartnershipRef {
  id: string;
  recruitmentId: string;
  status: PartnershipStatus;
}

export interface PartnershipTransitionExtra {
  set?: Partial<typeof partnerships.$inferInsert>;
  details?: Record<string, unknown>;
}

/**
 * Applies a step of the partnership's state machine inside `tx`: a conditional update from the
 * status that was checked (no row → someone else moved it first → 409) and its audit entry
 * `partnership.<action>`. The only writer of `partnerships.status`. `actor` null is the portal
 * itself (the lapse sweep). Who, beyond the role, may act (the organisation itself, the
 * recruitment's own agent) is the service's check, made before.
 */
export async function applyPartnershipTransition(
  tx: Tx,
  audit: AuditService,
  partnership: PartnershipRef,
  action: PartnershipAction,
  actor: SignedInUser | null,
  origin: RequestOrigin | null,
  extra: PartnershipTransitionExtra = {},
): Promise<PartnershipStatus> {
  const check = checkPartnershipTransition(partnership.status, action, actor?.role ?? 'system');
  if (!check.ok) {
    if (check.reason === 'role') throw new AppError('FORBIDDEN', '您的角色无权执行此操作');
    throw new AppError('INVALID_TRANSITION', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”，不能执行此操作`);
  }
  const [row] = await tx
    .update(partnerships)
    .set({ ...extra.set, status: check.to })
    .where(and(eq(partnerships.id, partnership.id), eq(partnerships.status, partnership.status)))
    .returning({ status: partnerships.status });
  if (!row) throw new AppError('INVALID_TRANSITION', '合作关系状态已被他人更改，请刷新后重试');
  await audit.record(tx, {
    actor,
    action: `partnership.${action}`,
    target: `partnership:${partnership.id}`,
    recruitmentId: partnership.recruitmentId,
    ...(origin ? { ip: origin.ip } : {}),
    details: { from: partnership.status, to: check.to, ...extra.details },
  });
  return check.to;
}
