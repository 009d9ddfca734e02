import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEFTOVER_AFTER_MS } from '../../server/domain/bids/service.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_DECLARED, pdfWith } from '../helpers/multipart.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { createCast, createPublished } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

// A bid of several files over a slow line: its first file is whole and durable long before the
// last one has arrived, and the bid is recorded only then. The periodic clean-up (of this or any
// other instance) took a file written more than LEFTOVER_AFTER_MS ago that no recorded bid names
// for a leftover — removing the first file of a bid still arriving, which was then recorded and
// given a receipt although it can never be opened.

let t: TestApp;
let recruitmentId: string;

beforeAll(async () => {
  t = await createTestApp();
  const cast = await createCast(t);
  recruitmentId = await createPublished(t, cast);
});
afterAll(() => t.close());

describe('a bid whose files arrive over longer than the clean-up waits', () => {
  it('keeps every file of a bid still arriving: the receipt it gets names files that are there', async () => {
    const organization = await registerOrganization(t, organizationInput());
    const [bidder] = await t.rawRows(`select id, name, email from users where email = '${organization.email}'`);
    const folder = path.join(t.storageDir, 'bids', recruitmentId);
    async function* parts() {
      for (const [name, value] of Object.entries({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED, summary: '方案' })) {
        yield { kind: 'field' as const, name, value };
      }
      yield { kind: 'file' as const, name: 'documents', filename: 'part-1.pdf', stream: Readable.from([pdfWith('one', 32 * 1024)]), truncated: () => false };
      // the first file is stored; the second takes 16 minutes to arrive, while a clean-up runs
      const past = new Date(Date.now() - LEFTOVER_AFTER_MS - 60_000);
      for (const name of readdirSync(folder)) utimesSync(path.join(folder, name), past, past);
      await t.app.services.bids.cleanUpLeftovers(LEFTOVER_AFTER_MS);
      yield { kind: 'file' as const, name: 'documents', filename: 'part-2.pdf', stream: Readable.from([pdfWith('two', 32 * 1024)]), truncated: () => false };
    }
    const user = { id: bidder!.id as string, role: 'bidder' as const, name: bidder!.name as string, email: organization.email, sessionId: 'test' };
    const receipt = await t.app.services.bids.submitBid(recruitmentId, user, { ip: '127.0.0.1', sessionId: null }, parts());
    expect(receipt.files).toHaveLength(2);

    const recorded = await t.rawRows(`select f.id from bid_files f join bid_versions v on v.id = f.version_id where v.bid_id = '${receipt.bidId}'`);
    expect(readdirSync(folder).sort()).toEqual(recorded.map((row) => `${row.id as string}.sealed`).sort());
  });
});
