import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { agreementChangeRequests, agreementVersions, documents, lots, organizations, partnershipReviews, partnerships, recruitments } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import type { SignedInUser } from '../accounts/service.ts';
import type { OcdsPartnership } from '../recruitments/ocds.ts';
import { versionSubject, type Partnership, type PartnershipAccess } from './access.ts';
import type { Lapses } from './lapse.ts';
import { failedRectification } from './rules.ts';
import { allowedPartnershipActions } from './state.ts';
import { PARTNERSHIP_STATUS_LABELS } from './types.ts';

// What the organisation, the agent and the inspector see of partnerships: status, deadline,
// term and its end, every version of the draft with its PDF, the requests for changes with
// their answers, the agreement, and what the viewer may do next. Overdue awards lapse first.

type DocumentRow = typeof documents.$inferSelect;

export function createPartnershipViews({
  db,
  publicUrl,
  access,
  lapses,
}: {
  db: Db;
  publicUrl: string;
  access: PartnershipAccess;
  lapses: Pick<Lapses, 'lapseOverdue'>;
}) {
  const documentSummary = (row: DocumentRow | undefined) =>
    row ? { id: row.id, title: row.title, sha256: row.sha256, verifyCode: row.verifyCode, url: `/api/v1/documents/${row.id}`, verifyUrl: verifyUrl(publicUrl, row.verifyCode) } : null;

  async function describe(rows: Partnership[], viewer: SignedInUser) {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const recruitmentIds = [...new Set(rows.map((row) => row.recruitmentId))];
    const [versions, requests, docs, orgs, lotRows, titles, reviews] = await Promise.all([
      db.select().from(agreementVersions).where(inArray(agreementVersions.partnershipId, ids)).orderBy(asc(agreementVersions.number)),
      db.select().from(agreementChangeRequests).where(inArray(agreementChangeRequests.partnershipId, ids)).orderBy(asc(agreementChangeRequests.requestedAt)),
      db.select().from(documents).where(inArray(documents.recruitmentId, recruitmentIds)),
      db.select({ id: organizations.id, name: organizations.name, uscc: organizations.uscc }).from(organizations).where(inArray(organizations.id, rows.map((row) => row.organizationId))),
      db.select({ recruitmentId: lots.recruitmentId, key: lots.key, name: lots.name }).from(lots).where(inArray(lots.recruitmentId, recruitmentIds)),
      db.select({ id: recruitments.id, title: recruitments.title }).from(recruitments).where(inArray(recruitments.id, recruitmentIds)),
      db
        .select({ partnershipId: partnershipReviews.partnershipId, kind: partnershipReviews.kind, result: partnershipReviews.result, completedAt: partnershipReviews.completedAt })
        .from(partnershipReviews)
        .where(inArray(partnershipReviews.partnershipId, ids)),
    ]);
    const documentOf = (partnership: Partnership, kind: DocumentRow['kind'], subject: string) =>
      docs.find((doc) => doc.recruitmentId === partnership.recruitmentId && doc.kind === kind && doc.subject === subject);
    const organizationId = viewer.role === 'bidder' ? await access.organizationIdOf(viewer) : null;
    return rows.map((row) => {
      const own = row.organizationId === organizationId;
      const open = requests.find((request) => request.partnershipId === row.id && request.answeredAt === null) ?? null;
      const rowVersions = versions.filter((version) => version.partnershipId === row.id);
      const current = rowVersions.at(-1)!;
      const currentDocument = documentOf(row, 'draft_agreement', versionSubject(row.bidId, current.number));
      const underReview = row.status === 'awarded' && row.acceptedVersion === null;
      const actions = allowedPartnershipActions(row.status, viewer.role);
      return {
        id: row.id,
        recruitmentId: row.recruitmentId,
        recruitmentTitle: titles.find((each) => each.id === row.recruitmentId)?.title ?? '',
        organization: orgs.find((org) => org.id === row.organizationId) ?? null,
        bidId: row.bidId,
        lot: row.lotKey,
        lotName: lotRows.find((lot) => lot.recruitmentId === row.recruitmentId && lot.key === row.lotKey)?.name ?? row.lotKey,
        status: row.status,
        statusLabel: PARTNERSHIP_STATUS_LABELS[row.status],
        signBy: row.signBy,
        termMonths: row.termMonths,
        acceptedVersion: row.acceptedVersion,
        acceptedAt: row.acceptedAt,
        signedAt: row.signedAt,
        endsAt: row.endsAt,
        lapsedAt: row.lapsedAt,
        terminatedAt: row.terminatedAt,
        currentVersion: current.number,
        versions: rowVersions.map((version) => ({
          number: version.number,
          termMonths: version.termMonths,
          revision: version.revision,
          issuedAt: version.issuedAt,
          document: documentSummary(documentOf(row, 'draft_agreement', versionSubject(row.bidId, version.number))),
        })),
        changeRequests: requests
          .filter((request) => request.partnershipId === row.id)
          .map((request) => ({
            id: request.id,
            versionNumber: request.versionNumber,
            text: request.text,
            requestedAt: request.requestedAt,
            answer: request.answer,
            answerText: request.answerText,
            answeredAt: request.answeredAt,
          })),
        agreement: documentSummary(documentOf(row, 'agreement', row.bidId)),
        terminationNotice: documentSummary(documentOf(row, 'termination_notice', row.bidId)),
        can: {
          accept: own && underReview && open === null && currentDocument !== undefined,
          requestChanges: own && underReview && open === null,
          sign: own && actions.includes('sign') && row.acceptedVersion !== null,
          answer: viewer.role === 'agent' && underReview && open !== null ? open.id : null,
          activate: actions.includes('activate'),
          terminate: actions.includes('terminate') && failedRectification(reviews.filter((review) => review.partnershipId === row.id)) !== null,
        },
      };
    });
  }

  /** One partnership, for its organisation, the recruitment's agent or an inspector (404 for anyone else). */
  async function getPartnership(id: string, viewer: SignedInUser) {
    await lapses.lapseOverdue({ partnershipId: id });
    const row = await access.load(id);
    if (!(await access.canSee(row, viewer))) throw new AppError('NOT_FOUND', '合作关系不存在');
    const [view] = await describe([row], viewer);
    return view!;
  }

  /** A recruitment's partnerships: all for its agent and the inspectors, its own for an organisation. */
  async function listPartnerships(recruitmentId: string, viewer: SignedInUser) {
    await lapses.lapseOverdue({ recruitmentId });
    const rows = await db.select().from(partnerships).where(eq(partnerships.recruitmentId, recruitmentId)).orderBy(asc(partnerships.lotKey), asc(partnerships.createdAt));
    const visible: Partnership[] = [];
    for (const row of rows) if (await access.canSee(row, viewer)) visible.push(row);
    return describe(visible, viewer);
  }

  /** The organisation's own partnerships, across recruitments. */
  async function ownPartnerships(viewer: SignedInUser) {
    const organizationId = await access.organizationIdOf(viewer);
    if (!organizationId) return [];
    const owned = await db.select({ id: partnerships.id }).from(partnerships).where(eq(partnerships.organizationId, organizationId));
    for (const { id } of owned) await lapses.lapseOverdue({ partnershipId: id });
    const rows = await db.select().from(partnerships).where(eq(partnerships.organizationId, organizationId)).orderBy(asc(partnerships.createdAt));
    return describe(rows, viewer);
  }

  /** What open data tells of a recruitment's partnerships (OCDS contracts): state, term, reviews and termination notice, never who signed. */
  async function openDataContracts(recruitmentId: string): Promise<OcdsPartnership[]> {
    await lapses.lapseOverdue({ recruitmentId });
    const [rows, reviews, notices] = await Promise.all([
      db.select().from(partnerships).where(eq(partnerships.recruitmentId, recruitmentId)),
      db
        .select({ review: partnershipReviews })
        .from(partnershipReviews)
        .innerJoin(partnerships, eq(partnerships.id, partnershipReviews.partnershipId))
        .where(eq(partnerships.recruitmentId, recruitmentId))
        .orderBy(asc(partnershipReviews.dueAt)),
      db
        .select({ bidId: documents.bidId, verifyCode: documents.verifyCode, issuedAt: documents.issuedAt })
        .from(documents)
        .where(and(eq(documents.recruitmentId, recruitmentId), eq(documents.kind, 'termination_notice'))),
    ]);
    return rows.map((row) => {
      const notice = notices.find((each) => each.bidId === row.bidId);
      return {
        bidId: row.bidId,
        status: row.status,
        signedAt: row.signedAt,
        endsAt: row.endsAt,
        lapsedAt: row.lapsedAt,
        terminatedAt: row.terminatedAt,
        reviews: reviews
          .filter(({ review }) => review.partnershipId === row.id)
          .map(({ review }) => ({ id: review.id, kind: review.kind, scheduledAt: review.scheduledAt, dueAt: review.dueAt, result: review.result, completedAt: review.completedAt })),
        terminationNotice: notice ? { verifyCode: notice.verifyCode, issuedAt: notice.issuedAt } : null,
      };
    });
  }

  return { getPartnership, listPartnerships, ownPartnerships, openDataContracts };
}
