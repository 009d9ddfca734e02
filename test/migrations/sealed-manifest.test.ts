import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../server/db/client.ts';

// The migration that seals bid file names applied to a database that already holds bids: the
// names of opened bids move to opening_files; a bid not opened yet stops it, since its manifest
// would need the data key only the key holders can open.

const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
const tags = journal.entries.map((entry) => entry.tag);
const target = tags.findIndex((tag) => tag.endsWith('_sealed_manifest'));

const statements = (tag: string) => readFileSync(path.join(MIGRATIONS_DIR, `${tag}.sql`), 'utf8').split('--> statement-breakpoint');

/** a dump of an empty database migrated up to the migration under test, made once */
let before: Blob | File;

beforeAll(async () => {
  const db = new PGlite();
  for (const tag of tags.slice(0, target)) {
    for (const statement of statements(tag)) await db.exec(statement);
  }
  before = await db.dumpDataDir('none');
  await db.close();
});

const databaseBefore = () => PGlite.create({ loadDataDir: before });

const migrate = async (db: PGlite) => {
  await db.transaction(async (tx) => {
    for (const statement of statements(tags[target]!)) await tx.exec(statement);
  });
};

const ID = {
  agent: '10000000-0000-4000-8000-000000000001',
  bidderUser: '10000000-0000-4000-8000-000000000002',
  organization: '20000000-0000-4000-8000-000000000001',
  recruitment: '30000000-0000-4000-8000-000000000001',
  bid: '40000000-0000-4000-8000-000000000001',
  version: '50000000-0000-4000-8000-000000000001',
  file: '60000000-0000-4000-8000-000000000001',
};

/** one organisation's bid with one file named `报价单-总价98万元.pdf`, in a recruitment of `status` */
async function withBid(db: PGlite, status: string) {
  await db.exec(`
    insert into users (id, email, name, role, password_hash) values
      ('${ID.agent}', 'agent@example.org', '经办人', 'agent', 'x'),
      ('${ID.bidderUser}', 'org@example.org', '某协会', 'bidder', 'x');
    insert into organizations (id, user_id, name, uscc, type, legal_representative, contact_name, phone, email, address)
      values ('${ID.organization}', '${ID.bidderUser}', '某协会', '91330000000000000X', '社会组织', '张三', '李四', '1', 'org@example.org', '杭州');
    insert into recruitments (id, agent_id, status, title, summary, body, owner, min_public_benefit_ratio, agreement_term_months,
      questions_deadline, submission_deadline, publicity_days)
      values ('${ID.recruitment}', '${ID.agent}', '${status}', 't', 's', 'b', 'o', 20, 12, now(), now(), 5);
    insert into bids (id, recruitment_id, organization_id, lot_key, status, current_version, updated_at)
      values ('${ID.bid}', '${ID.recruitment}', '${ID.organization}', 'arts', 'submitted', 1, now());
    insert into bid_versions (id, bid_id, version, received_at, sealed_data_key, sealed_fields, digest, bid_key_fingerprint, uploader_id, ip)
      values ('${ID.version}', '${ID.bid}', 1, now(), '{}', '{}', '${'d'.repeat(64)}', '${'f'.repeat(64)}', '${ID.bidderUser}', '127.0.0.1');
    insert into bid_files (id, version_id, position, name, size, sha256, iv, tag)
      values ('${ID.file}', '${ID.version}', 0, '报价单-总价98万元.pdf', 980000, '${'e'.repeat(64)}', 'iv', 'tag');
  `);
}

async function open(db: PGlite) {
  await db.exec(`
    insert into openings (recruitment_id, started_at, started_by, opened_at) values ('${ID.recruitment}', now(), '${ID.agent}', now());
    insert into opening_records (recruitment_id, bid_id, version_id, position, organization_id, organization_name, lot_key, submitted_at, digest, digest_verified)
      values ('${ID.recruitment}', '${ID.bid}', '${ID.version}', 0, '${ID.organization}', '某协会', 'arts', now(), '${'d'.repeat(64)}', true);
  `);
}

describe('the migration sealing bid file names, on a database with bids', () => {
  it('exists in the journal', () => {
    expect(target).toBeGreaterThan(0);
  });

  it('moves an opened bid\'s file names, sizes and hashes to opening_files and drops them from bid_files', async () => {
    const db = await databaseBefore();
    await withBid(db, 'evaluation');
    await open(db);
    await migrate(db);
    const opened = await db.query(`select file_id, version_id, recruitment_id, position, name, size, sha256 from opening_files`);
    expect(opened.rows).toEqual([
      { file_id: ID.file, version_id: ID.version, recruitment_id: ID.recruitment, position: 0, name: '报价单-总价98万元.pdf', size: 980000, sha256: 'e'.repeat(64) },
    ]);
    const columns = await db.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'bid_files'`);
    expect(columns.rows.map((row) => row.column_name).sort()).toEqual(['id', 'iv', 'position', 'tag', 'version_id']);
    await db.close();
  });

  it('refuses to run while a bid is not opened yet, leaving the database as it was', async () => {
    const db = await databaseBefore();
    await withBid(db, 'published');
    await expect(migrate(db)).rejects.toThrow(/not opened yet/);
    const files = await db.query(`select name from bid_files`);
    expect(files.rows).toEqual([{ name: '报价单-总价98万元.pdf' }]);
    await db.close();
  });

  it('drops the names of a cancelled recruitment\'s bids, which are never opened', async () => {
    const db = await databaseBefore();
    await withBid(db, 'cancelled');
    await migrate(db);
    expect((await db.query(`select * from opening_files`)).rows).toEqual([]);
    expect((await db.query(`select id from bid_files`)).rows).toEqual([{ id: ID.file }]);
    await db.close();
  });
});
