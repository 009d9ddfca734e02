import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBids, readBackupManifest, runCommand } from '../helpers/backup.ts';
import { withDatabase } from '../helpers/global-setup.ts';
import {
  api,
  bidFields,
  killAllServers,
  login,
  postBid,
  publishRecruitment,
  registerOrganization,
  seedKeyHolders,
  startServer,
  type Receipt,
  type StoredReceipt,
} from '../helpers/server-process.ts';

// Backup and restore of the embedded database (README, "Backup and restore"): refused while the
// server holds the storage, taken once it has stopped, restored into an empty storage and
// verified; a restore refuses a target in use, a damaged backup, and a manifest that does not
// match what it restores. With DATABASE_URL, the same backup moves onto PostgreSQL.

const root = mkdtempSync(path.join(tmpdir(), 'portal-backup-embedded-'));
const at = (name: string) => path.join(root, name);
const source = at('source');
const backup = at('backup');
const receipts: Receipt[] = [];
let recruitmentId: string;
let bidder: { email: string; password: string };

function pdf(size: number) {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  return { filename: `document-${size}.pdf`, size, content: [content] };
}

beforeAll(async () => {
  const server = await startServer({ STORAGE_DIR: source, PORTAL_TEST_CLOCK: '1' });
  recruitmentId = await publishRecruitment(server.url, await seedKeyHolders(server.url));
  const organization = await registerOrganization(server.url, source);
  bidder = organization;
  for (const files of [[pdf(200_000), pdf(50_000)], [pdf(120_000)]]) {
    const lot = receipts.length === 0 ? 'arts' : 'sports';
    const reply = await postBid(server.url, organization.token, recruitmentId, bidFields(lot), files).response;
    expect(reply.status, reply.body).toBe(201);
    receipts.push(JSON.parse(reply.body) as Receipt);
  }
  const refused = await runCommand('backup', backup, { STORAGE_DIR: source });
  expect(refused.code, refused.output).toBe(3);
  expect(refused.output).toContain(`正由另一个进程使用（PID ${server.pid}`);
  await server.stop();
  const taken = await runCommand('backup', backup, { STORAGE_DIR: source });
  expect(taken.code, taken.output).toBe(0);
  console.log(`embedded backup: ${Math.round(taken.ms)} ms\n${taken.output}`);
}, 180_000);

afterAll(() => {
  killAllServers();
  rmSync(root, { recursive: true, force: true });
});

