import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { bids, bidVersions, organizations } from '../../../db/schema.ts';
import { formatTime } from '../../../lib/labels.ts';
import type { AlertEvidence } from '../types.ts';

// What the red flags about bidders read of a recruitment's bids, and how they cite a bid.

/** Every version of every bid in the recruitment, withdrawn or not, with where it came from. */
export async function bidOrigins(tx: Tx, recruitmentId: string) {
  return tx
    .select({
      bidId: bids.id,
      version: bidVersions.version,
      receivedAt: bidVersions.receivedAt,
      ip: bidVersions.ip,
      sessionId: bidVersions.sessionId,
      organizationId: organizations.id,
      organizationName: organizations.name,
    })
    .from(bidVersions)
    .innerJoin(bids, eq(bids.id, bidVersions.bidId))
    .innerJoin(organizations, eq(organizations.id, bids.organizationId))
    .where(eq(bids.recruitmentId, recruitmentId))
    .orderBy(bidVersions.receivedAt);
}

/**
 * The bids that stand (submitted, not withdrawn), at their current version, with the organisation
 * that made each: the recruitment's bidders are these organisations.
 */
export async function currentBids(tx: Tx, recruitmentId: string) {
  return tx
    .select({
      bidId: bids.id,
      lotKey: bids.lotKey,
      version: bidVersions.version,
      receivedAt: bidVersions.receivedAt,
      organizationId: organizations.id,
      organizationName: organizations.name,
      uscc: organizations.uscc,
      legalRepresentative: organizations.legalRepresentative,
      phone: organizations.phone,
      email: organizations.email,
      registeredAt: organizations.createdAt,
    })
    .from(bids)
    .innerJoin(bidVersions, and(eq(bidVersions.bidId, bids.id), eq(bidVersions.version, bids.currentVersion)))
    .innerJoin(organizations, eq(organizations.id, bids.organizationId))
    .where(and(eq(bids.recruitmentId, recruitmentId), eq(bids.status, 'submitted')))
    .orderBy(bidVersions.receivedAt);
}

export type CurrentBid = Awaited<ReturnType<typeof currentBids>>[number];

/** One version of a bid as evidence: whose, which version, when received, and what else it shows. */
export function bidEvidence(
  bid: { bidId: string; version: number; receivedAt: Date; organizationName: string },
  shown?: string,
): AlertEvidence {
  const received = `${bid.organizationName}：响应文件第 ${bid.version} 版，${formatTime(bid.receivedAt)}`;
  return { kind: 'bid', id: `${bid.bidId}#${bid.version}`, detail: shown ? `${received}，${shown}` : received };
}

/** "甲、乙和丙" — each name once, in the order first given. */
export function joinNames(names: readonly string[]): string {
  const unique = [...new Set(names)];
  return unique.length > 1 ? `${unique.slice(0, -1).join('、')}和${unique.at(-1)}` : (unique[0] ?? '');
}

