import { randomBytes, randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../db/client.ts';
import { documents } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { DocumentAssets } from '../../lib/document-assets.ts';
import { sha256Hex } from '../../lib/hash.ts';
import type { DocumentKind } from '../../lib/pdf/templates/template.ts';
import type { Signer } from '../../lib/signing.ts';
import type { Storage } from '../../lib/storage.ts';
import { formatVerificationCode, VERIFICATION_CODE_BYTES } from '../../lib/verification-code.ts';
import type { AuditActor, AuditService } from '../audit/service.ts';
import { SIGNING_REASONS, type DocumentDraft } from './inputs.ts';

// Issuing one signed document: render → sign → store, then one row and its audit entry in one
// transaction — the caller's, when the document is part of a state change (the announcement is
// issued inside the publication), or a transaction of its own.

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentIssuer = ReturnType<typeof createDocumentIssuer>;

export interface DocumentSubject {
  /** null for an audit checkpoint */
  recruitmentId: string | null;
  kind: DocumentKind;
  subject: string;
  bidId?: string;
  organizationId?: string;
  /** the signatory shown by readers: the recruiting centre */
  owner: string;
  /** the audit chain head the document prints, with its seq (verification checks it) */
  chain?: { seq: number | null; head: string };
  /** who asked for it, for its audit entry; absent when the portal issues it on its own */
  issuedFor?: IssuedFor;
}

export interface IssuedFor {
  actor: AuditActor;
  ip: string;
}

export function createDocumentIssuer({
  db,
  storage,
  clock,
  audit,
  signer,
  assets,
  publicUrl,
}: {
  db: Db;
  storage: Pick<Storage, 'saveDocument'>;
  clock: Clock;
  audit: AuditService;
  signer: Signer;
  /** read on the first document, not before (lib/document-assets.ts) */
  assets: () => Promise<DocumentAssets>;
  publicUrl: string;
}) {
  /** Renders, signs and stores; the returned row is not recorded yet. */
  async function produce(draft: DocumentDraft, subject: DocumentSubject): Promise<DocumentRow> {
    const id = randomUUID();
    const issuedAt = clock.now();
    const verifyCode = formatVerificationCode(randomBytes(VERIFICATION_CODE_BYTES));
    const request = draft({ verifyCode, issuedAt });
    // the PDF layer (pdf-lib, fontkit, qrcode) is loaded with the first document, not at start
    const { renderDocument } = await import('../../lib/pdf/documents.ts');
    const rendered = await renderDocument(request, { ...(await assets()), publicUrl });
    const signed = await signer.sign(rendered.pdf, {
      signingTime: issuedAt,
      reason: SIGNING_REASONS[subject.kind],
      location: subject.owner,
      name: subject.owner,
      contactInfo: publicUrl,
    });
    const storageName = await storage.saveDocument(subject.recruitmentId, id, signed);
    return {
      id,
      recruitmentId: subject.recruitmentId,
      kind: subject.kind,
      subject: subject.subject,
      bidId: subject.bidId ?? null,
      organizationId: subject.organizationId ?? null,
      verifyCode,
      sha256: sha256Hex(signed),
      size: signed.length,
      title: rendered.title,
      templateVersion: rendered.templateVersion,
      templateSha256: rendered.templateSha256,
      storageName,
      chainSeq: subject.chain?.seq ?? null,
      chainHead: subject.chain?.head ?? null,
      issuedAt,
      status: 'issued',
      mailedAt: null,
      mailId: null,
    };
  }

  /** Records a produced document; null when another process recorded the same one first. */
  async function record(tx: Tx, document: DocumentRow, issuedFor?: IssuedFor): Promise<DocumentRow | null> {
    const [row] = await tx
      .insert(documents)
      .values(document)
      // one per (recruitment, kind, subject); a checkpoint's subject is unique on its own
      .onConflictDoNothing()
      .returning();
    if (!row) return null;
    await audit.record(tx, {
      actor: issuedFor?.actor ?? null,
      ...(issuedFor ? { ip: issuedFor.ip } : {}),
      action: 'document.issue',
      target: `document:${row.id}`,
      recruitmentId: row.recruitmentId,
      details: {
        kind: row.kind,
        bidId: row.bidId,
        sha256: row.sha256,
        verifyCode: row.verifyCode,
        templateVersion: row.templateVersion,
        ...(row.chainHead ? { chainSeq: row.chainSeq, chainHead: row.chainHead } : {}),
      },
    });
    return row;
  }

  /** Render → sign → store → record. Returns null when another process issued it first. */
  async function issueDocument(draft: DocumentDraft, subject: DocumentSubject): Promise<DocumentRow | null> {
    const document = await produce(draft, subject);
    return db.transaction((tx) => record(tx, document, subject.issuedFor));
  }

  return { produce, record, issueDocument };
}
