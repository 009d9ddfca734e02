import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { agreementChangeRequests, agreementVersions, documents, organizations, partnerships } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { SignedInUser } from '../accounts/service.ts';
import type { AwardService, OutcomeEntry } from '../awards/service.ts';
import type { DocumentRow } from '../documents/issuer.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import type { Recruitment } from '../recruitments/types.ts';

// Reading a partnership and deciding who may act on it: the selected organisation (its own
// bidder account), the recruitment's own agent, any inspector.

export type Partnership = typeof partnerships.$inferSelect;
export type AgreementVersion = typeof agreementVersions.$inferSelect;
export type ChangeRequest = typeof agreementChangeRequests.$inferSelect;

/** The documents row of version `number` of a bid's draft agreement: version 1 is the one issued with the award notice. */
export function versionSubject(bidId: string, number: number): string {
  return number === 1 ? bidId : `${bidId}:v${number}`;
}

const notFound = () => new AppError('NOT_FOUND', '合作关系不存在');

export function createPartnershipAccess({
  db,
  recruitments,
  awards,
}: {
  db: Db;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
  awards: Pick<AwardService, 'awardOutcome'>;
}) {
  async function load(id: string, executor: Db | Tx = db): Promise<Partnership> {
    const [row] = await executor.select().from(partnerships).where(eq(partnerships.id, id));
    if (!row) throw notFound();
    return row;
  }

  /** The row locked for the rest of `tx`: review steps on one partnership queue behind each other. */
  async function lock(tx: Tx, id: string): Promise<Partnership> {
    const [row] = await tx.select().from(partnerships).where(eq(partnerships.id, id)).for('update');
    if (!row) throw notFound();
    return row;
  }

  async function organizationIdOf(user: SignedInUser): Promise<string | null> {
    const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.userId, user.id));
    return row?.id ?? null;
  }

  /** Refuses anyone but the selected organisation's own account (403). */
  async function requireOrganization(partnership: Partnership, user: SignedInUser): Promise<void> {
    if (user.role !== 'bidder') throw new AppError('FORBIDDEN', '只有入选单位可以执行此操作');
    if ((await organizationIdOf(user)) !== partnership.organizationId) throw new AppError('FORBIDDEN', '只有该入选单位本身可以执行此操作');
  }

  /** Refuses anyone but the recruitment's own agent (403). */
  async function requireAgent(partnership: Partnership, user: SignedInUser): Promise<Recruitment> {
    const recruitment = await recruitments.getRecruitment(partnership.recruitmentId, user);
    if (user.role !== 'agent' || recruitment.agentId !== user.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以执行此操作');
    return recruitment;
  }

  /** Whether `viewer` may see the partnership: its organisation, the recruitment's agent, any inspector. */
  async function canSee(partnership: Partnership, viewer: SignedInUser): Promise<boolean> {
    switch (viewer.role) {
      case 'inspector':
        return true;
      case 'agent':
        return (await recruitments.getRecruitment(partnership.recruitmentId, viewer)).agentId === viewer.id;
      case 'bidder':
        return (await organizationIdOf(viewer)) === partnership.organizationId;
      default:
        return false;
    }
  }

  async function versionsOf(partnershipId: string, executor: Db | Tx = db): Promise<AgreementVersion[]> {
    return executor.select().from(agreementVersions).where(eq(agreementVersions.partnershipId, partnershipId)).orderBy(asc(agreementVersions.number));
  }

  async function currentVersion(partnershipId: string, executor: Db | Tx = db): Promise<AgreementVersion> {
    const [row] = await executor
      .select()
      .from(agreementVersions)
      .where(eq(agreementVersions.partnershipId, partnershipId))
      .orderBy(desc(agreementVersions.number))
      .limit(1);
    if (!row) throw new Error(`partnership ${partnershipId} has no agreement version`);
    return row;
  }

  async function openRequest(partnershipId: string, executor: Db | Tx = db): Promise<ChangeRequest | null> {
    const [row] = await executor
      .select()
      .from(agreementChangeRequests)
      .where(and(eq(agreementChangeRequests.partnershipId, partnershipId), isNull(agreementChangeRequests.answeredAt)));
    return row ?? null;
  }

  /** A document of the partnership's bid: a version of the draft, the agreement itself, its rating poster. */
  async function documentOf(partnership: Partnership, kind: 'draft_agreement' | 'agreement' | 'satisfaction_poster', subject: string): Promise<DocumentRow | null> {
    const [row] = await db
      .select()
      .from(documents)
      .where(and(eq(documents.recruitmentId, partnership.recruitmentId), eq(documents.kind, kind), eq(documents.subject, subject)));
    return row ?? null;
  }

  /** The award's entry (organisation, lot, declared share) the agreement's text is made from. */
  async function outcomeEntry(partnership: Partnership): Promise<OutcomeEntry> {
    const outcome = await awards.awardOutcome(partnership.recruitmentId);
    const entry = outcome.selected.find((each) => each.bidId === partnership.bidId);
    if (!entry) throw new Error(`no award entry for bid ${partnership.bidId}`);
    return entry;
  }

  return { load, lock, requireOrganization, requireAgent, canSee, organizationIdOf, versionsOf, currentVersion, openRequest, documentOf, outcomeEntry };
}

export type PartnershipAccess = ReturnType<typeof createPartnershipAccess>;
