import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { documents, users } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { beijingDate } from '../../lib/datetime.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { Storage } from '../../lib/storage.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { DocumentIssuer } from '../documents/issuer.ts';
import { asRecorded, markMailSent, recordMail } from '../documents/outbox.ts';
import type { AuditService } from './service.ts';

// Checkpoints anchor the audit log outside the database: a signed PDF stating the log's head,
// kept in storage (checkpoints/) and mailed to every active inspector. Issued daily by each
// server process's timer — the first to insert the day's row wins (a unique index on the
// subject), the others issue nothing — and whenever an inspector asks.

const CHECK_EVERY_MS = 60 * 60 * 1000;

export type CheckpointService = ReturnType<typeof createCheckpointService>;

export function createCheckpointService({
  db,
  clock,
  audit,
  documents: documentService,
  storage,
  mailer,
  centre,
  publicUrl,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  documents: Pick<DocumentIssuer, 'issueDocument'>;
  storage: Pick<Storage, 'readDocument'>;
  mailer: Pick<Mailer, 'deliver'>;
  /** the signatory printed on the checkpoint: the centre of the signing certificate */
  centre: string;
  publicUrl: string;
}) {
  async function issue(subject: string, occasion: string, requestedBy: { actor: SignedInUser; ip: string } | null) {
    const check = await audit.verifyChain();
    // a checkpoint of a log that no longer verifies would vouch for what may be a rewrite
    if (!check.ok) throw new AppError('AUDIT_LOG_BROKEN', `操作日志核验未通过，不能签发检查点：${check.problems.join('；')}`);
    const row = await documentService.issueDocument(
      ({ verifyCode, issuedAt }) => ({
        kind: 'audit_checkpoint',
        input: { recruitment: { title: '操作日志检查点', owner: centre }, verifyCode, issuedAt, seq: check.entries, head: check.head, occasion },
      }),
      {
        recruitmentId: null,
        kind: 'audit_checkpoint',
        subject,
        owner: centre,
        chain: { seq: check.entries, head: check.head },
        ...(requestedBy ? { issuedFor: { actor: requestedBy.actor, ip: requestedBy.ip } } : {}),
      },
    );
    if (row) await mailToInspectors(row);
    return row;
  }

  /**
   * Sends the checkpoint to every active inspector as an attachment, then marks it mailed; each
   * message is recorded before it is sent (documents/outbox.ts), once per inspector.
   */
  async function mailToInspectors(row: typeof documents.$inferSelect) {
    const inspectors = await db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(and(eq(users.role, 'inspector'), eq(users.active, true)));
    const pdf = await storage.readDocument(row.storageName);
    for (const inspector of inspectors) {
      // recorded first: a crash after some inspectors were mailed does not mail them again
      const mail = await recordMail(db, `document:${row.id}`, inspector.email, clock.realNow());
      if (mail.sentAt) continue;
      await mailer.deliver({
        recorded: asRecorded(mail),
        to: inspector.email,
        subject: `【操作日志检查点】第 ${row.chainSeq} 条记录`,
        text: [
          `${inspector.name}：`,
          '',
          `附件是平台操作日志的检查点：截至 ${row.issuedAt.toISOString()}，日志共 ${row.chainSeq} 条记录，链头为`,
          `  ${row.chainHead}`,
          '文件经本中心电子签名。请将本邮件和附件保存在平台之外：今后核验操作日志时，链中该序号记录的哈希必须与此链头一致，',
          '即使有人同时改写了数据库中的日志和签字记录，与本文件比对也会发现。',
          '',
          `核验文件真伪：${verifyUrl(publicUrl, row.verifyCode)}`,
        ].join('\n'),
        attachments: [{ filename: `操作日志检查点-${row.chainSeq}.pdf`, content: pdf, contentType: 'application/pdf' }],
      });
      await markMailSent(db, mail.id, clock.realNow());
    }
    const mailedAt = clock.now();
    await db.transaction(async (tx) => {
      await tx.update(documents).set({ status: 'mailed', mailedAt }).where(and(eq(documents.id, row.id), eq(documents.status, 'issued')));
      await audit.record(tx, {
        actor: null,
        action: 'document.mail',
        target: `document:${row.id}`,
        details: { documents: [row.id], to: inspectors.map((inspector) => inspector.id) },
      });
    });
  }

  /** An inspector's checkpoint, issued now. */
  async function requestCheckpoint(inspector: SignedInUser, origin: RequestOrigin) {
    const row = await issue(`request-${randomUUID()}`, '按纪检监督员要求签发', { actor: inspector, ip: origin.ip });
    if (!row) throw new Error('a requested checkpoint has a fresh subject and cannot conflict');
    return { id: row.id, seq: row.chainSeq!, head: row.chainHead!, verifyCode: row.verifyCode, issuedAt: row.issuedAt, url: `/api/v1/documents/${row.id}` };
  }

  /** Mails the checkpoints whose mailing failed (the mail server was down, the process died). */
  async function mailPending() {
    const pending = await db
      .select()
      .from(documents)
      .where(and(isNull(documents.recruitmentId), eq(documents.status, 'issued')));
    for (const row of pending) await mailToInspectors(row);
  }

  /** Today's checkpoint, unless this or another process has issued it: null then. */
  async function issueDailyCheckpoint() {
    await mailPending();
    // one daily checkpoint per Beijing date
    const subject = `daily-${beijingDate(clock.now())}`;
    const [existing] = await db
      .select({ id: documents.id })
      .from(documents)
      .where(and(isNull(documents.recruitmentId), eq(documents.subject, subject)));
    if (existing) return null;
    return issue(subject, '每日签发', null);
  }

  /**
   * Issues the day's checkpoint now and checks again every hour (the injected clock decides the
   * day); returns the function that stops the timer. Failures are reported, never thrown.
   */
  function startDailyCheckpoints(report: (error: unknown) => void): () => void {
    let running: Promise<unknown> = Promise.resolve();
    const run = () => {
      running = running.then(() => issueDailyCheckpoint()).catch(report);
    };
    run();
    const timer = setInterval(run, CHECK_EVERY_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  return { requestCheckpoint, issueDailyCheckpoint, startDailyCheckpoints };
}
