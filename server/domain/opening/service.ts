import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  bidFiles,
  bidKeyShares,
  bids,
  bidVersions,
  lots,
  objections,
  openingAttendance,
  openingFiles,
  openingRecords,
  openings,
  openingUnlocks,
  organizations,
  recruitments,
  users,
} from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import {
  bidDigest,
  createFileDecryptor,
  decryptJson,
  openDataKey,
  openManifest,
  parseEncryptedJson,
  parseSealed,
  rebuildBidKey,
} from '../../lib/sealing.ts';
import { isStorageUnavailable, type Storage } from '../../lib/storage.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { DocumentQueue } from '../documents/queue.ts';
import type { AuditService } from '../audit/service.ts';
import type { AnnouncedKeys } from './announced-key.ts';
import { raiseAlert, raiseAlertOnce } from '../inspection/alerts.ts';
import type { InspectionService } from '../inspection/service.ts';
import type { AgentMails } from '../notifications/agent-mails.ts';
import type { SignOffMails } from '../notifications/sign-offs.ts';
import { DECLARED_FIELDS_LABEL, type DeclaredFields } from '../bids/schemas.ts';
import { applyTransition } from '../recruitments/transition.ts';
import type { EnteredShares, TakenShare } from './entered-shares.ts';
import type { OpeningKeyService } from './keys.ts';

// The bid opening (开标, SPEC §4.1–4.3 and §5). The agent starts it at the deadline; key holders
// enter their passphrases; once two shares are in and the inspector attends, the bid key is
// rebuilt in memory, every live bid is decrypted, each digest recomputed against its receipt,
// and the record written. Opened shares wait in the database, encrypted with a secret it does not
// hold (entered-shares.ts), so holders may enter on different server processes.

/** Fewer valid bids than this and a lot fails (SPEC §3). */
export const MIN_VALID_BIDS = 3;

function isDeclared(value: unknown): value is DeclaredFields {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields.publicBenefitRatio === 'number' && typeof fields.summary === 'string' && typeof fields.declarations === 'object';
}

export type OpeningService = ReturnType<typeof createOpeningService>;

