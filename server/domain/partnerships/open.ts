import type { Tx } from '../../db/client.ts';
import { agreementVersions, partnerships } from '../../db/schema.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { signDeadline } from './rules.ts';

export interface AwardedBid {
  awardId: string;
  recruitmentId: string;
  organizationId: string;
  bidId: string;
  lotKey: string;
  awardedAt: Date;
}

/**
 * One partnership per award, opened inside the award's transaction: status `awarded`, the
 * deadline the award notice states, the recruitment's term, and version 1 of the draft agreement
 * (its PDF is the draft agreement the documents queue issues after the commit).
 */
export async function openPartnerships(
  tx: Tx,
  audit: AuditService,
  awarded: readonly AwardedBid[],
  termMonths: number,
  agent: SignedInUser,
  origin: RequestOrigin,
): Promise<void> {
  if (awarded.length === 0) return;
  const rows = await tx
    .insert(partnerships)
    .values(
      awarded.map((award) => ({
        awardId: award.awardId,
        recruitmentId: award.recruitmentId,
        organizationId: award.organizationId,
        bidId: award.bidId,
        lotKey: award.lotKey,
        signBy: signDeadline(award.awardedAt),
        termMonths,
      })),
    )
    .returning();
  const awardedAt = new Map(awarded.map((award) => [award.awardId, award.awardedAt]));
  await tx
    .insert(agreementVersions)
    .values(rows.map((row) => ({ partnershipId: row.id, number: 1, termMonths, issuedAt: awardedAt.get(row.awardId)!, issuedBy: agent.id })));
  await audit.recordAll(
    tx,
    rows.map((row) => ({
      actor: agent,
      action: 'partnership.open',
      target: `partnership:${row.id}`,
      recruitmentId: row.recruitmentId,
      ip: origin.ip,
      details: { bidId: row.bidId, organizationId: row.organizationId, lot: row.lotKey, signBy: row.signBy.toISOString(), termMonths },
    })),
  );
}
