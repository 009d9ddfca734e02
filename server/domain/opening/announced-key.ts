import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { documents } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { bidKeyFingerprint } from '../../lib/bid-key-fingerprint.ts';
import { readSignedKeywords, SignatureCheckError } from '../../lib/pdf/signature-check.ts';
import type { Storage } from '../../lib/storage.ts';
import { AppError } from '../../errors.ts';
import type { AuditActor, AuditService } from '../audit/service.ts';
import { raiseAlertOnce } from '../inspection/alerts.ts';
import type { InspectionService } from '../inspection/service.ts';

// Whoever holds the database could put a key of their own in recruitments.bid_public_key, read
// the bids sealed to it and put the original back. What the database cannot forge is the signed
// announcement: its fingerprint is signed by the centre's certificate, which lives outside the
// database. Each submission and the opening compare the stored key with it (SPEC §4.1).

export type AnnouncedKeys = ReturnType<typeof createAnnouncedKeys>;

export type BidKeyCheck =
  | { ok: true; fingerprint: string }
  | { ok: false; stored: string; announced: string | null; problem: string };

export function createAnnouncedKeys({
  db,
  clock,
  audit,
  inspection,
  storage,
  certificateFingerprint,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  inspection: Pick<InspectionService, 'mailAlert'>;
  storage: Pick<Storage, 'readDocument'>;
  /** the centre's signing certificate (Signer.certificate.fingerprint) */
  certificateFingerprint: string;
}) {
  // what a verified announcement said; it can be rebuilt from storage at any moment
  const verified = new Map<string, string>();

  /** The fingerprint the signed announcement states, or why none can be trusted. */
  async function announcedFingerprint(recruitmentId: string): Promise<{ fingerprint: string } | { problem: string }> {
    const known = verified.get(recruitmentId);
    if (known) return { fingerprint: known };
    const [row] = await db
      .select({ storageName: documents.storageName })
      .from(documents)
      .where(and(eq(documents.recruitmentId, recruitmentId), eq(documents.kind, 'announcement')));
    if (!row) return { problem: '签名的招募公告不存在' };
    let facts: Map<string, string>;
    try {
      facts = keywordFacts(await readSignedKeywords(await storage.readDocument(row.storageName), certificateFingerprint));
    } catch (error) {
      if (error instanceof SignatureCheckError) return { problem: `招募公告的签名不成立：${error.message}` };
      return { problem: '签名的招募公告无法读取' };
    }
    if (facts.get('recruitment-id') !== recruitmentId) return { problem: '签名的招募公告不属于本招募项目' };
    const fingerprint = facts.get('bid-key-fingerprint');
    if (!fingerprint) return { problem: '签名的招募公告未载明投标密钥指纹' };
    verified.set(recruitmentId, fingerprint);
    return { fingerprint };
  }

  /** Compares the stored bid key with the one the signed announcement published. */
  async function checkBidKey(recruitmentId: string, storedPublicKey: string): Promise<BidKeyCheck> {
    const stored = bidKeyFingerprint(storedPublicKey);
    const announced = await announcedFingerprint(recruitmentId);
    if (!('fingerprint' in announced)) return { ok: false, stored, announced: null, problem: announced.problem };
    if (announced.fingerprint !== stored) {
      return { ok: false, stored, announced: announced.fingerprint, problem: '存储的投标密钥与招募公告公布的指纹不一致' };
    }
    return { ok: true, fingerprint: stored };
  }

  /**
   * The stored key's fingerprint when it is the announced one. Otherwise the refusal is put on
   * the record, for the inspector, before it is thrown: 409 BID_KEY_MISMATCH.
   */
  async function requireAnnouncedKey(
    recruitmentId: string,
    storedPublicKey: string,
    attempt: { during: 'submission' | 'opening'; actor: AuditActor; ip: string },
  ): Promise<string> {
    const check = await checkBidKey(recruitmentId, storedPublicKey);
    if (check.ok) return check.fingerprint;
    const alert = {
      indicator: 'bid_key_mismatch',
      severity: 'high' as const,
      recruitmentId,
      subject: `投标密钥与签名招募公告不符：${check.problem}`,
      evidence: [
        { kind: 'bid_key', id: check.stored, detail: `数据库中的投标密钥指纹 ${check.stored}` },
        { kind: 'announcement', id: check.announced ?? '-', detail: `签名招募公告所载指纹 ${check.announced ?? '无法读取'}`, url: `/recruitments/${recruitmentId}/announcement.pdf` },
      ],
    };
    const raised = await db.transaction(async (tx) => {
      await audit.record(tx, {
        actor: attempt.actor,
        action: 'bid_key.mismatch',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: attempt.ip,
        details: { during: attempt.during, stored: check.stored, announced: check.announced, problem: check.problem },
      });
      return raiseAlertOnce(tx, alert, clock.now());
    });
    if (raised) await inspection.mailAlert(alert);
    throw new AppError(
      'BID_KEY_MISMATCH',
      `本项目当前的投标密钥与已签名发布的招募公告不符（${check.problem}），为防止响应文件泄密已拒绝操作，并已报告纪检监督员`,
    );
  }

  return { announcedFingerprint, checkBidKey, requireAnnouncedKey };
}

/** `name:value` keywords by name */
function keywordFacts(keywords: string): Map<string, string> {
  const facts = new Map<string, string>();
  for (const keyword of keywords.split(/\s+/)) {
    const at = keyword.indexOf(':');
    if (at > 0) facts.set(keyword.slice(0, at), keyword.slice(at + 1));
  }
  return facts;
}
