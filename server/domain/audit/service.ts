import { asc, desc, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { auditLog, awardSignOffs, documents, evaluationSignOffs, openings, recruitments } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { readSignedKeywords, SignatureCheckError } from '../../lib/pdf/signature-check.ts';
import type { Storage } from '../../lib/storage.ts';
import { checkAnchor, checkpointHead, lookupsNeeded, type Anchor, type AnchorCheck } from './anchors.ts';
import { checkChain, entryHash, GENESIS_HASH, startOfChain, type ChainCheck } from './chain.ts';

export interface AuditActor {
  id: string;
  role: string;
}

export interface AuditEvent {
  actor: AuditActor | null;
  action: string;
  target?: string;
  recruitmentId?: string | null;
  ip?: string;
  details?: Record<string, unknown>;
  /**
   * when it happened, if not at the append: a bid is recorded at the instant it was received
   * whole, though its transaction may append later
   */
  at?: Date;
}

// Appends are serialised by a transaction-scoped advisory lock, so two concurrent transactions
// never chain onto the same previous entry; the lock is released at commit or rollback.
const AUDIT_APPEND_LOCK = 0x61756469;
const VERIFY_PAGE = 1000;

/**
 * Appends entries at `at` (or each at its own), in order, inside the caller's transaction, under one hold of the append
 * lock; for code that records outside the audit service, such as a raised alert.
 */
export async function appendAuditEntries(tx: Tx, events: readonly AuditEvent[], at: Date): Promise<void> {
  if (events.length === 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const entries = events.map((event) => {
    const content = {
      seq: ++seq,
      at: event.at ?? at,
      actorId: event.actor?.id ?? null,
      actorRole: event.actor?.role ?? null,
      action: event.action,
      target: event.target ?? null,
      recruitmentId: event.recruitmentId ?? null,
      ip: event.ip ?? null,
      details: event.details ?? {},
    };
    const entry = { ...content, prevHash, hash: entryHash(content, prevHash) };
    prevHash = entry.hash;
    return entry;
  });
  await tx.insert(auditLog).values(entries);
}

/** The chain walked, and every chain head recorded elsewhere checked against it. */
export interface LogCheck extends ChainCheck {
  anchors: AnchorCheck[];
  /** what failed, one sentence each (zh-CN) */
  problems: string[];
}

const BROKEN: Record<NonNullable<ChainCheck['reason']>, string> = {
  hash: '内容与哈希不符',
  link: '与前一条记录的链接断开',
  sequence: '序号不连续',
};

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService({
  db,
  clock,
  storage,
  certificateFingerprint,
}: {
  db: Db;
  clock: Clock;
  /** where the checkpoint files are listed and read, without asking the database */
  storage: Pick<Storage, 'listCheckpoints' | 'readDocument'>;
  /** the centre's signing certificate: a checkpoint file must be signed by it */
  certificateFingerprint: string;
}) {
  /** Appends an entry inside the caller's transaction: the entry commits with the change it records. */
  function record(tx: Tx, event: AuditEvent): Promise<void> {
    return recordAll(tx, [event]);
  }

  /** Appends entries in order inside the caller's transaction, under one hold of the append lock. */
  function recordAll(tx: Tx, events: readonly AuditEvent[]): Promise<void> {
    return appendAuditEntries(tx, events, clock.now());
  }

  /** For events that change nothing else, such as a failed sign-in. */
  function recordAlone(event: AuditEvent): Promise<void> {
    return db.transaction((tx) => record(tx, event));
  }

  /** Walks the whole log page by page and recomputes every hash and link. */
  async function walkChain(): Promise<ChainCheck> {
    let state = startOfChain();
    for (;;) {
      const page = await db
        .select()
        .from(auditLog)
        .where(gt(auditLog.seq, state.entries))
        .orderBy(asc(auditLog.seq))
        .limit(VERIFY_PAGE);
      state = checkChain(page, state);
      if (!state.ok || page.length < VERIFY_PAGE) return state;
    }
  }

  /** The heads the database records beside the log: sign-offs, countersigns, signed documents. */
  async function recordedAnchors(): Promise<{ anchors: Anchor[]; checkpointFiles: { anchor: Anchor; storageName: string }[] }> {
    const [openingRows, evaluationRows, awardRows, cancelRows, documentRows] = await Promise.all([
      db
        .select({ id: openings.recruitmentId, seq: openings.signOffChainSeq, hash: openings.signOffChainHead })
        .from(openings)
        .where(isNotNull(openings.signOffChainHead)),
      db
        .select({ id: evaluationSignOffs.recruitmentId, round: evaluationSignOffs.round, seq: evaluationSignOffs.chainSeq, hash: evaluationSignOffs.chainHead })
        .from(evaluationSignOffs),
      db.select({ id: awardSignOffs.recruitmentId, seq: awardSignOffs.chainSeq, hash: awardSignOffs.chainHead }).from(awardSignOffs),
      db
        .select({ id: recruitments.id, seq: recruitments.cancelCountersignChainSeq, hash: recruitments.cancelCountersignChainHead })
        .from(recruitments)
        .where(isNotNull(recruitments.cancelCountersignChainHead)),
      db
        .select({ id: documents.id, title: documents.title, seq: documents.chainSeq, hash: documents.chainHead, kind: documents.kind, storageName: documents.storageName })
        .from(documents)
        .where(isNotNull(documents.chainHead)),
    ]);
    const documentAnchors = documentRows.map((row) => ({
      row,
      anchor: { source: 'document' as const, label: `签名文件“${row.title}”`, seq: row.seq, hash: row.hash! },
    }));
    const anchors = [
      ...openingRows.map((row) => ({ source: 'opening_sign_off' as const, label: `开标签字（项目 ${row.id}）`, seq: row.seq, hash: row.hash! })),
      ...evaluationRows.map((row) => ({ source: 'evaluation_sign_off' as const, label: `第 ${row.round} 轮评审签字（项目 ${row.id}）`, seq: row.seq, hash: row.hash })),
      ...awardRows.map((row) => ({ source: 'award_sign_off' as const, label: `定标签字（项目 ${row.id}）`, seq: row.seq, hash: row.hash })),
      ...cancelRows.map((row) => ({ source: 'cancel_countersign' as const, label: `终止会签（项目 ${row.id}）`, seq: row.seq, hash: row.hash! })),
      ...documentAnchors.map(({ anchor }) => anchor),
    ];
    const checkpointFiles = documentAnchors
      .filter(({ row }) => row.kind === 'audit_checkpoint')
      .map(({ row, anchor }) => ({ anchor, storageName: row.storageName }));
    return { anchors, checkpointFiles };
  }

  /**
   * The heads of the checkpoint files in storage, each file's signature checked against the
   * centre's certificate first: neither step asks the database, so a rewrite of the database,
   * documents rows included, is still measured against them.
   */
  async function checkpointAnchors(names: string[]): Promise<{ anchors: Anchor[]; refused: AnchorCheck[] }> {
    const anchors: Anchor[] = [];
    const refused: AnchorCheck[] = [];
    for (const name of names.sort()) {
      const label = `检查点文件 ${name}`;
      const pdf = await storage.readDocument(name);
      let problem = '未记载链头';
      try {
        const found = checkpointHead(await readSignedKeywords(pdf, certificateFingerprint));
        if (found) {
          anchors.push({ source: 'checkpoint_file', label, seq: found.seq, hash: found.head });
          continue;
        }
      } catch (error) {
        problem = error instanceof SignatureCheckError ? error.message : '签名数据无法解析';
      }
      refused.push({ source: 'checkpoint_file', label, seq: null, hash: '', ok: false, problem: `${label}：${problem}` });
    }
    return { anchors, refused };
  }

  async function lookUp(anchors: readonly Anchor[]) {
    const { seqs, hashes } = lookupsNeeded(anchors);
    const [bySeq, byHash] = await Promise.all([
      seqs.length ? db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).where(inArray(auditLog.seq, seqs)) : [],
      hashes.length ? db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).where(inArray(auditLog.hash, hashes)) : [],
    ]);
    return {
      hashAt: new Map(bySeq.map((row) => [row.seq, row.hash])),
      seqOf: new Map(byHash.map((row) => [row.hash, row.seq])),
    };
  }

  /**
   * Verifies the log: walks the chain, then checks that every chain head recorded elsewhere is
   * still in it at its seq. A rewrite that recomputes every later hash, or a truncated tail,
   * passes the walk but not the heads recorded after the change.
   */
  async function verifyChain(): Promise<LogCheck> {
    const names = await storage.listCheckpoints();
    const [chain, recorded, files] = await Promise.all([walkChain(), recordedAnchors(), checkpointAnchors(names)]);
    const anchors = [...recorded.anchors, ...files.anchors];
    const log = await lookUp(anchors);
    // a checkpoint the database lists whose file is gone from storage; listed again now, as a
    // file is stored before its row is inserted and so is present for every row read above
    const present = new Set(await storage.listCheckpoints());
    const missing = recorded.checkpointFiles
      .filter((file) => !present.has(file.storageName))
      .map((file): AnchorCheck => ({ ...file.anchor, ok: false, problem: `${file.anchor.label}的文件已不在存储中（${file.storageName}）` }));
    const checked = [...anchors.map((anchor) => checkAnchor(anchor, log)), ...files.refused, ...missing];
    const problems = [
      ...(chain.ok ? [] : [`第 ${chain.brokenAt} 条记录${BROKEN[chain.reason!]}`]),
      ...checked.flatMap((anchor) => (anchor.problem ? [anchor.problem] : [])),
    ];
    return { ...chain, ok: problems.length === 0, anchors: checked, problems };
  }

  return { record, recordAll, recordAlone, verifyChain };
}