export function createOpeningService({
  db,
  clock,
  audit,
  storage,
  openingKeys,
  enteredShares,
  announcedKeys,
  documentQueue,
  inspection,
  signOffs,
  agentMails,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  announcedKeys: Pick<AnnouncedKeys, 'requireAnnouncedKey' | 'announcedFingerprint'>;
  storage: Pick<Storage, 'readSealedBidFile'>;
  openingKeys: Pick<OpeningKeyService, 'openHolderShare'>;
  enteredShares: EnteredShares;
  /** the opening record is issued once the sign-off has committed */
  documentQueue: DocumentQueue;
  /** mails the inspectors an alert once it has committed */
  inspection: Pick<InspectionService, 'mailAlert'>;
  /** after commit: the inspector is mailed the opening record to sign off */
  signOffs: Pick<SignOffMails, 'signOffWaiting'>;
  /** after commit: the agent is mailed an objection */
  agentMails: Pick<AgentMails, 'arrived'>;
}) {
  async function recruitmentOf(id: string) {
    const [recruitment] = await db.select().from(recruitments).where(eq(recruitments.id, id));
    if (!recruitment || !recruitment.publishedAt) throw new AppError('NOT_FOUND', '招募项目不存在');
    return recruitment;
  }

  async function organizationIdOf(user: SignedInUser): Promise<string | null> {
    const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.userId, user.id));
    return row?.id ?? null;
  }

  /** Bidders of this recruitment: organisations with a bid in it (withdrawn ones included). */
  async function isBidderOf(recruitmentId: string, user: SignedInUser): Promise<boolean> {
    const organizationId = await organizationIdOf(user);
    if (!organizationId) return false;
    const [row] = await db
      .select({ id: bids.id })
      .from(bids)
      .where(and(eq(bids.recruitmentId, recruitmentId), eq(bids.organizationId, organizationId)))
      .limit(1);
    return row !== undefined;
  }

  async function requireViewer(recruitment: { id: string; agentId: string }, user: SignedInUser) {
    if (user.role === 'inspector' || (user.role === 'agent' && user.id === recruitment.agentId)) return;
    if (user.role === 'bidder' && (await isBidderOf(recruitment.id, user))) return;
    // the escrow holder takes part as a key holder
    const [share] = await db
      .select({ holderId: bidKeyShares.holderId })
      .from(bidKeyShares)
      .where(and(eq(bidKeyShares.recruitmentId, recruitment.id), eq(bidKeyShares.holderId, user.id)));
    if (share) return;
    throw new AppError('FORBIDDEN', '只有本项目的经办人、纪检监督员和响应单位可以参加开标');
  }

  async function sessionOf(recruitmentId: string) {
    const [session] = await db.select().from(openings).where(eq(openings.recruitmentId, recruitmentId));
    return session ?? null;
  }

  async function startOpening(recruitmentId: string, agent: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以开始开标');
    const now = clock.now();
    if (now < recruitment.submissionDeadline) {
      throw new AppError('TOO_EARLY', '未到提交截止时间，不能开标（以服务器时间为准）');
    }
    await requireAnnouncedKey(recruitment, agent, origin);
    const status = await db.transaction(async (tx) => {
      const to = await applyTransition(tx, audit, recruitment, 'startOpening', agent, origin);
      await tx.insert(openings).values({ recruitmentId, startedAt: now, startedBy: agent.id });
      return to;
    });
    return { status };
  }

  async function attend(recruitmentId: string, user: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    if (user.role !== 'inspector' && !(user.role === 'bidder' && (await isBidderOf(recruitmentId, user)))) {
      throw new AppError('FORBIDDEN', '只有纪检监督员和本项目的响应单位可以签到');
    }
    if (recruitment.status !== 'opening') throw new AppError('OPENING_NOT_IN_PROGRESS', '开标尚未开始或已经结束');
    await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(openingAttendance)
        .values({ recruitmentId, userId: user.id, attendedAt: clock.now(), ip: origin.ip })
        .onConflictDoNothing()
        .returning({ userId: openingAttendance.userId });
      if (inserted.length > 0) {
        await audit.record(tx, { actor: user, action: 'opening.attend', target: `recruitment:${recruitmentId}`, recruitmentId, ip: origin.ip });
      }
    });
    await openIfReady(recruitmentId, user, origin);
    return getOpening(recruitmentId, user);
  }

  async function announcedFingerprintOf(recruitmentId: string): Promise<string | null> {
    const announced = await announcedKeys.announcedFingerprint(recruitmentId);
    return 'fingerprint' in announced ? announced.fingerprint : null;
  }

  /** The key bids are opened with is the one the signed announcement published, or nothing opens. */
  async function requireAnnouncedKey(recruitment: { id: string; bidPublicKey: string | null }, actor: SignedInUser, origin: RequestOrigin) {
    if (!recruitment.bidPublicKey) throw new Error(`published recruitment ${recruitment.id} has no bid key`);
    return announcedKeys.requireAnnouncedKey(recruitment.id, recruitment.bidPublicKey, { during: 'opening', actor, ip: origin.ip });
  }

  /**
   * A key holder enters its passphrase, confirming the bid key fingerprint it compared with the
   * signed announcement: its share is only used for the key that was published. The escrow
   * holder stands in for the agent or the named inspector only with a reason: it is kept on the
   * opening and in the audit entry, and every inspector is alerted (and mailed once it has
   * committed).
   */
  async function unlock(
    recruitmentId: string,
    { passphrase, bidKeyFingerprint, reason }: { passphrase: string; bidKeyFingerprint: string; reason?: string },
    holder: SignedInUser,
    origin: RequestOrigin,
  ) {
    const recruitment = await recruitmentOf(recruitmentId);
    if (recruitment.status !== 'opening') throw new AppError('OPENING_NOT_IN_PROGRESS', '开标尚未开始或已经结束');
    const session = await sessionOf(recruitmentId);
    if (session?.openedAt) throw new AppError('ALREADY_OPENED', '响应文件已经开启');
    const [holding] = await db
      .select({ role: bidKeyShares.holderRole })
      .from(bidKeyShares)
      .where(and(eq(bidKeyShares.recruitmentId, recruitmentId), eq(bidKeyShares.holderId, holder.id)));
    const escrowReason = holding?.role === 'escrow' ? reason?.trim() : undefined;
    if (holding?.role === 'escrow' && !escrowReason) {
      throw new AppError('REASON_REQUIRED', '密钥托管人参与开标须说明理由（将记录在案并通知全体纪检监督员）', 'reason');
    }
    const announced = await requireAnnouncedKey(recruitment, holder, origin);
    if (bidKeyFingerprint.replace(/\s+/g, '').toLowerCase() !== announced) {
      throw new AppError('FINGERPRINT_NOT_CONFIRMED', '请核对本项目签名招募公告所载的投标密钥指纹，一致后再输入口令', 'bidKeyFingerprint');
    }
    let share: Buffer;
    try {
      share = await openingKeys.openHolderShare(recruitmentId, holder.id, passphrase);
    } catch (error) {
      if (error instanceof AppError && error.code === 'WRONG_PASSPHRASE') {
        await audit.recordAlone({
          actor: holder,
          action: 'opening.unlock_failed',
          target: `recruitment:${recruitmentId}`,
          recruitmentId,
          ip: origin.ip,
        });
      }
      throw error;
    }
    const alert = escrowReason
      ? {
          indicator: 'escrow_opening',
          severity: 'high' as const,
          recruitmentId,
          subject: `密钥托管人 ${holder.name} 在“${recruitment.title}”开标中输入开标口令，理由：${escrowReason}`,
          evidence: [
            { kind: 'user', id: holder.id, detail: `密钥托管人 ${holder.name}（${holder.email}）` },
            { kind: 'recruitment', id: recruitmentId, detail: `${recruitment.title} 开标`, url: `/recruitments/${recruitmentId}/opening` },
          ],
        }
      : null;
    await db.transaction(async (tx) => {
      const now = clock.now();
      await tx
        .insert(openingUnlocks)
        .values({ recruitmentId, holderId: holder.id, unlockedAt: now })
        .onConflictDoUpdate({ target: [openingUnlocks.recruitmentId, openingUnlocks.holderId], set: { unlockedAt: now } });
      await enteredShares.keep(tx, recruitmentId, holder.id, share, now);
      if (escrowReason) await tx.update(openings).set({ escrowReason }).where(eq(openings.recruitmentId, recruitmentId));
      await audit.record(tx, {
        actor: holder,
        action: 'opening.unlock',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: { confirmedFingerprint: announced, ...(escrowReason ? { escrow: true, reason: escrowReason } : {}) },
      });
      if (alert) await raiseAlert(tx, alert, now);
    });
    if (alert) await inspection.mailAlert(alert);
    await openIfReady(recruitmentId, holder, origin);
    return getOpening(recruitmentId, holder);
  }

  /** Opens the bids once two shares are in and the inspector attends; otherwise does nothing. */
  async function openIfReady(recruitmentId: string, actor: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    if (!recruitment.inspectorId || !recruitment.bidPublicKey) return;
    const [inspectorPresent] = await db
      .select({ userId: openingAttendance.userId })
      .from(openingAttendance)
      .where(and(eq(openingAttendance.recruitmentId, recruitmentId), eq(openingAttendance.userId, recruitment.inspectorId)));
    if (!inspectorPresent) return;
    const session = await sessionOf(recruitmentId);
    if (!session || session.openedAt) return;

    await requireAnnouncedKey(recruitment, actor, origin);
    const { taken, rejected } = await enteredShares.take(recruitmentId, clock.now());
    if (rejected.length > 0) await entriesRejected(recruitmentId, recruitment.title, rejected);
    if (!taken) return;
    try {
      await openBids(recruitmentId, recruitment.bidPublicKey, taken, session.escrowReason, actor, origin);
    } catch (error) {
      // nothing was recorded: the entries wait again and the holders need not enter anew (should
      // even that fail, the opening page shows them that they must)
      await enteredShares.putBack(recruitmentId, taken).catch(() => {});
      throw error;
    } finally {
      for (const { share } of taken) share.fill(0);
    }
    await signOffs.signOffWaiting({ kind: 'opening', recruitmentId });
  }

  /**
   * Entries the servers' secret did not open (written or re-dated in the database by someone else,
   * or an instance with another ENTERED_SHARE_SECRET) were dropped: the inspectors and the
   * administrators are told, and the holders see that they must enter again.
   */
  async function entriesRejected(recruitmentId: string, title: string, holderIds: string[]) {
    const alert = {
      indicator: 'entered_share_rejected',
      severity: 'high' as const,
      recruitmentId,
      subject: `“${title}”开标中有 ${holderIds.length} 份已输入的开标口令记录无法解开（数据库中的记录被改动，或各服务器实例的 ENTERED_SHARE_SECRET 不一致），已作废，相关密钥持有人须重新输入`,
      evidence: [
        ...holderIds.map((id) => ({ kind: 'user', id, detail: '其口令记录被作废的密钥持有人' })),
        { kind: 'recruitment', id: recruitmentId, detail: `${title} 开标`, url: `/recruitments/${recruitmentId}/opening` },
      ],
    };
    if (await raiseAlertOnce(db, alert, clock.now())) await inspection.mailAlert(alert);
  }

  /** Rebuilds the bid key from the shares taken, decrypts every live bid and records the opening. */
  async function openBids(
    recruitmentId: string,
    bidPublicKey: string,
    taken: readonly TakenShare[],
    escrowReason: string | null,
    actor: SignedInUser,
    origin: RequestOrigin,
  ) {
    const bidKey = await rebuildBidKey(taken.map(({ share }) => share), bidPublicKey);
    const { lines, files } = await decryptBids(recruitmentId, bidKey, actor, origin);
    await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(openings)
        .set({ openedAt: clock.now() })
        .where(and(eq(openings.recruitmentId, recruitmentId), isNull(openings.openedAt)))
        .returning({ recruitmentId: openings.recruitmentId });
      if (!claimed) throw new AppError('ALREADY_OPENED', '响应文件已经开启');
      if (lines.length > 0) await tx.insert(openingRecords).values(lines);
      if (files.length > 0) await tx.insert(openingFiles).values(files);
      const failedLots: string[] = [];
      for (const lot of await tx.select({ key: lots.key }).from(lots).where(eq(lots.recruitmentId, recruitmentId))) {
        const valid = lines.filter((line) => line.lotKey === lot.key && line.digestVerified).length;
        if (valid < MIN_VALID_BIDS) failedLots.push(lot.key);
      }
      if (failedLots.length > 0) {
        await tx.update(lots).set({ status: 'failed' }).where(and(eq(lots.recruitmentId, recruitmentId), inArray(lots.key, failedLots)));
      }
      await audit.record(tx, {
        actor,
        action: 'opening.open',
        target: `recruitment:${recruitmentId}`,
        recruitmentId,
        ip: origin.ip,
        details: {
          bids: lines.length,
          verified: lines.filter((line) => line.digestVerified).length,
          failedLots,
          holders: taken.map(({ holderId }) => holderId),
          escrowReason,
        },
      });
    });
  }

  /**
   * Decrypts every live bid's latest version: its data key, declared values and manifest, then
   * each file, and recomputes the digest with the manifest's salt and names and the files' own
   * hashes and sizes; audits each decryption. The files of a bid that opens whole are recorded
   * with their names, sizes and hashes, known in clear from now on.
   */
  async function decryptBids(recruitmentId: string, bidKey: Awaited<ReturnType<typeof rebuildBidKey>>, actor: SignedInUser, origin: RequestOrigin) {
    const live = await db
      .select({ bid: bids, version: bidVersions, organizationName: organizations.name })
      .from(bids)
      .innerJoin(bidVersions, and(eq(bidVersions.bidId, bids.id), eq(bidVersions.version, bids.currentVersion)))
      .innerJoin(organizations, eq(organizations.id, bids.organizationId))
      .where(and(eq(bids.recruitmentId, recruitmentId), eq(bids.status, 'submitted')))
      .orderBy(asc(bidVersions.receivedAt));
    const lines: (typeof openingRecords.$inferInsert)[] = [];
    const openedFiles: (typeof openingFiles.$inferInsert)[] = [];
    for (const [position, { bid, version, organizationName }] of live.entries()) {
      const files = await db.select().from(bidFiles).where(eq(bidFiles.versionId, version.id)).orderBy(asc(bidFiles.position));
      let dataKey: Buffer | null = null;
      let declared: DeclaredFields | null = null;
      let recomputedDigest: string | null = null;
      try {
        dataKey = openDataKey(parseSealed(version.sealedDataKey), bidKey, bid.id);
        const fields = decryptJson(parseEncryptedJson(version.sealedFields), dataKey, DECLARED_FIELDS_LABEL);
        declared = isDeclared(fields) ? fields : null;
        const manifest = openManifest(parseEncryptedJson(version.sealedManifest), dataKey);
        // the manifest lists the stored files, in their order; anything else is a tampered bid
        if (manifest.files.length !== files.length || manifest.files.some((entry, index) => entry.id !== files[index]!.id)) {
          throw new Error(`the manifest of bid ${bid.id} does not list its stored files`);
        }
        const recomputedFiles = [];
        for (const [index, file] of files.entries()) {
          const { name, size } = manifest.files[index]!;
          recomputedFiles.push({ name, ...(await decryptFile(recruitmentId, file, size, dataKey)) });
        }
        recomputedDigest = bidDigest({
          salt: manifest.salt,
          files: recomputedFiles,
          fields,
          recruitmentId,
          organizationId: bid.organizationId,
          lot: bid.lotKey,
          version: version.version,
          receivedAt: version.receivedAt.toISOString(),
        });
        openedFiles.push(
          ...recomputedFiles.map(({ name, size, sha256 }, index) => ({ fileId: files[index]!.id, recruitmentId, versionId: version.id, position: index, name, size, sha256 })),
        );
      } catch (error) {
        // object storage out of reach is no verdict on the bid: the opening stops, unrecorded, to be tried again
        if (isStorageUnavailable(error)) throw error;
        // a tampered or unreadable bid is recorded as not verified rather than stopping the opening
        recomputedDigest = null;
      }
      await audit.recordAlone({
        actor,
        action: 'bid.decrypt',
        target: `bid:${bid.id}`,
        recruitmentId,
        ip: origin.ip,
        details: { version: version.version, verified: recomputedDigest === version.digest },
      });
      lines.push({
        recruitmentId,
        bidId: bid.id,
        versionId: version.id,
        position,
        organizationId: bid.organizationId,
        organizationName,
        lotKey: bid.lotKey,
        submittedAt: version.receivedAt,
        digest: version.digest,
        recomputedDigest,
        digestVerified: recomputedDigest === version.digest,
        publicBenefitRatio: declared?.publicBenefitRatio ?? null,
        openedDataKey: dataKey?.toString('base64') ?? null,
      });
    }
    return { lines, files: openedFiles };
  }

  /** Streams a stored file of `size` bytes (and its padding) through decryption, keeping only its hash and size. */
  async function decryptFile(recruitmentId: string, file: typeof bidFiles.$inferSelect, size: number, dataKey: Buffer) {
    const decryptor = createFileDecryptor(dataKey, file.id, file.iv, file.tag, size);
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    await pipeline(await storage.readSealedBidFile(recruitmentId, file.id), decryptor.transform, discard);
    return decryptor.result();
  }

  async function raiseObjection(recruitmentId: string, text: string, bidder: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    const organizationId = await organizationIdOf(bidder);
    if (!organizationId || !(await isBidderOf(recruitmentId, bidder))) {
      throw new AppError('FORBIDDEN', '只有本项目的响应单位可以提出异议');
    }
    const session = await sessionOf(recruitmentId);
    if (recruitment.status !== 'opening' || !session || session.signedOffAt) {
      throw new AppError('OPENING_NOT_IN_PROGRESS', '异议须在开标过程中提出');
    }
    const raised = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(objections)
        .values({ recruitmentId, organizationId, text: text.trim(), raisedAt: clock.now() })
        .returning({ id: objections.id, raisedAt: objections.raisedAt });
      if (!row) throw new Error('insert returned no row');
      await audit.record(tx, { actor: bidder, action: 'objection.raise', target: `objection:${row.id}`, recruitmentId, ip: origin.ip });
      return row;
    });
    await agentMails.arrived({ kind: 'objection', id: raised.id, recruitmentId, text: text.trim() });
    return raised;
  }

  async function answerObjection(objectionId: string, text: string, agent: SignedInUser, origin: RequestOrigin) {
    const [objection] = await db.select().from(objections).where(eq(objections.id, objectionId));
    if (!objection) throw new AppError('NOT_FOUND', '异议不存在');
    const recruitment = await recruitmentOf(objection.recruitmentId);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以答复异议');
    await db.transaction(async (tx) => {
      const [row] = await tx
        .update(objections)
        .set({ answer: text.trim(), answeredAt: clock.now(), answeredBy: agent.id })
        .where(and(eq(objections.id, objectionId), isNull(objections.answer)))
        .returning({ id: objections.id });
      if (!row) throw new AppError('ALREADY_ANSWERED', '该异议已答复');
      await audit.record(tx, {
        actor: agent,
        action: 'objection.answer',
        target: `objection:${objectionId}`,
        recruitmentId: recruitment.id,
        ip: origin.ip,
      });
    });
    return { id: objectionId, answered: true };
  }

  /** The inspector closes the opening, recording the audit chain head seen; the recruitment moves on. */
  async function signOff(recruitmentId: string, comment: string, inspector: SignedInUser, origin: RequestOrigin) {
    const recruitment = await recruitmentOf(recruitmentId);
    if (recruitment.inspectorId !== inspector.id) throw new AppError('FORBIDDEN', '只有本项目指定的纪检监督员可以签字确认');
    const session = await sessionOf(recruitmentId);
    if (!session?.openedAt) throw new AppError('NOT_OPENED', '响应文件尚未开启，不能签字确认');
    const [unanswered] = await db
      .select({ id: objections.id })
      .from(objections)
      .where(and(eq(objections.recruitmentId, recruitmentId), isNull(objections.answer)))
      .limit(1);
    if (unanswered) throw new AppError('OBJECTIONS_OPEN', '尚有未答复的异议，不能签字确认');
    const openLots = await db
      .select({ key: lots.key })
      .from(lots)
      .where(and(eq(lots.recruitmentId, recruitmentId), eq(lots.status, 'open')));
    const chain = await audit.verifyChain();
    const status = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(openings)
        .set({
          signedOffAt: clock.now(),
          signedOffBy: inspector.id,
          signOffComment: comment.trim(),
          signOffChainHead: chain.head,
          signOffChainSeq: chain.entries,
          signOffChainOk: chain.ok,
        })
        .where(and(eq(openings.recruitmentId, recruitmentId), isNull(openings.signedOffAt)))
        .returning({ recruitmentId: openings.recruitmentId });
      if (!row) throw new AppError('ALREADY_SIGNED_OFF', '开标已签字确认');
      return applyTransition(tx, audit, recruitment, openLots.length > 0 ? 'closeOpening' : 'failOpening', inspector, origin, {
        details: { chainHead: chain.head, chainOk: chain.ok, comment: comment.trim() },
      });
    });
    documentQueue.schedule(recruitmentId);
    return { status, chainHead: chain.head, chainOk: chain.ok };
  }

  async function getOpening(recruitmentId: string, viewer: SignedInUser) {
    const recruitment = await recruitmentOf(recruitmentId);
    await requireViewer(recruitment, viewer);
    const session = await sessionOf(recruitmentId);
    const [attendees, lotRows, records, objectionRows, unlocks, holders, held] = await Promise.all([
      db
        .select({ userId: users.id, name: users.name, role: users.role, attendedAt: openingAttendance.attendedAt })
        .from(openingAttendance)
        .innerJoin(users, eq(users.id, openingAttendance.userId))
        .where(eq(openingAttendance.recruitmentId, recruitmentId))
        .orderBy(asc(openingAttendance.attendedAt)),
      db.select({ key: lots.key, name: lots.name, quota: lots.quota, status: lots.status }).from(lots).where(eq(lots.recruitmentId, recruitmentId)).orderBy(asc(lots.position)),
      db.select().from(openingRecords).where(eq(openingRecords.recruitmentId, recruitmentId)).orderBy(asc(openingRecords.position)),
      db.select().from(objections).where(eq(objections.recruitmentId, recruitmentId)).orderBy(asc(objections.raisedAt)),
      db.select({ holderId: openingUnlocks.holderId, unlockedAt: openingUnlocks.unlockedAt }).from(openingUnlocks).where(eq(openingUnlocks.recruitmentId, recruitmentId)),
      db.select({ holderId: bidKeyShares.holderId, role: bidKeyShares.holderRole, name: users.name }).from(bidKeyShares).innerJoin(users, eq(users.id, bidKeyShares.holderId)).where(eq(bidKeyShares.recruitmentId, recruitmentId)),
      enteredShares.holders(recruitmentId, clock.now()),
    ]);
    return {
      recruitmentId,
      status: recruitment.status,
      /** what the signed announcement states, for the key holders to confirm */
      bidKeyFingerprint: await announcedFingerprintOf(recruitmentId),
      phase: !session ? 'not_started' : session.signedOffAt ? 'signed_off' : session.openedAt ? 'opened' : 'waiting_for_keys',
      startedAt: session?.startedAt ?? null,
      openedAt: session?.openedAt ?? null,
      /** why the escrow holder took part, when it did */
      escrowReason: session?.escrowReason ?? null,
      attendees,
      keyHolders: holders.map((holder) => ({
        ...holder,
        /** when the holder last entered its passphrase */
        unlockedAt: unlocks.find((u) => u.holderId === holder.holderId)?.unlockedAt ?? null,
        /** whether that entry still waits to be used: false once it has expired or an opening used it */
        shareWaiting: held.has(holder.holderId),
      })),
      lots: lotRows.map((lot) => ({
        ...lot,
        validBids: records.filter((r) => r.lotKey === lot.key && r.digestVerified).length,
      })),
      record: records.map((r) => ({
        number: r.position + 1,
        bidId: r.bidId,
        organization: r.organizationName,
        lot: r.lotKey,
        submittedAt: r.submittedAt,
        digest: r.digest,
        recomputedDigest: r.recomputedDigest,
        digestVerified: r.digestVerified,
        publicBenefitRatio: r.publicBenefitRatio,
      })),
      objections: objectionRows.map((o) => ({ id: o.id, text: o.text, raisedAt: o.raisedAt, answer: o.answer, answeredAt: o.answeredAt })),
      signOff: session?.signedOffAt
        ? { at: session.signedOffAt, comment: session.signOffComment, chainHead: session.signOffChainHead, chainOk: session.signOffChainOk }
        : null,
    };
  }

  /** by the periodic clean-up: entries no longer usable are not kept */
  const forgetExpiredShares = () => enteredShares.forgetExpired(clock.now());

  return { startOpening, attend, unlock, raiseObjection, answerObjection, signOff, getOpening, forgetExpiredShares };
}
