import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openBids, readBackupManifest, runCommand, type CommandRun } from '../helpers/backup.ts';
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

// A backup taken on PostgreSQL while bids keep arriving (README, "Backup and restore"): restored
// into a fresh database and storage, a server started on it reads back every receipt answered
// before the backup began, opens every bid the snapshot holds with the digest its bidder was
// given, and its log's head at the snapshot is the manifest's.

const ORGANIZATIONS = 8;
const LOTS = ['arts', 'sports'];
/** bound on each bidder's submissions, should the backup hang */
const MAX_ROUNDS = 60;
const root = mkdtempSync(path.join(tmpdir(), 'portal-backup-burst-'));
const admin = process.env.DATABASE_URL ? new pg.Client({ connectionString: inject('postgresOwnerUrl') }) : null;
const databases: string[] = [];

async function freshDatabase(storage: string) {
  const name = `portal_backup_${randomBytes(4).toString('hex')}`;
  await admin!.query(`create database ${name}`);
  databases.push(name);
  return {
    STORAGE_DIR: path.join(root, storage),
    DATABASE_URL: withDatabase(inject('postgresAppUrl'), name),
    DATABASE_OWNER_URL: withDatabase(inject('postgresOwnerUrl'), name),
    PORTAL_TEST_CLOCK: '1',
  };
}

function pdf(size: number) {
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  return { filename: `document-${size}.pdf`, size, content: [content] };
}

afterAll(async () => {
  killAllServers();
  for (const name of databases) await admin?.query(`drop database if exists ${name} with (force)`);
  await admin?.end();
  rmSync(root, { recursive: true, force: true });
});

describe.runIf(process.env.DATABASE_URL)('a backup taken during a burst of bids on PostgreSQL', () => {
  it('restores into a fresh database and storage: receipts read back, every bid opens with its digest, the chain head is the manifest’s', async () => {
    await admin!.connect();
    const source = await freshDatabase('source');
    const server = await startServer(source);
    const recruitmentId = await publishRecruitment(server.url, await seedKeyHolders(server.url));
    const bidders: Awaited<ReturnType<typeof registerOrganization>>[] = [];
    for (let i = 0; i < ORGANIZATIONS; i++) bidders.push(await registerOrganization(server.url, source.STORAGE_DIR));

    const receipts: { receipt: Receipt; bidder: string; answeredBeforeBackup: boolean }[] = [];
    let backup: Promise<CommandRun> | null = null;
    let backupEnded = false;
    const folder = path.join(root, 'backup');
    // every bidder keeps submitting (alternating lots, a new version each time) until the backup
    // has ended, which starts once a few receipts are in
    await Promise.all(
      bidders.map(async (bidder) => {
        for (let round = 0; round < MAX_ROUNDS && !(backupEnded && round >= 4); round++) {
          const reply = await postBid(server.url, bidder.token, recruitmentId, bidFields(LOTS[round % 2]!), [pdf(150_000), pdf(60_000)]).response;
          expect(reply.status, reply.body).toBe(201);
          receipts.push({ receipt: JSON.parse(reply.body) as Receipt, bidder: bidder.email, answeredBeforeBackup: backup === null });
          if (!backup && receipts.length >= ORGANIZATIONS) {
            backup = runCommand('backup', folder, source);
            void backup.then(() => (backupEnded = true));
          }
        }
      }),
    );
    const taken = await backup!;
    expect(taken.code, taken.output).toBe(0);
    const manifest = readBackupManifest(folder);
    const snapshotBytes = [...manifest.tables, ...manifest.files, ...manifest.secrets].reduce((sum, file) => sum + file.size, 0);
    await server.stop();

    const target = await freshDatabase('restored');
    const restored = await runCommand('restore', folder, target);
    expect(restored.code, restored.output).toBe(0);
    const before = receipts.filter((entry) => entry.answeredBeforeBackup);
    console.log(
      [
        `receipts: ${receipts.length} (${before.length} before the backup began), bids in the snapshot: ${manifest.files.filter((file) => file.kind === 'bid').length / 2} versions`,
        `backup: ${Math.round(taken.ms)} ms, ${(snapshotBytes / 1024 / 1024).toFixed(1)} MB, ${manifest.files.length} files`,
        `restore: ${Math.round(restored.ms)} ms`,
        taken.output,
        restored.output,
      ].join('\n'),
    );

    const revived = await startServer(target);
    const inspector = await login(revived.url, { email: 'inspector@example.org', password: 'inspector-password-1' });
    const [head] = await api<{ hash: string }[]>(revived.url, `/api/v1/audit?afterSeq=${manifest.audit.entries - 1}&limit=1`, { token: inspector });
    expect(head?.hash).toBe(manifest.audit.head);

    // every receipt answered before the backup began is in the snapshot; every bid version the
    // snapshot holds reads back with the digest its receipt gave (the latest of them in full)
    const tokens = new Map(await Promise.all(bidders.map(async (bidder) => [bidder.email, await login(revived.url, bidder)] as const)));
    const issued = new Map(receipts.map(({ receipt }) => [`${receipt.bidId}/${receipt.version}`, receipt.digest]));
    const current = new Map<string, StoredReceipt>();
    for (const { receipt, bidder } of receipts) {
      if (current.has(receipt.bidId)) continue;
      const reply = await fetch(`${revived.url}/api/v1/bids/${receipt.bidId}`, { headers: { authorization: `Bearer ${tokens.get(bidder)!}` } });
      if (reply.status === 404) continue;
      const found = (await reply.json()) as StoredReceipt;
      expect(found.digest).toBe(issued.get(`${receipt.bidId}/${found.version}`));
      current.set(receipt.bidId, found);
    }
    const inSnapshot = receipts.filter(({ receipt }) => receipt.version <= (current.get(receipt.bidId)?.version ?? 0));
    expect(before.filter((entry) => !inSnapshot.includes(entry))).toEqual([]);
    expect(inSnapshot).toHaveLength(manifest.files.filter((file) => file.kind === 'bid').length / 2);

    const record = await openBids(revived.url, recruitmentId);
    const issuedDigests = new Set(receipts.map(({ receipt }) => receipt.digest));
    expect(record.filter((line) => !line.digestVerified || !issuedDigests.has(line.digest))).toEqual([]);
    const opened = new Set(record.map((line) => line.bidId));
    expect(before.filter(({ receipt }) => !opened.has(receipt.bidId))).toEqual([]);
    console.log(`opened after restore: ${record.length} bids, each with the digest of a receipt; ${inSnapshot.length} receipts in the snapshot, ${before.length} of them answered before the backup began`);
    await revived.stop();
  }, 300_000);
});
