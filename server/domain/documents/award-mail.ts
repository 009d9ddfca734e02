import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { documents, organizations, outgoingMails } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { groupBy } from '../../lib/group-by.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { DocumentKind } from '../../lib/pdf/templates/template.ts';
import type { Storage } from '../../lib/storage.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import type { AuditService } from '../audit/service.ts';
import { KIND_NAMES, type RecruitmentTerms } from './inputs.ts';
import { asRecorded, markMailSent, recordMail } from './outbox.ts';

// The award documents mailed to the organisations they concern, once each (issue 13).

/** kinds delivered by e-mail to the organisation they concern */
export const MAILED_KINDS: DocumentKind[] = ['award_notice', 'draft_agreement', 'rejection_notice'];

export function createAwardMail({
  db,
  storage,
  clock,
  audit,
  mailer,
  publicUrl,
}: {
  db: Db;
  storage: Pick<Storage, 'readDocument'>;
  clock: Clock;
  audit: AuditService;
  mailer: Pick<Mailer, 'deliver'>;
  publicUrl: string;
}) {
  /**
   * E-mails each organisation its issued notices and agreements as PDF attachments, one message
   * per organisation, and marks them mailed. Each message is recorded before it is sent, its
   * documents tied to it: a message whose delivery fails stays due and is sent on the next run,
   * and one sent just before a crash is sent again as the same message (same Message-ID, same
   * outbox file, which is then not written twice).
   */
  async function mailAwardDocuments(recruitmentId: string, terms: RecruitmentTerms): Promise<number> {
    await recordAwardMails(recruitmentId);
    const pending = await db
      .select({ document: documents, mail: outgoingMails, organization: organizations.name })
      .from(documents)
      .innerJoin(outgoingMails, eq(outgoingMails.id, documents.mailId))
      .innerJoin(organizations, eq(organizations.id, documents.organizationId))
      .where(and(eq(documents.recruitmentId, recruitmentId), eq(documents.status, 'issued'), inArray(documents.kind, MAILED_KINDS)))
      .orderBy(asc(documents.issuedAt));
    const byMail = groupBy(pending, (row) => row.mail.id);
    let mailed = 0;
    for (const rows of byMail.values()) {
      const { mail, organization, document: first } = rows[0]!;
      const selected = rows.some((row) => row.document.kind === 'award_notice');
      const attachments = await Promise.all(
        rows.map(async ({ document }) => ({
          filename: `${KIND_NAMES[document.kind]}-${organization}.pdf`,
          content: await storage.readDocument(document.storageName),
          contentType: 'application/pdf',
        })),
      );
      await mailer.deliver({
        to: mail.recipient,
        subject: `【${selected ? '入选通知' : '未入选通知'}】${terms.info.title}`,
        text: [
          `${organization}：`,
          '',
          selected
            ? `贵单位已入选“${terms.info.title}”。入选通知书和合作协议（草案）见附件，均经${terms.info.owner}电子签名。`
            : `感谢贵单位参与“${terms.info.title}”。未入选通知书见附件，经${terms.info.owner}电子签名。`,
          '',
          '每份文件都印有验证码，可在以下网址核验文件的真实性（也可上传收到的 PDF 比对）：',
          ...rows.map(({ document }) => `- ${KIND_NAMES[document.kind]}：${verifyUrl(publicUrl, document.verifyCode)}`),
        ].join('\n'),
        attachments,
        recorded: asRecorded(mail),
      });
      const mailedAt = clock.now();
      await db.transaction(async (tx) => {
        await tx
          .update(documents)
          .set({ status: 'mailed', mailedAt })
          .where(and(eq(documents.mailId, mail.id), eq(documents.status, 'issued')));
        await markMailSent(tx, mail.id, clock.realNow());
        await audit.record(tx, {
          actor: null,
          action: 'document.mail',
          target: `organization:${first.organizationId}`,
          recruitmentId,
          details: { documents: rows.map(({ document }) => document.id), mailId: mail.id },
        });
      });
      mailed += rows.length;
    }
    return mailed;
  }

  /**
   * Records the message each organisation's issued notices and agreements not yet tied to one go
   * out in (one per purpose and recipient: the same documents are never given a second message).
   */
  async function recordAwardMails(recruitmentId: string) {
    const unrecorded = await db
      .select({ id: documents.id, organizationId: organizations.id, email: organizations.email })
      .from(documents)
      .innerJoin(organizations, eq(organizations.id, documents.organizationId))
      .where(
        and(eq(documents.recruitmentId, recruitmentId), eq(documents.status, 'issued'), inArray(documents.kind, MAILED_KINDS), isNull(documents.mailId)),
      )
      .orderBy(asc(documents.issuedAt));
    for (const rows of groupBy(unrecorded, (row) => row.organizationId).values()) {
      const ids = rows.map((row) => row.id);
      await db.transaction(async (tx) => {
        const mail = await recordMail(tx, `documents:${[...ids].sort().join(',')}`, rows[0]!.email, clock.realNow());
        await tx
          .update(documents)
          .set({ mailId: mail.id })
          .where(and(inArray(documents.id, ids), isNull(documents.mailId)));
      });
    }
  }

  return { mailAwardDocuments };
}
