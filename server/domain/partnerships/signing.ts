import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { documents, organizations } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { DocumentAssets } from '../../lib/document-assets.ts';
import { sha256Hex } from '../../lib/hash.ts';
import { formatTime } from '../../lib/labels.ts';
import { ORGANISATION_SIGNATURE_RECT } from '../../lib/pdf/templates/agreement.ts';
import { openCountersigner, signatoryName, type CertificateSummary, type Countersigner } from '../../lib/signing.ts';
import type { Storage } from '../../lib/storage.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { PartnershipAccess } from './access.ts';
import type { Lapses } from './lapse.ts';
import { termEnd } from './rules.ts';
import { checkPartnershipTransition } from './state.ts';
import { applyPartnershipTransition } from './transition.ts';
import { PARTNERSHIP_STATUS_LABELS } from './types.ts';

// The organisation's signature (issue 17). The centre signs first, when it issues the agreement
// the organisation accepted; the organisation then signs that very file with its own PKCS#12
// (its certificate from a CA), brought for this moment only: opened in memory, used, dropped —
// never stored, never logged. The signature is added as an incremental update, so the centre's
// stays valid, and the organisation's covers the whole file, the centre's signature included.
// The term starts at this signature.

export interface SigningUpload {
  p12: Buffer;
  password: string;
}

/** The certificate must name the organisation: its USCC, or its exact name as CN or O. */
export function certificateNamesOrganization(certificate: CertificateSummary, organization: { name: string; uscc: string }): boolean {
  const values = certificate.subject.split(', ').map((part) => part.slice(part.indexOf('=') + 1));
  return values.includes(organization.name) || certificate.subject.includes(organization.uscc);
}

export function createAgreementSigning({
  db,
  clock,
  audit,
  storage,
  assets,
  publicUrl,
  access,
  lapses,
}: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  storage: Pick<Storage, 'readDocument' | 'saveDocument'>;
  assets: () => Promise<DocumentAssets>;
  publicUrl: string;
  access: PartnershipAccess;
  lapses: Pick<Lapses, 'lapseOverdue'>;
}) {
  function open(upload: SigningUpload): Countersigner {
    try {
      return openCountersigner(upload.p12, upload.password);
    } catch {
      throw new AppError('P12_UNREADABLE', '无法读取数字证书文件：请检查文件（PKCS#12，.p12/.pfx）和证书密码', 'p12');
    }
  }

  async function signAgreement(id: string, upload: SigningUpload, user: SignedInUser, origin: RequestOrigin) {
    await lapses.lapseOverdue({ partnershipId: id });
    const partnership = await access.load(id);
    await access.requireOrganization(partnership, user);
    if (partnership.status === 'lapsed') throw new AppError('AWARD_LAPSED', '未在入选通知书规定的期限内签订合作协议，入选资格已失效');
    const check = checkPartnershipTransition(partnership.status, 'sign', user.role);
    if (!check.ok) throw new AppError('INVALID_TRANSITION', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”，不能签署`);
    if (partnership.acceptedVersion === null) throw new AppError('AGREEMENT_NOT_ACCEPTED', '请先确认协议文本，中心签发正式协议后方可签署');
    const agreement = await access.documentOf(partnership, 'agreement', partnership.bidId);
    if (!agreement) throw new Error(`accepted partnership ${id} has no agreement document`);
    const [organization] = await db.select().from(organizations).where(eq(organizations.id, partnership.organizationId));
    if (!organization) throw new Error(`no organisation ${partnership.organizationId}`);

    const countersigner = open(upload);
    const certificate = countersigner.certificate;
    if (!certificateNamesOrganization(certificate, organization)) {
      throw new AppError('CERTIFICATE_NOT_OF_ORGANIZATION', `数字证书的主体（${certificate.subject}）不是${organization.name}：证书须载明本单位名称或统一社会信用代码`, 'p12');
    }
    const signedAt = clock.now();
    if (signedAt < certificate.notBefore || signedAt > certificate.notAfter) {
      throw new AppError('CERTIFICATE_NOT_VALID', '数字证书不在有效期内', 'p12');
    }
    const signed = await countersigner.countersign(
      await storage.readDocument(agreement.storageName),
      { signingTime: signedAt, reason: '合作协议签署（乙方）', location: organization.address, name: organization.name, contactInfo: publicUrl },
      {
        rect: ORGANISATION_SIGNATURE_RECT,
        lines: [
          `乙方电子签名：${organization.name}`,
          `统一社会信用代码：${organization.uscc}`,
          `签名证书：${signatoryName(certificate.subject)}（颁发者：${signatoryName(certificate.issuer)}）`,
          `证书指纹（SHA-256）：${certificate.fingerprint.slice(0, 32)}…`,
          `签署时间：${formatTime(signedAt)}`,
        ],
        font: (await assets()).fonts.regular,
      },
    );
    const storageName = await storage.saveDocument(partnership.recruitmentId, randomUUID(), signed);
    const sha256 = sha256Hex(signed);
    const endsAt = termEnd(signedAt, partnership.termMonths);
    await db.transaction(async (tx) => {
      await applyPartnershipTransition(tx, audit, partnership, 'sign', user, origin, {
        set: { signedAt, endsAt },
        details: {
          documentId: agreement.id,
          version: partnership.acceptedVersion,
          termMonths: partnership.termMonths,
          endsAt: endsAt.toISOString(),
          certificateSubject: certificate.subject,
          certificateIssuer: certificate.issuer,
          certificateFingerprint: certificate.fingerprint,
          centreSha256: agreement.sha256,
          sha256,
        },
      });
      // the document now is the file with both signatures; the centre's alone stays as evidence
      const [updated] = await tx
        .update(documents)
        .set({ sha256, size: signed.length, storageName })
        .where(and(eq(documents.id, agreement.id), eq(documents.sha256, agreement.sha256)))
        .returning({ id: documents.id });
      if (!updated) throw new AppError('INVALID_TRANSITION', '协议文件已被他人更改，请刷新后重试');
    });
    return { partnershipId: id, status: 'signed' as const, signedAt, endsAt, termMonths: partnership.termMonths, agreement: { id: agreement.id, sha256, url: `/api/v1/documents/${agreement.id}` } };
  }

  return { signAgreement };
}
