import { GENESIS_HASH } from './chain.ts';

// Chain heads recorded outside the log — at the sign-offs, in the signed documents, in the
// checkpoint files — and how each is checked: the log must still hold that hash at that seq. An
// edit with every later hash recomputed changes the hash at every later seq; a truncated tail
// loses the seqs; either way some recorded head no longer matches.

export type AnchorSource =
  | 'opening_sign_off'
  | 'evaluation_sign_off'
  | 'award_sign_off'
  | 'cancel_countersign'
  | 'document'
  | 'checkpoint_file';

export interface Anchor {
  source: AnchorSource;
  /** what recorded it: a recruitment, a document, a checkpoint file (zh-CN, for the page) */
  label: string;
  /** null on heads recorded before seqs were kept: then the hash must be somewhere in the log */
  seq: number | null;
  hash: string;
}

export interface AnchorCheck extends Anchor {
  ok: boolean;
  /** why not (zh-CN) */
  problem?: string;
}

export interface LogLookup {
  /** the stored hash of each seq asked for (absent: no such entry) */
  hashAt: ReadonlyMap<number, string>;
  /** the seq of each hash asked for (absent: no entry has it) */
  seqOf: ReadonlyMap<string, number>;
}

/** What the log must be asked to check these anchors. */
export function lookupsNeeded(anchors: readonly Anchor[]): { seqs: number[]; hashes: string[] } {
  const seqs = new Set<number>();
  const hashes = new Set<string>();
  for (const anchor of anchors) {
    if (anchor.seq === null) {
      if (anchor.hash !== GENESIS_HASH) hashes.add(anchor.hash);
    } else if (anchor.seq > 0) seqs.add(anchor.seq);
  }
  return { seqs: [...seqs], hashes: [...hashes] };
}

export function checkAnchor(anchor: Anchor, log: LogLookup): AnchorCheck {
  const fail = (problem: string): AnchorCheck => ({ ...anchor, ok: false, problem });
  if (anchor.seq === null) {
    if (anchor.hash === GENESIS_HASH || log.seqOf.has(anchor.hash)) return { ...anchor, ok: true };
    return fail(`${anchor.label}记录的链头 ${anchor.hash.slice(0, 16)}… 不在操作日志中（日志被改写或截断）`);
  }
  const stored = anchor.seq === 0 ? GENESIS_HASH : log.hashAt.get(anchor.seq);
  if (stored === undefined) return fail(`${anchor.label}记录的第 ${anchor.seq} 条记录已不在操作日志中（日志被截断）`);
  if (stored !== anchor.hash) return fail(`${anchor.label}记录的第 ${anchor.seq} 条记录的链头与操作日志不符（日志被改写）`);
  return { ...anchor, ok: true };
}

export const SEQ_KEYWORD = /(?:^|\s)audit-chain-seq:(\d+)(?:\s|$)/;
export const HEAD_KEYWORD = /(?:^|\s)audit-chain-head:([0-9a-f]{64})(?:\s|$)/;

/** The seq and head a checkpoint's keywords carry, or null. */
export function checkpointHead(keywords: string): { seq: number; head: string } | null {
  const seq = SEQ_KEYWORD.exec(keywords)?.[1];
  const head = HEAD_KEYWORD.exec(keywords)?.[1];
  return seq && head ? { seq: Number(seq), head } : null;
}
