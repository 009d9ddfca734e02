import { desc, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { documents, organizationRecords, recruitments } from '../../db/schema.ts';
import { beijingDate } from '../../lib/datetime.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import type { EligibilityCondition } from '../recruitments/types.ts';
import { ORGANIZATION_RECORD_KIND_LABELS, type OrganizationRecordKind } from './types.ts';

// The centre's record of an organisation (issue 17): written inside the transaction of what it
// records (a termination), read by the panel of a later recruitment beside the eligibility
// condition on serious violations, and listed for agents and inspectors. Each entry points to
// the signed document it rests on through its public verification page, which anyone may open.

/** The eligibility condition the record is read beside: "no record of serious violations" (SPEC §1, the sixth). */
export const RECORD_CONDITION_KEY = 'record';

/** The key of the recruitment's condition on serious violations: 'record', or else the sixth condition, if any. */
export function recordConditionKey(eligibility: readonly EligibilityCondition[]): string | null {
  return eligibility.find((condition) => condition.key === RECORD_CONDITION_KEY)?.key ?? eligibility[5]?.key ?? null;
}

export interface NewOrganizationRecord {
  organizationId: string;
  kind: OrganizationRecordKind;
  partnershipId: string;
  recruitmentId: string;
  summary: string;
  recordedAt: Date;
  recordedBy: string;
  documentId: string | null;
}

export async function addOrganizationRecord(tx: Tx, record: NewOrganizationRecord): Promise<string> {
  const [row] = await tx.insert(organizationRecords).values(record).returning({ id: organizationRecords.id });
  return row!.id;
}

export interface OrganizationRecordView {
  id: string;
  organizationId: string;
  kind: OrganizationRecordKind;
  kindLabel: string;
  summary: string;
  recordedAt: Date;
  recruitmentId: string;
  recruitmentTitle: string;
  partnershipId: string;
  document: { verifyCode: string; verifyUrl: string } | null;
  /** as the panel reads it: 本中心记录：…（日期，终止合作） */
  line: string;
}

/** The records of the organisations given, newest first. */
export async function recordsOf(db: Db | Tx, organizationIds: readonly string[], publicUrl: string): Promise<OrganizationRecordView[]> {
  if (organizationIds.length === 0) return [];
  const rows = await db
    .select({ record: organizationRecords, recruitmentTitle: recruitments.title, verifyCode: documents.verifyCode })
    .from(organizationRecords)
    .innerJoin(recruitments, eq(recruitments.id, organizationRecords.recruitmentId))
    .leftJoin(documents, eq(documents.id, organizationRecords.documentId))
    .where(inArray(organizationRecords.organizationId, [...organizationIds]))
    .orderBy(desc(organizationRecords.recordedAt), desc(organizationRecords.id));
  return rows.map(({ record, recruitmentTitle, verifyCode }) => {
    const kindLabel = ORGANIZATION_RECORD_KIND_LABELS[record.kind];
    return {
      id: record.id,
      organizationId: record.organizationId,
      kind: record.kind,
      kindLabel,
      summary: record.summary,
      recordedAt: record.recordedAt,
      recruitmentId: record.recruitmentId,
      recruitmentTitle,
      partnershipId: record.partnershipId,
      document: verifyCode ? { verifyCode, verifyUrl: verifyUrl(publicUrl, verifyCode) } : null,
      line: `本中心记录：${record.summary}（${beijingDate(record.recordedAt)}，${kindLabel}）`,
    };
  });
}
