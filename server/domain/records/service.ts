import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organizations } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { recordsOf } from './records.ts';

// Reading the centre's record of an organisation: agents and inspectors (the routes' guard).

export type OrganizationRecordService = ReturnType<typeof createOrganizationRecordService>;

export function createOrganizationRecordService({ db, publicUrl }: { db: Db; publicUrl: string }) {
  async function listRecords(organizationId: string) {
    const [organization] = await db.select({ id: organizations.id, name: organizations.name, uscc: organizations.uscc }).from(organizations).where(eq(organizations.id, organizationId));
    if (!organization) throw new AppError('NOT_FOUND', '该单位不存在');
    return { organization, records: await recordsOf(db, [organizationId], publicUrl) };
  }

  return { listRecords };
}
