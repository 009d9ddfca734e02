import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { recruitments } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { STATUS_LABELS } from '../../lib/labels.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { checkTransition, nextStatus, type RecruitmentAction } from './state.ts';
import type { RecruitmentStatus } from './types.ts';

export interface TransitionExtra {
  set?: Partial<typeof recruitments.$inferInsert>;
  details?: Record<string, unknown>;
}

/**
 * Applies a transition of the state machine inside `tx`: a conditional update from the status
 * that was checked (no row → someone else moved it first → 409) and its audit entry. The only
 * writer of `status` and `suspended_from`. The actor must be the recruitment's own agent or its
 * named inspector (403 otherwise).
 */
export async function applyTransition(
  tx: Tx,
  audit: AuditService,
  recruitment: { id: string; status: RecruitmentStatus; suspendedFrom: RecruitmentStatus | null; agentId: string; inspectorId: string | null },
  action: RecruitmentAction,
  actor: SignedInUser,
  origin: RequestOrigin,
  extra: TransitionExtra = {},
): Promise<RecruitmentStatus> {
  const check = checkTransition(recruitment.status, action, actor.role);
  if (!check.ok) {
    if (check.reason === 'role') throw new AppError('FORBIDDEN', '您的角色无权执行此操作');
    throw new AppError('INVALID_TRANSITION', `招募项目当前状态为“${STATUS_LABELS[recruitment.status]}”，不能执行此操作`);
  }
  // A role is not enough: only the recruitment's own agent and its named inspector act on it.
  if (actor.role === 'inspector' && recruitment.inspectorId !== actor.id) {
    throw new AppError('FORBIDDEN', '只有本项目指定的纪检监督员可以执行此操作');
  }
  if (actor.role === 'agent' && recruitment.agentId !== actor.id) {
    throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以执行此操作');
  }
  const to = nextStatus(recruitment.status, action, recruitment.suspendedFrom);
  if (!to) throw new AppError('INVALID_TRANSITION', '招募项目状态不允许此操作');
  const [row] = await tx
    .update(recruitments)
    .set({
      ...extra.set,
      status: to,
      // suspension remembers where to resume; any other transition clears it
      suspendedFrom: to === 'suspended' ? recruitment.status : null,
    })
    .where(and(eq(recruitments.id, recruitment.id), eq(recruitments.status, recruitment.status)))
    .returning({ status: recruitments.status });
  if (!row) throw new AppError('INVALID_TRANSITION', '招募项目状态已被他人更改，请刷新后重试');
  await audit.record(tx, {
    actor,
    action: `recruitment.${action}`,
    target: `recruitment:${recruitment.id}`,
    recruitmentId: recruitment.id,
    ip: origin.ip,
    details: { from: recruitment.status, to, ...extra.details },
  });
  return to;
}
