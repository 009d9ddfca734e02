import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEFTOVER_AFTER_MS } from '../../server/domain/bids/service.ts';
import { SIGNING_REASONS } from '../../server/domain/documents/inputs.ts';
import type { Signer } from '../../server/lib/signing.ts';
import { createStaff, createTestApp, testSigner, type TestApp } from '../helpers/app.ts';
import { createInEvaluation } from '../helpers/evaluation.ts';
import { outbox } from '../helpers/mail.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast } from '../helpers/recruitments.ts';

// Several server processes on one database and one storage (issue 13): each document is issued
// once (one file, one row), work a dead instance left is picked up by another one's sweep, files
// of documents never recorded are removed once old enough, and a mail is not sent twice.

/** the first instance's signing device, down for everything but the announcement when asked */
let firstDown = false;
const firstSigner: Signer = {
  certificate: testSigner().certificate,
  sign: (pdf, details) =>
    firstDown && details.reason !== SIGNING_REASONS.announcement ? Promise.reject(new Error('signing device unavailable')) : testSigner().sign(pdf, details),
};

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await createTestApp({}, { signer: firstSigner });
  b = await createTestApp({}, { sharing: a });
}, 60_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const files = (recruitmentId: string) => readdirSync(path.join(a.storageDir, 'documents', recruitmentId)).sort();
const rows = async (recruitmentId: string) =>
  (await a.rawRows(`select storage_name, kind from documents where recruitment_id = '${recruitmentId}' order by storage_name`)).map(
    (row) => row.storage_name as string,
  );

/** a recruitment signed off on the first instance, whose documents that instance could not produce */
async function signedOffWithoutRecord(): Promise<string> {
  firstDown = true;
  try {
    const { id } = await createInEvaluation(a, await createCast(a), { arts: [20, 30, 40], sports: [25, 35, 45] });
    await a.app.services.documents.idle();
    return id;
  } finally {
    firstDown = false;
  }
}

describe('two instances issuing the same recruitment’s documents at once', () => {
  it('store exactly one file per document', async () => {
    const id = await signedOffWithoutRecord();
    expect(await rows(id)).toHaveLength(1);
    const outcomes = await Promise.all([a.app.services.documents.issueMissingDocuments(id), b.app.services.documents.issueMissingDocuments(id)]);
    expect(outcomes.map((outcome) => outcome.issued.length).sort()).toEqual([0, 1]);
    const recorded = await rows(id);
    expect(recorded).toHaveLength(2);
    expect(files(id).map((file) => `documents/${id}/${file}`)).toEqual(recorded);
  }, 60_000);
});

describe('work a dead instance left', () => {
  it('is issued by another instance’s periodic sweep, without a restart', async () => {
    const id = await signedOffWithoutRecord();
    const errors: unknown[] = [];
    const stop = b.app.services.documents.startSweep(200, (error) => errors.push(error));
    try {
      await expect.poll(() => rows(id), { timeout: 20_000, interval: 200 }).toHaveLength(2);
    } finally {
      stop();
    }
    await b.app.services.documents.idle();
    expect(files(id)).toHaveLength(2);
    expect(errors).toEqual([]);
  }, 60_000);

  it('is taken over once the dead holder’s claim has run out, never while it holds', async () => {
    const id = await signedOffWithoutRecord();
    await a.rawSql(`insert into document_claims (recruitment_id, holder, until) values ('${id}', '${randomUUID()}', now() + interval '1 minute')`);
    expect((await b.app.services.documents.issueMissingDocuments(id)).issued).toEqual([]);
    expect(await rows(id)).toHaveLength(1);
    await a.rawSql(`update document_claims set until = now() - interval '1 second' where recruitment_id = '${id}'`);
    expect((await b.app.services.documents.issueMissingDocuments(id)).issued.map((row) => row.kind)).toEqual(['opening_record']);
    expect(await a.rawRows(`select 1 from document_claims where recruitment_id = '${id}'`)).toEqual([]);
  }, 60_000);
});

