import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { bidKeyShares, openingKeys } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import {
  createBidKey,
  createHolderKey,
  openShare,
  parseHolderKey,
  parseSealed,
  rewrapHolderKey,
  unwrapHolderKey,
  WrongPassphraseError,
} from '../../lib/sealing.ts';
import { assertStrongPassphrase } from '../accounts/password-strength.ts';
import { PASSPHRASE_HOLDER, type RateLimiter } from '../accounts/rate-limit.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';

// Opening keys and the recruitment bid key (SPEC §4.1). A holder's private key is wrapped by a
// passphrase only the holder knows; the bid key's private half exists only as shares sealed to
// two or three holders, any two of which rebuild it. Nothing the server stores opens a bid.

export type KeyHolderRole = 'agent' | 'inspector' | 'escrow';
export const BID_KEY_THRESHOLD = 2;

const wrongPassphrase = (field: string) => new AppError('WRONG_PASSPHRASE', '开标密钥口令不正确', field);

export type OpeningKeyService = ReturnType<typeof createOpeningKeyService>;

export function createOpeningKeyService({ db, clock, audit, limits }: { db: Db; clock: Clock; audit: AuditService; limits: RateLimiter }) {
  /**
   * Runs `open` with a passphrase counted against the holder's limit (5 wrong in 15 minutes, counted
   * before the check, so parallel guesses get no more); a right passphrase is not counted.
   */
  async function withPassphraseAttempt<T>(holderId: string, field: string, open: () => Promise<T>): Promise<T> {
    const counted = await limits.attempt(PASSPHRASE_HOLDER, holderId);
    try {
      const opened = await open();
      await limits.refund(counted);
      return opened;
    } catch (error) {
      if (error instanceof WrongPassphraseError) throw wrongPassphrase(field);
      await limits.refund(counted);
      throw error;
    }
  }

  async function hasOpeningKey(userId: string): Promise<boolean> {
    const [row] = await db.select({ userId: openingKeys.userId }).from(openingKeys).where(eq(openingKeys.userId, userId));
    return row !== undefined;
  }

  /** Sets the holder's passphrase; changing it re-wraps the same key pair, so shares stay openable. */
  async function setOpeningKey(
    holder: SignedInUser,
    { passphrase, oldPassphrase }: { passphrase: string; oldPassphrase?: string },
    origin: RequestOrigin,
  ) {
    await assertStrongPassphrase(passphrase, 'passphrase');
    const [existing] = await db.select().from(openingKeys).where(eq(openingKeys.userId, holder.id));
    let holderKey;
    if (existing) {
      if (!oldPassphrase) throw new AppError('OLD_PASSPHRASE_REQUIRED', '修改开标密钥口令须提供原口令', 'oldPassphrase');
      holderKey = await withPassphraseAttempt(holder.id, 'oldPassphrase', () =>
        rewrapHolderKey(parseHolderKey(existing.holderKey), oldPassphrase, passphrase),
      );
    } else {
      holderKey = await createHolderKey(passphrase);
    }
    await db.transaction(async (tx) => {
      await tx
        .insert(openingKeys)
        .values({ userId: holder.id, publicKey: holderKey.publicKey, holderKey })
        .onConflictDoUpdate({ target: openingKeys.userId, set: { holderKey, updatedAt: clock.realNow() } });
      await audit.record(tx, {
        actor: holder,
        action: existing ? 'opening_key.change' : 'opening_key.set',
        target: `user:${holder.id}`,
        ip: origin.ip,
        details: { publicKey: holderKey.publicKey },
      });
    });
    return { publicKey: holderKey.publicKey, changed: existing !== undefined };
  }

  /**
   * At publication, inside the publishing transaction: generates the recruitment's bid key and
   * seals one share to each holder. Refuses when a holder has not set an opening key.
   */
  async function issueBidKey(tx: Tx, recruitmentId: string, holders: { id: string; role: KeyHolderRole }[]) {
    const keys = await tx
      .select({ userId: openingKeys.userId, publicKey: openingKeys.publicKey })
      .from(openingKeys)
      .where(inArray(openingKeys.userId, holders.map((h) => h.id)));
    const missing = holders.filter((h) => !keys.some((k) => k.userId === h.id));
    if (missing.length > 0) {
      throw new AppError(
        'KEY_HOLDER_WITHOUT_KEY',
        `以下开标密钥持有人尚未设置开标口令：${missing.map((h) => ({ agent: '招标代理', inspector: '纪检监督员', escrow: '密钥托管人' })[h.role]).join('、')}`,
        'inspectorId',
      );
    }
    const bidKey = await createBidKey(
      holders.map((h) => ({ holderId: h.id, publicKey: keys.find((k) => k.userId === h.id)?.publicKey ?? '' })),
      BID_KEY_THRESHOLD,
      recruitmentId,
    );
    await tx.insert(bidKeyShares).values(
      bidKey.shares.map((share) => ({
        recruitmentId,
        holderId: share.holderId,
        holderRole: holders.find((h) => h.id === share.holderId)?.role ?? 'escrow',
        sealedShare: share.sealedShare,
      })),
    );
    return bidKey.publicKey;
  }

  /** The holder's share of a recruitment's bid key, opened with the holder's passphrase. */
  async function openHolderShare(recruitmentId: string, holderId: string, passphrase: string): Promise<Buffer> {
    const [row] = await db
      .select({ sealedShare: bidKeyShares.sealedShare, holderKey: openingKeys.holderKey })
      .from(bidKeyShares)
      .innerJoin(openingKeys, eq(openingKeys.userId, bidKeyShares.holderId))
      .where(and(eq(bidKeyShares.recruitmentId, recruitmentId), eq(bidKeyShares.holderId, holderId)));
    if (!row) throw new AppError('NOT_KEY_HOLDER', '您不是本招募项目的开标密钥持有人');
    return withPassphraseAttempt(holderId, 'passphrase', async () => {
      const privateKey = await unwrapHolderKey(parseHolderKey(row.holderKey), passphrase);
      return openShare(parseSealed(row.sealedShare), privateKey, recruitmentId, holderId);
    });
  }

  return { hasOpeningKey, setOpeningKey, issueBidKey, openHolderShare };
}
