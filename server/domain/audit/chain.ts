import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

// The hash chain of the audit log, free of the database: what an entry's hash covers and how a
// sequence of entries is checked. Anyone holding an export of the log can run the same checks.

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: number;
  at: Date;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  target: string | null;
  recruitmentId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface ChainedEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

/** SHA-256 over the RFC 8785 (JCS) serialisation of the entry's content and the previous hash. */
export function entryHash(content: AuditContent, prevHash: string): string {
  const canonical = canonicalize({
    seq: content.seq,
    at: content.at.toISOString(),
    actorId: content.actorId,
    actorRole: content.actorRole,
    action: content.action,
    target: content.target,
    recruitmentId: content.recruitmentId,
    ip: content.ip,
    details: content.details,
    prevHash,
  });
  if (canonical === undefined) throw new Error('audit entry cannot be serialised');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** hash of the last entry checked: the chain head */
  head: string;
  /** seq of the first entry that breaks the chain */
  brokenAt?: number;
  reason?: 'hash' | 'link' | 'sequence';
}

/**
 * Checks entries in seq order, continuing from a previous batch's result so that a long log can
 * be walked page by page without holding it all in memory.
 */
export function checkChain(entries: Iterable<ChainedEntry>, from: ChainCheck = startOfChain()): ChainCheck {
  let state = from;
  for (const entry of entries) {
    if (!state.ok) return state;
    const broken = (reason: ChainCheck['reason']): ChainCheck => ({ ...state, ok: false, brokenAt: entry.seq, reason });
    if (entry.seq !== state.entries + 1) return broken('sequence');
    if (entry.prevHash !== state.head) return broken('link');
    if (entryHash(entry, entry.prevHash) !== entry.hash) return broken('hash');
    state = { ok: true, entries: state.entries + 1, head: entry.hash };
  }
  return state;
}

export function startOfChain(): ChainCheck {
  return { ok: true, entries: 0, head: GENESIS_HASH };
}
