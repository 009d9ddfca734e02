import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { escrowDesignation, openingKeys, users } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';

// The escrow key holder (SPEC §4.1): an administrator designates it, never the agent, so that
// the agent cannot pick an accomplice to open bids without the inspector. Each publication seals
// its third share to the holder designated at that moment.

export type EscrowService = ReturnType<typeof createEscrowService>;

export function createEscrowService({ db, clock, audit }: { db: Db; clock: Clock; audit: AuditService }) {
  /** The designated holder while still an active administrator with an opening key; else null. */
  async function designatedHolder(executor: Db | Tx = db) {
    const [row] = await executor
      .select({ id: users.id, name: users.name, email: users.email, designatedAt: escrowDesignation.designatedAt })
      .from(escrowDesignation)
      .innerJoin(users, eq(users.id, escrowDesignation.holderId))
      .innerJoin(openingKeys, eq(openingKeys.userId, users.id))
      .where(and(eq(users.role, 'admin'), eq(users.active, true)));
    return row ?? null;
  }

  /** Who may be designated: active administrators with an opening key. */
  function candidates() {
    return db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .innerJoin(openingKeys, eq(openingKeys.userId, users.id))
      .where(and(eq(users.role, 'admin'), eq(users.active, true)))
      .orderBy(asc(users.name));
  }

  /** Designates the escrow holder, or with null leaves none; recruitments already published keep theirs. */
  async function designateEscrowHolder(userId: string | null, admin: SignedInUser, origin: RequestOrigin) {
    if (userId !== null) {
      const [user] = await db
        .select({ role: users.role, active: users.active, key: openingKeys.userId })
        .from(users)
        .leftJoin(openingKeys, eq(openingKeys.userId, users.id))
        .where(eq(users.id, userId));
      if (!user || user.role !== 'admin' || !user.active) {
        throw new AppError('INVALID_ESCROW_HOLDER', '密钥托管人须为有效的系统管理员账号', 'userId');
      }
      if (!user.key) throw new AppError('KEY_HOLDER_WITHOUT_KEY', '该管理员尚未设置开标口令，不能担任密钥托管人', 'userId');
    }
    await db.transaction(async (tx) => {
      const [previous] = await tx.select({ holderId: escrowDesignation.holderId }).from(escrowDesignation);
      if (userId === null) {
        await tx.delete(escrowDesignation);
      } else {
        const designation = { holderId: userId, designatedBy: admin.id, designatedAt: clock.now() };
        await tx.insert(escrowDesignation).values(designation).onConflictDoUpdate({ target: escrowDesignation.singleton, set: designation });
      }
      await audit.record(tx, {
        actor: admin,
        action: 'escrow.designate',
        target: userId ? `user:${userId}` : 'escrow',
        ip: origin.ip,
        details: { holderId: userId, previousHolderId: previous?.holderId ?? null },
      });
    });
    return { holder: await designatedHolder() };
  }

  return { designatedHolder, candidates, designateEscrowHolder };
}
