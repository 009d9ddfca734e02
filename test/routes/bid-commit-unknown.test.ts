import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/client.ts';
import { createBidService } from '../../server/domain/bids/service.ts';
import { bidKeyFingerprint } from '../../server/lib/bid-key-fingerprint.ts';
import { createStorage } from '../../server/lib/storage.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_DECLARED, pdfWith } from '../helpers/multipart.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { createCast, createPublished } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

// A bid's files must stay while any recorded bid may name them (a backup copies every file its
// snapshot names). When the connection is lost as the bid's transaction commits, the server
// cannot know whether it committed: its files are left to the periodic clean-up, which removes
// only files no recorded bid refers to. They were removed at once, leaving a committed bid —
// a receipt its bidder may have got on a retry of the read — with no files.

let t: TestApp;
let recruitmentId: string;

beforeAll(async () => {
  t = await createTestApp();
  const cast = await createCast(t);
  recruitmentId = await createPublished(t, cast);
});
afterAll(() => t.close());

/** the database, whose transactions commit and then fail as a connection cut after COMMIT does */
function losingCommitAcks(db: Db): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'transaction') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<Db['transaction']>) => {
        await target.transaction(...args);
        throw new Error('Connection terminated unexpectedly');
      };
    },
  });
}

describe('a bid whose commit is not acknowledged', () => {
  it('keeps its sealed files: the bid may have been recorded, and the clean-up spares files a bid refers to', async () => {
    const organization = await registerOrganization(t, organizationInput());
    const [bidder] = await t.rawRows(`select id, name, email from users where email = '${organization.email}'`);
    const storage = createStorage(t.storageDir);
    const services = t.app.services;
    const bids = createBidService({
      db: losingCommitAcks(t.database.db),
      clock: t.clock,
      audit: services.audit,
      storage,
      announcedKeys: { requireAnnouncedKey: async (_recruitmentId, publicKey) => bidKeyFingerprint(publicKey) },
      inspection: { mailAlert: async () => {} },
    });
    async function* parts() {
      for (const [name, value] of Object.entries({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED, summary: '方案' })) {
        yield { kind: 'field' as const, name, value };
      }
      yield { kind: 'file' as const, name: 'documents', filename: 'plan.pdf', stream: Readable.from([pdfWith('plan', 32 * 1024)]), truncated: () => false };
    }
    const user = { id: bidder!.id as string, role: 'bidder' as const, name: bidder!.name as string, email: organization.email, sessionId: 'test' };
    await expect(bids.submitBid(recruitmentId, user, { ip: '127.0.0.1', sessionId: null }, parts())).rejects.toThrow('Connection terminated unexpectedly');

    const recorded = await t.rawRows(`select f.id from bid_files f join bid_versions v on v.id = f.version_id join bids b on b.id = v.bid_id where b.recruitment_id = '${recruitmentId}'`);
    expect(recorded).toHaveLength(1);
    expect(readdirSync(path.join(t.storageDir, 'bids', recruitmentId))).toEqual([`${recorded[0]!.id as string}.sealed`]);
  });
});