describe('signed files no document row refers to (a crash between writing and recording)', () => {
  it('are removed by the clean-up once older than LEFTOVER_AFTER_MS; recent ones, recorded ones, ones whose issue the log records and checkpoint files are kept', async () => {
    const id = await signedOffWithoutRecord();
    const [recorded] = await rows(id);
    const old = path.join(a.storageDir, 'documents', id, `${randomUUID()}.pdf`);
    const recent = path.join(a.storageDir, 'documents', id, `${randomUUID()}.pdf`);
    const oldCheckpoint = path.join(a.storageDir, 'checkpoints', `${randomUUID()}.pdf`);
    mkdirSync(path.dirname(oldCheckpoint), { recursive: true });
    for (const file of [old, recent, oldCheckpoint]) {
      writeFileSync(file, '%PDF-1.7 orphan', { flag: 'wx' });
    }
    const longAgo = new Date(Date.now() - LEFTOVER_AFTER_MS - 60_000);
    utimesSync(old, longAgo, longAgo);
    utimesSync(oldCheckpoint, longAgo, longAgo);
    utimesSync(path.join(a.storageDir, recorded!), longAgo, longAgo);

    // a document whose row was deleted behind the portal's back is no orphan: the log records its issue
    const deleted = path.join(a.storageDir, 'documents', id, `${randomUUID()}.pdf`);
    writeFileSync(deleted, '%PDF-1.7 issued, row deleted', { flag: 'wx' });
    utimesSync(deleted, longAgo, longAgo);
    await a.rawSql(
      `insert into audit_log (seq, at, action, target, details, prev_hash, hash) select max(seq) + 1, now(), 'document.issue', 'document:${path.basename(deleted, '.pdf')}', '{}', '', '' from audit_log`,
    );

    expect(await b.app.services.documents.cleanUpOrphans(LEFTOVER_AFTER_MS)).toBe(1);
    expect(files(id)).toEqual([path.basename(recorded!), path.basename(recent), path.basename(deleted)].sort());
    // an anchor of the audit verification, which trusts the file over the database
    expect(readdirSync(path.join(a.storageDir, 'checkpoints'))).toContain(path.basename(oldCheckpoint));
  }, 60_000);
});

describe('a mail delivered, then a crash before it is marked sent', () => {
  let crashAfterDelivery = true;
  let c: TestApp;
  beforeAll(async () => {
    c = await createTestApp(
      {},
      {
        mailer: (mailer) => ({
          ...mailer,
          deliver: async (message) => {
            await mailer.deliver(message);
            if (crashAfterDelivery) throw new Error('crash after the delivery, before marking it');
          },
        }),
      },
    );
  }, 60_000);
  afterAll(() => c?.close());

  it('is not sent a second time: one outbox file per organisation, under the Message-ID recorded before sending', async () => {
    const cast = await createCast(c);
    const { id, bidders } = await createAwarded(c, cast, { arts: [20, 30, 40], sports: [25, 35, 45] });
    await c.app.services.documents.idle();
    const outboxDir = path.join(c.storageDir, 'outbox');
    const awardMails = async () =>
      (await Promise.all(readdirSync(outboxDir).map((file) => simpleParser(readFileSync(path.join(outboxDir, file)))))).filter((mail) =>
        /^【(未)?入选通知】/.test(mail.subject ?? ''),
      );
    // the run stopped at its first message, as a crash would: sent, not marked
    expect(await awardMails()).toHaveLength(1);
    expect(await c.rawRows(`select 1 from documents where recruitment_id = '${id}' and status = 'mailed'`)).toEqual([]);

    crashAfterDelivery = false;
    const { mailed } = await c.app.services.documents.issueMissingDocuments(id);
    expect(mailed).toBe(await c.rawRows(`select 1 from documents where recruitment_id = '${id}' and kind <> 'announcement' and bid_id is not null`).then((r) => r.length));
    expect(await awardMails()).toHaveLength(bidders.length);
    const recorded = await c.rawRows(`select id, recipient, sent_at from outgoing_mails where purpose like 'documents:%'`);
    expect(recorded.filter((mail) => bidders.some((bidder) => bidder.email === mail.recipient))).toHaveLength(bidders.length);
    expect(recorded.every((mail) => mail.sent_at !== null)).toBe(true);
    for (const mail of await awardMails()) {
      expect(recorded.map((row) => String(row.id))).toContain(/^<([0-9a-f-]{36})@/.exec(mail.messageId ?? '')?.[1]);
    }
  }, 120_000);
});

describe('an audit checkpoint mailed to some inspectors, then a crash', () => {
  let crashes = 1;
  let d: TestApp;
  beforeAll(async () => {
    d = await createTestApp(
      {},
      {
        mailer: (mailer) => ({
          ...mailer,
          deliver: async (message) => {
            await mailer.deliver(message);
            if (crashes-- > 0) throw new Error('crash after the delivery, before marking it');
          },
        }),
      },
    );
  }, 60_000);
  afterAll(() => d?.close());

  it('mails each inspector once when the pending checkpoint is mailed again', async () => {
    const inspectors = [await createStaff(d, 'inspector'), await createStaff(d, 'inspector')];
    await expect(d.app.services.checkpoints.issueDailyCheckpoint()).rejects.toThrow('crash after the delivery');
    expect(await d.app.services.checkpoints.issueDailyCheckpoint()).toBeNull();
    const mails = (await outbox(d)).filter((mail) => mail.subject.startsWith('【操作日志检查点】'));
    expect(mails.map((mail) => mail.to).sort()).toEqual(inspectors.map((inspector) => inspector.email).sort());
    expect(await d.rawRows(`select status from documents where kind = 'audit_checkpoint'`)).toEqual([{ status: 'mailed' }]);
  }, 60_000);
});
