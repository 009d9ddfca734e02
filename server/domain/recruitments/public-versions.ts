import { and, eq, isNotNull, max } from 'drizzle-orm';
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
  const latest = freshReads(async (key) => {
    const concerned = key === LIST ? isNotNull(auditLog.recruitmentId) : eq(auditLog.recruitmentId, key);
    const [row] = await db
      .select({ seq: max(auditLog.seq) })
      .from(auditLog)
      .where(and(concerned, publicActionCondition(auditLog.action)));
    return String(row?.seq ?? 0);
  });
  return { ofRecruitment: (id) => latest(id), ofList: () => latest(LIST) };
}
