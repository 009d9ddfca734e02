import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../server/lib/storage.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { outbox } from '../helpers/mail.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// A full disk answered a generic 500 (issue 13). The bidder must be told what happened, nothing
// of the bid kept, the inspectors and the administrators alerted, and the server serve on.

let diskFull = false;
/** the real storage, whose bid files stop with ENOSPC half-way while `diskFull` holds */
const fillingDisk = (storage: Storage): Storage => ({
  ...storage,
  saveSealedBidFile: (recruitmentId, fileId, source, transforms) => {
    let written = 0;
    const disk = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        if (diskFull && written > 4096) return done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        done(null, chunk);
      },
    });
    return storage.saveSealedBidFile(recruitmentId, fileId, source, [...transforms, disk]);
  },
});

let t: TestApp;
let cast: Cast;
let id: string;
let token: string;

beforeAll(async () => {
  t = await createTestApp({}, { storage: fillingDisk });
  cast = await createCast(t);
  await createStaff(t, 'admin');
  id = await createPublished(t, cast);
  token = await apiToken(t, await registerOrganization(t, organizationInput()));
});
afterAll(() => t.close());

const submit = () => {
  const body = multipart({ lot: 'arts', publicBenefitRatio: '30', declarations: ALL_DECLARED, summary: '方案' }, [
    { filename: 'plan.pdf', content: pdfWith('plan', 64 * 1024) },
  ]);
  return t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(token), ...body.headers }, payload: body.payload });
};

describe('a full disk', () => {
  it('answers 507 STORAGE_FULL with what happened, keeps nothing of the bid, alerts inspectors and administrators once', async () => {
    diskFull = true;
    for (let i = 0; i < 2; i++) {
      const refused = await submit();
      expect(refused.statusCode).toBe(507);
      expect(refused.json()).toMatchObject({ code: 'STORAGE_FULL', message: expect.stringContaining('存储空间已满') });
    }
    expect(await t.rawRows('select 1 from bid_versions')).toEqual([]);
    // (the alert mails being written aside meanwhile are not the bid's)
    expect(readdirSync(path.join(t.storageDir, 'tmp')).filter((name) => !name.includes('.eml.'))).toEqual([]);
    const alerts = (await t.app.inject({ url: '/api/v1/inspector/alerts', headers: bearer(cast.inspectorToken) })).json();
    expect(alerts.filter((alert: { indicator: string }) => alert.indicator === 'storage_full')).toHaveLength(1);
    const mails = (await outbox(t)).filter((mail) => mail.subject.includes('存储空间已满'));
    const roles = await t.rawRows(`select role from users where email in (${mails.map((mail) => `'${mail.to}'`).join(',')})`);
    expect(new Set(roles.map((row) => row.role))).toEqual(new Set(['inspector', 'admin']));
  });

  it('once space is back, the same bid is received', async () => {
    diskFull = false;
    expect((await submit()).statusCode).toBe(201);
  });
});