describe('backup and restore of the embedded database', () => {
  it('restores into an empty storage, verified: receipts read back, the chain head is the manifest’s, every bid opens with its digest', async () => {
    const manifest = readBackupManifest(backup);
    expect(manifest.files.filter((file) => file.kind === 'bid')).toHaveLength(3);
    const restored = await runCommand('restore', backup, { STORAGE_DIR: at('restored') });
    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toContain(manifest.audit.head);
    console.log(`embedded restore: ${Math.round(restored.ms)} ms\n${restored.output}`);

    const server = await startServer({ STORAGE_DIR: at('restored'), PORTAL_TEST_CLOCK: '1' });
    const inspector = await login(server.url, { email: 'inspector@example.org', password: 'inspector-password-1' });
    const [head] = await api<{ hash: string }[]>(server.url, `/api/v1/audit?afterSeq=${manifest.audit.entries - 1}&limit=1`, { token: inspector });
    expect(head?.hash).toBe(manifest.audit.head);
    const token = await login(server.url, bidder);
    for (const receipt of receipts) {
      const stored = await api<StoredReceipt>(server.url, `/api/v1/bids/${receipt.bidId}`, { token });
      expect(stored).toMatchObject({ version: receipt.version, digest: receipt.digest, fileCount: receipt.files.length });
    }
    const record = await openBids(server.url, recruitmentId);
    expect(record.map((line) => [line.digest, line.digestVerified]).sort()).toEqual(receipts.map((receipt) => [receipt.digest, true]).sort());
    await server.stop();
  }, 180_000);

  it('refuses to restore into a database or storage that holds data', async () => {
    const again = await runCommand('restore', backup, { STORAGE_DIR: at('restored') });
    expect(again.code, again.output).toBe(3);
    expect(again.output).toContain('目标数据库不为空');
  }, 60_000);

  it('refuses a backup whose file differs from its manifest, restoring nothing', async () => {
    const damaged = at('damaged');
    cpSync(backup, damaged, { recursive: true });
    const file = readBackupManifest(damaged).files.find((entry) => entry.kind === 'bid')!;
    const content = readFileSync(path.join(damaged, file.path));
    content[content.length >> 1]! ^= 1;
    writeFileSync(path.join(damaged, file.path), content);
    const run = await runCommand('restore', damaged, { STORAGE_DIR: at('from-damaged') });
    expect(run.code, run.output).toBe(3);
    expect(run.output).toContain(`备份文件 ${file.path} 与 manifest.json 记载的 SHA-256 或大小不符`);
  }, 60_000);

  it('fails verification when the manifest’s chain head is not the restored log’s, and the server then refuses to start', async () => {
    const altered = at('altered');
    cpSync(backup, altered, { recursive: true });
    const manifest = readBackupManifest(altered);
    writeFileSync(path.join(altered, 'manifest.json'), JSON.stringify({ ...manifest, audit: { ...manifest.audit, head: 'f'.repeat(64) } }));
    const run = await runCommand('restore', altered, { STORAGE_DIR: at('from-altered') });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('恢复后的核验未通过');
    expect(run.output).toContain('与 manifest.json 记载的');
    await expect(startServer({ STORAGE_DIR: at('from-altered') })).rejects.toThrow(/恢复尚未通过核验/);
  }, 90_000);

  it('refuses a backup from which a bid was cut with its files and manifest entries: the audit log still names its receipt', async () => {
    const pruned = at('pruned');
    cpSync(backup, pruned, { recursive: true });
    const manifest = readBackupManifest(pruned);
    const victim = receipts[1]!;
    // whoever holds the backup removes one organisation's bid, and makes the manifest agree
    const rowsOf = (table: string) =>
      readFileSync(path.join(pruned, 'database', `${table}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line, JSON.parse(line) as Record<string, string>] as const);
    const versions = rowsOf('bid_versions').filter(([, row]) => row.bid_id === victim.bidId).map(([, row]) => row.id);
    const files = rowsOf('bid_files').filter(([, row]) => versions.includes(row.version_id!)).map(([, row]) => row.id);
    const keep: Record<string, (row: Record<string, string>) => boolean> = {
      bids: (row) => row.id !== victim.bidId,
      bid_versions: (row) => row.bid_id !== victim.bidId,
      bid_files: (row) => !files.includes(row.id!),
    };
    for (const [table, kept] of Object.entries(keep)) {
      const content = rowsOf(table).filter(([, row]) => kept(row)).map(([line]) => `${line}\n`).join('');
      writeFileSync(path.join(pruned, 'database', `${table}.jsonl`), content);
      const entry = manifest.tables.find((dumped) => dumped.table === table)!;
      Object.assign(entry, { rows: content.split('\n').filter(Boolean).length, size: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex') });
    }
    manifest.files = manifest.files.filter((file) => file.kind !== 'bid' || !files.includes(file.fileId));
    writeFileSync(path.join(pruned, 'manifest.json'), JSON.stringify(manifest));

    const run = await runCommand('restore', pruned, { STORAGE_DIR: at('from-pruned') });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('恢复后的核验未通过');
    expect(run.output).toContain(victim.bidId);
  }, 90_000);

  it.runIf(process.env.DATABASE_URL)('moves onto PostgreSQL: the embedded backup restores into an empty PostgreSQL database', async () => {
    const ownerUrl = inject('postgresOwnerUrl');
    const name = `portal_from_embedded_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ownerUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const env = { STORAGE_DIR: at('on-postgres'), DATABASE_URL: withDatabase(inject('postgresAppUrl'), name), DATABASE_OWNER_URL: withDatabase(ownerUrl, name) };
      const run = await runCommand('restore', backup, env);
      expect(run.code, run.output).toBe(0);
      const server = await startServer(env);
      const token = await login(server.url, bidder);
      const stored = await api<StoredReceipt>(server.url, `/api/v1/bids/${receipts[0]!.bidId}`, { token });
      expect(stored.digest).toBe(receipts[0]!.digest);
      await server.stop();
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});
