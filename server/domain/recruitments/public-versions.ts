import { and, eq, isNotNull, max, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { auditLog, publicActionCondition } from '../../db/schema.ts';
import { freshReads } from '../../lib/fresh-reads.ts';

// What anonymous visitors are shown of the recruitments changes only with an event, and every
// event is in the audit log, in the same transaction as the change: the latest entry that concerns
// them is the version of what they see. One index probe, on the database every instance shares, so
// an amendment published through any instance is seen on every instance's next request. A crowd
// asking at once shares a read that began after each one asked (lib/fresh-reads.ts).

const LIST = 'list';

export interface PublicVersions {
  /** the version of one recruitment's public page and record */
  ofRecruitment(id: string): Promise<string>;
  /** the version of the public list: any recruitment's */
  ofList(): Promise<string>;
}

export function createPublicVersions({ db }: { db: Db }): PublicVersions {
  // asked on every anonymous request: prepared once, neither rebuilt by drizzle nor planned again
  // by the database each time
  const latestOfRecruitment = db
    .select({ seq: max(auditLog.seq) })
    .from(auditLog)
    .where(and(eq(auditLog.recruitmentId, sql.placeholder('id')), publicActionCondition(auditLog.action)))
    .prepare('public_version_of_recruitment');
  const latestOfList = db
    .select({ seq: max(auditLog.seq) })
    .from(auditLog)
    .where(and(isNotNull(auditLog.recruitmentId), publicActionCondition(auditLog.action)))
    .prepare('public_version_of_list');
  const latest = freshReads(async (key) => {
    const [row] = key === LIST ? await latestOfList.execute() : await latestOfRecruitment.execute({ id: key });
    return String(row?.seq ?? 0);
  });
  return { ofRecruitment: (id) => latest(id), ofList: () => latest(LIST) };
}
