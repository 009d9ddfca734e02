import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEFTOVER_AFTER_MS } from '../../server/domain/bids/service.ts';
import { bidDigest } from '../../server/lib/sealing.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';
import { registerOrganization } from '../helpers/organizations.ts';

let t: TestApp;
let cast: Cast;
let recruitmentId: string;


beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  recruitmentId = await createPublished(t, cast, 30);
});
afterAll(() => t.close());

function submit(token: string, fields: Record<string, string>, files = [{ filename: '响应文件.pdf', content: pdfWith('plain') }], id = recruitmentId) {
  const body = multipart(fields, files);
  return t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${id}/bids`, headers: { ...bearer(token), ...body.headers }, payload: body.payload });
}

const fields = (overrides: Record<string, string> = {}) => ({
  lot: 'arts',
  publicBenefitRatio: '25',
  declarations: ALL_DECLARED,
  summary: '剧场公益演出方案',
  ...overrides,
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .filter((file) => statSync(file).isFile());
}

async function newBidderToken() {
  const organization = organizationInput();
  await registerOrganization(t, organization);
  return apiToken(t, organization);
}

const sealedFileCount = () => filesUnder(t.storageDir).filter((f) => f.endsWith('.sealed')).length;

describe('POST /api/v1/recruitments/:id/bids', () => {
  it('answers a receipt once the bid is durable: SHA-256 of each file, one digest over the bid and its salt, which recomputes the digest by the documented formula', async () => {
    const token = await newBidderToken();
    const document = pdfWith('receipt-check', 10_000);
    const response = await submit(token, fields(), [{ filename: '方案.pdf', content: document }]);
    expect(response.statusCode).toBe(201);
    const receipt = response.json();
    expect(receipt).toMatchObject({ version: 1, lot: 'arts', status: 'submitted' });
    expect(receipt.files).toEqual([{ name: '方案.pdf', size: document.length, sha256: createHash('sha256').update(document).digest('hex') }]);
    expect(Buffer.from(receipt.salt, 'base64')).toHaveLength(32);
    const me = (await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).json();
    // the README's formula, as a bidder's own tool would compute it: SHA-256 of the JCS form
    const digestInput = {
      recruitmentId,
      organizationId: me.organization.id,
      lot: 'arts',
      version: 1,
      receivedAt: receipt.receivedAt,
      fields: { publicBenefitRatio: 25, declarations: JSON.parse(ALL_DECLARED), summary: '剧场公益演出方案' },
      files: receipt.files,
      salt: receipt.salt,
    };
    expect(receipt.digest).toBe(createHash('sha256').update(canonicalize(digestInput)!, 'utf8').digest('hex'));
    expect(bidDigest(digestInput)).toBe(receipt.digest);
    const stored = (await t.app.inject({ url: `/api/v1/bids/${receipt.bidId}`, headers: bearer(token) })).json();
    expect(stored).toMatchObject({ bidId: receipt.bidId, version: 1, digest: receipt.digest, fileCount: 1, files: null, status: 'submitted' });
  });

  it('keeps the plaintext nowhere: not in the storage folder, not in the database', async () => {
    const marker = `MARKER-${randomBytes(8).toString('hex')}`;
    const token = await newBidderToken();
    const response = await submit(token, fields({ summary: `${marker}-summary`, publicBenefitRatio: '37.5' }), [
      { filename: 'a.pdf', content: pdfWith(marker, 100_000) },
    ]);
    expect(response.statusCode).toBe(201);
    for (const file of filesUnder(t.storageDir)) {
      expect(readFileSync(file).includes(Buffer.from(marker)), file).toBe(false);
    }
    const tables = await t.rawRows("select table_name from information_schema.tables where table_schema = 'public'");
    expect(tables.length).toBeGreaterThan(10);
    for (const table of tables.map((row) => String(row.table_name))) {
      const text = JSON.stringify(await t.rawRows(`select t::text as row from "${table}" t`));
      expect(text.includes(marker), table).toBe(false);
      // the ratio as a value (37.5, 37.50…), not the seconds of a timestamp such as 10:21:37.512
      if (table.startsWith('bid')) expect(/(?<![\d:])37\.50*(?!\d)/.test(text), table).toBe(false);
    }
  });

  it('a resubmission is the next version; withdrawal works before the deadline only once', async () => {
    const token = await newBidderToken();
    const first = (await submit(token, fields())).json();
    const second = (await submit(token, fields({ publicBenefitRatio: '30' }))).json();
    expect(second).toMatchObject({ bidId: first.bidId, version: 2 });
    expect(second.digest).not.toBe(first.digest);
    const withdrawn = await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${first.bidId}`, headers: bearer(token) });
    expect(withdrawn.json()).toEqual({ bidId: first.bidId, status: 'withdrawn' });
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${first.bidId}`, headers: bearer(token) });
    expect(again.json().code).toBe('ALREADY_WITHDRAWN');
    const third = (await submit(token, fields())).json();
    expect(third).toMatchObject({ bidId: first.bidId, version: 3, status: 'submitted' });
  });

  it('refuses a submission 1 ms after the deadline, and withdrawal after it', async () => {
    const id = await createPublished(t, cast, 21);
    const token = await newBidderToken();
    const bid = (await submit(token, fields(), undefined, id)).json();
    const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
    const now = t.clock.now();
    t.clock.set(new Date(deadline + 1));
    try {
      const before = sealedFileCount();
      const late = await submit(token, fields(), undefined, id);
      expect(late.statusCode).toBe(409);
      expect(late.json().code).toBe('DEADLINE_PASSED');
      expect(sealedFileCount()).toBe(before);
      const withdraw = await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${bid.bidId}`, headers: bearer(token) });
      expect(withdraw.json().code).toBe('DEADLINE_PASSED');
    } finally {
      t.clock.set(now);
    }
  });

  it.each([
    ['NOT_PDF', 415, fields(), [{ filename: 'fake.pdf', content: Buffer.from('GIF89a not a pdf at all') }]],
    ['NOT_PDF', 415, fields(), [{ filename: 'tiny.pdf', content: Buffer.from('%PD') }]],
    ['VALIDATION_FAILED', 400, fields(), []],
    ['UNKNOWN_LOT', 400, fields({ lot: 'cooking' }), undefined],
    ['DECLARATIONS_INCOMPLETE', 400, fields({ declarations: JSON.stringify({ political: true }) }), undefined],
    ['VALIDATION_FAILED', 400, fields({ declarations: 'yes' }), undefined],
    ['VALIDATION_FAILED', 400, fields({ publicBenefitRatio: 'lots' }), undefined],
    ['PUBLIC_BENEFIT_TOO_LOW', 422, fields({ publicBenefitRatio: '19.9' }), undefined],
  ] as const)('refuses %s (%i) and stores nothing', async (code, status, bidFields, files) => {
    const token = await newBidderToken();
    const before = sealedFileCount();
    const response = await submit(token, { ...bidFields }, files ? [...files] : undefined);
    expect(response.statusCode).toBe(status);
    expect(response.json().code).toBe(code);
    expect(sealedFileCount()).toBe(before);
    expect(readdirSync(path.join(t.storageDir, 'tmp'))).toEqual([]);
  });

  it('never uses the client\'s file name as a path', async () => {
    const token = await newBidderToken();
    const response = await submit(token, fields(), [{ filename: '../../../etc/passwd.pdf', content: pdfWith('x') }]);
    expect(response.statusCode).toBe(201);
    expect(response.json().files[0].name).toBe('passwd.pdf');
    for (const file of filesUnder(t.storageDir)) expect(file).not.toContain('passwd');
  });

  it('refuses a non-multipart request, other roles, drafts and suspended recruitments', async () => {
    const token = await newBidderToken();
    const json = await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${recruitmentId}/bids`, headers: bearer(token), payload: { lot: 'arts' } });
    expect(json.statusCode).toBe(400);
    expect((await submit(cast.agentToken, fields())).statusCode).toBe(403);
    expect((await submit(cast.inspectorToken, fields())).statusCode).toBe(403);
    const anonymous = multipart(fields(), [{ filename: 'a.pdf', content: pdfWith('a') }]);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${recruitmentId}/bids`, ...anonymous })).statusCode).toBe(401);
    const suspended = await createPublished(t, cast);
    await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${suspended}/suspend`, headers: bearer(cast.inspectorToken), payload: { reason: '核查' } });
    expect((await submit(token, fields(), undefined, suspended)).json().code).toBe('NOT_ACCEPTING_BIDS');
  });

  it('shows a receipt only to its own organisation', async () => {
    const token = await newBidderToken();
    const bid = (await submit(token, fields())).json();
    const other = await newBidderToken();
    expect((await t.app.inject({ url: `/api/v1/bids/${bid.bidId}`, headers: bearer(other) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${bid.bidId}`, headers: bearer(other) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/bids/${bid.bidId}`, headers: bearer(cast.agentToken) })).statusCode).toBe(403);
  });

  it('records the uploader\'s address and session as evidence, and the submission in the audit log', async () => {
    const token = await newBidderToken();
    const body = multipart(fields(), [{ filename: 'a.pdf', content: pdfWith('a') }]);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${recruitmentId}/bids`,
      headers: { ...bearer(token), ...body.headers },
      payload: body.payload,
      remoteAddress: '10.8.8.8',
    });
    const version = await t.database.db.query.bidVersions.findFirst({ where: (v, { eq }) => eq(v.bidId, response.json().bidId) });
    expect(version).toMatchObject({ ip: '10.8.8.8', sessionId: expect.any(String) });
    const audit = (await t.app.inject({ url: `/api/v1/audit?recruitmentId=${recruitmentId}&limit=1000`, headers: bearer(cast.inspectorToken) })).json();
    expect(audit).toContainEqual(expect.objectContaining({ action: 'bid.submit', target: `bid:${response.json().bidId}`, ip: '10.8.8.8' }));
  });

  it('records concurrent submissions together: every receipt matches what is stored, resubmissions get consecutive versions', async () => {
    const tokens = await Promise.all(Array.from({ length: 6 }, newBidderToken));
    // each organisation submits twice for the same lot at once, and once for another lot
    const requests = tokens.flatMap((token, i) => [
      { token, fields: fields({ summary: `first ${i}` }) },
      { token, fields: fields({ summary: `second ${i}` }) },
      { token, fields: fields({ lot: 'sports', summary: `sports ${i}` }) },
    ]);
    const responses = await Promise.all(requests.map(({ token, fields }) => submit(token, fields)));
    expect(responses.map((r) => r.statusCode)).toEqual(requests.map(() => 201));
    for (const [i, token] of tokens.entries()) {
      const [first, second, sports] = responses.slice(3 * i, 3 * i + 3).map((r) => r.json());
      expect(second.bidId).toBe(first.bidId);
      expect([first.version, second.version].sort()).toEqual([1, 2]);
      expect(sports).toMatchObject({ version: 1, lot: 'sports' });
      expect(sports.bidId).not.toBe(first.bidId);
      const latest = first.version === 2 ? first : second;
      const stored = (await t.app.inject({ url: `/api/v1/bids/${first.bidId}`, headers: bearer(token) })).json();
      expect(stored).toMatchObject({ version: 2, digest: latest.digest, fileCount: latest.files.length });
    }
    const verify = (await t.app.inject({ url: '/api/v1/audit/verify', headers: bearer(cast.inspectorToken) })).json();
    expect(verify.ok).toBe(true);
  });
});

describe('GET /api/v1/bids', () => {
  it('lists the organisation\'s own bids with their receipt numbers: the latest version of each, newest first, one recruitment or all', async () => {
    const other = await createPublished(t, cast, 30);
    const token = await newBidderToken();
    const arts = (await submit(token, fields())).json();
    const artsAgain = (await submit(token, fields({ summary: '第二版' }))).json();
    const sports = (await submit(token, fields({ lot: 'sports' }), undefined, other)).json();
    await t.app.inject({ method: 'DELETE', url: `/api/v1/bids/${sports.bidId}`, headers: bearer(token) });
    await submit(await newBidderToken(), fields());

    const listed = await t.app.inject({ url: '/api/v1/bids', headers: bearer(token) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      { bidId: sports.bidId, recruitmentId: other, recruitmentTitle: expect.any(String), lot: 'sports', lotName: '体育组织', status: 'withdrawn', version: 1, receivedAt: sports.receivedAt, digest: sports.digest, standing: expect.objectContaining({ stage: 'withdrawn', label: '已撤回' }) },
      { bidId: arts.bidId, recruitmentId, recruitmentTitle: expect.any(String), lot: 'arts', lotName: '文艺演出', status: 'submitted', version: 2, receivedAt: artsAgain.receivedAt, digest: artsAgain.digest, standing: expect.objectContaining({ stage: 'received', label: '已收到', score: null }) },
    ]);
    const inOne = await t.app.inject({ url: `/api/v1/bids?recruitmentId=${recruitmentId}`, headers: bearer(token) });
    expect(inOne.json().map((bid: { bidId: string }) => bid.bidId)).toEqual([arts.bidId]);
  });

  it('is for bidders: 401 without a token, 403 for staff, 400 for a malformed recruitment id', async () => {
    expect((await t.app.inject({ url: '/api/v1/bids' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/bids', headers: bearer(cast.agentToken) })).statusCode).toBe(403);
    const malformed = await t.app.inject({ url: '/api/v1/bids?recruitmentId=x', headers: bearer(cast.bidderToken) });
    expect(malformed.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('what is stored in clear before the opening', () => {
  const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

  /** every text value in a row, as an attacker would try each as a possible salt */
  const textValues = (rows: Record<string, unknown>[]) =>
    rows.flatMap((row) => Object.values(row)).flatMap((value) => (typeof value === 'string' ? [value] : typeof value === 'object' && value ? Object.values(value).filter((v): v is string => typeof v === 'string') : []));

  it('reveals nothing about the declared share: an offline search over the database rows recovers nothing', async () => {
    const token = await newBidderToken();
    const document = pdfWith('share-search', 3000);
    const response = await submit(token, fields({ publicBenefitRatio: '37.5', summary: '' }), [{ filename: '方案.pdf', content: document }]);
    expect(response.statusCode).toBe(201);
    const bidId: string = response.json().bidId;

    // the attacker holds the database: the bid, its version, its files, the recruitment's conditions
    const [bid] = await t.rawRows(`select recruitment_id, organization_id, lot_key from bids where id = '${bidId}'`);
    const versions = await t.rawRows(`select * from bid_versions where bid_id = '${bidId}'`);
    const [version] = versions;
    const fileRows = await t.rawRows(`select * from bid_files where version_id = '${String(version!.id)}' order by position`);
    const conditions = await t.rawRows(`select key from eligibility_conditions where recruitment_id = '${String(bid!.recruitment_id)}'`);
    // worst case: the attacker also guessed the documents (a shared template), whatever the rows say
    const files = fileRows.map((row) => ({
      name: typeof row.name === 'string' ? row.name : '方案.pdf',
      size: row.size === undefined ? document.length : Number(row.size),
      sha256: typeof row.sha256 === 'string' ? row.sha256 : sha256(document),
    }));
    const declarations = Object.fromEntries(conditions.map((row) => [String(row.key), true]));
    const salts = [undefined, ...textValues([...versions, ...fileRows])];
    const found: number[] = [];
    for (let share = 0; share <= 100; share += 0.5) {
      for (const salt of salts) {
        const candidate = canonicalize({
          recruitmentId: bid!.recruitment_id,
          organizationId: bid!.organization_id,
          lot: bid!.lot_key,
          version: version!.version,
          receivedAt: new Date(String(version!.received_at)).toISOString(),
          fields: { publicBenefitRatio: share, declarations, summary: '' },
          files,
          ...(salt === undefined ? {} : { salt }),
        });
        if (sha256(candidate!) === version!.digest) found.push(share);
      }
    }
    expect(found).toEqual([]);
  });

  it('stores declared values whose length does not depend on the share', async () => {
    const lengths = [];
    for (const share of ['40', '37.5', '100']) {
      const response = await submit(await newBidderToken(), fields({ publicBenefitRatio: share, summary: '' }));
      const [row] = await t.rawRows(
        `select v.sealed_fields->>'ciphertext' as fields from bid_versions v where v.bid_id = '${response.json().bidId}'`,
      );
      lengths.push(Buffer.from(String(row!.fields), 'base64').length);
    }
    expect(new Set(lengths).size).toBe(1);
  });

  it('keeps file names, sizes and hashes sealed: no column and no stored file holds them', async () => {
    const marker = randomBytes(6).toString('hex');
    const name = `报价单-总价98万元-${marker}.pdf`;
    const document = pdfWith(`name-${marker}`, 12_345);
    const token = await newBidderToken();
    const response = await submit(token, fields(), [{ filename: name, content: document }]);
    expect(response.statusCode).toBe(201);
    // the bidder is told them once, in the receipt answered to the submission
    expect(response.json().files).toEqual([{ name, size: document.length, sha256: sha256(document) }]);

    const secrets = [name, marker, sha256(document)];
    const tables = await t.rawRows("select table_name from information_schema.tables where table_schema = 'public'");
    for (const table of tables.map((row) => String(row.table_name))) {
      const text = JSON.stringify(await t.rawRows(`select t::text as row from "${table}" t`));
      for (const secret of secrets) expect(text.includes(secret), `${table} holds ${secret}`).toBe(false);
    }
    const sizes = await t.rawRows(
      `select t::text as row from bid_files t join bid_versions v on v.id = t.version_id where v.bid_id = '${response.json().bidId}'`,
    );
    expect(JSON.stringify(sizes)).not.toContain(String(document.length));
    // on disk, a file is as long as its size bucket: 64 KiB for anything shorter
    const [stored] = await t.rawRows(
      `select f.id from bid_files f join bid_versions v on v.id = f.version_id where v.bid_id = '${response.json().bidId}'`,
    );
    expect(statSync(path.join(t.storageDir, 'bids', recruitmentId, `${String(stored!.id)}.sealed`)).size).toBe(64 * 1024);
    for (const file of filesUnder(t.storageDir)) {
      expect(file).not.toContain(marker);
      const bytes = readFileSync(file);
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), `${file} holds ${secret}`).toBe(false);
    }
  });

  it('shows the receipt without names before the opening: version, time, digest and the number of files', async () => {
    const token = await newBidderToken();
    const submitted = (await submit(token, fields(), [
      { filename: '一.pdf', content: pdfWith('one') },
      { filename: '二.pdf', content: pdfWith('two') },
    ])).json();
    const stored = (await t.app.inject({ url: `/api/v1/bids/${submitted.bidId}`, headers: bearer(token) })).json();
    expect(stored).toMatchObject({ version: 1, receivedAt: submitted.receivedAt, digest: submitted.digest, fileCount: 2, files: null });
    expect(stored).not.toHaveProperty('salt');
  });
});

describe('upload size limit', () => {
  it('answers 413 FILE_TOO_LARGE over MAX_UPLOAD_MB and keeps no part of the file', async () => {
    const small = await createTestApp({ MAX_UPLOAD_MB: '1' });
    try {
      const smallCast = await createCast(small);
      const id = await createPublished(small, smallCast);
      const body = multipart(fields(), [{ filename: 'big.pdf', content: pdfWith('big', 1024 * 1024 + 10) }]);
      const response = await small.app.inject({
        method: 'POST',
        url: `/api/v1/recruitments/${id}/bids`,
        headers: { ...bearer(smallCast.bidderToken), ...body.headers },
        payload: body.payload,
      });
      expect(response.statusCode).toBe(413);
      expect(response.json().code).toBe('FILE_TOO_LARGE');
      expect(filesUnder(small.storageDir).filter((f) => f.endsWith('.sealed') || f.endsWith('.part'))).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('the clean-up of leftover files', () => {
  it('removes temporary files and stored files no recorded bid refers to, and keeps the others', async () => {
    const token = await newBidderToken();
    await submit(token, fields());
    const recorded = sealedFileCount();
    // a recruitment whose deadline passed an hour ago: no bid of it can be recorded any more
    const closedId = await createPublished(t, cast, 30);
    await t.rawSql(`update recruitments set questions_deadline = now() - interval '2 hours', submission_deadline = now() - interval '1 hour' where id = '${closedId}'`);
    mkdirSync(path.join(t.storageDir, 'tmp'), { recursive: true });
    mkdirSync(path.join(t.storageDir, 'bids', closedId), { recursive: true });
    const leftovers = [
      path.join(t.storageDir, 'tmp', '6f1c2b58-1f6e-4e0e-9c1a-6f0e2a9b1c01.part'),
      path.join(t.storageDir, 'bids', closedId, '6f1c2b58-1f6e-4e0e-9c1a-6f0e2a9b1c02.sealed'),
      // may be the first file of a bid whose other files are still arriving: kept while bids are taken
      path.join(t.storageDir, 'bids', recruitmentId, '6f1c2b58-1f6e-4e0e-9c1a-6f0e2a9b1c05.sealed'),
    ];
    for (const file of leftovers) {
      writeFileSync(file, 'left by a crash');
      const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
      utimesSync(file, anHourAgo, anHourAgo);
    }
    expect(await t.app.services.bids.cleanUpLeftovers(LEFTOVER_AFTER_MS)).toEqual({ temporary: 1, orphans: 1 });
    expect(leftovers.map((file) => existsSync(file))).toEqual([false, false, true]);
    rmSync(leftovers[2]!);
    expect(sealedFileCount()).toBe(recorded);
  });

  it('leaves alone what another server process on the same storage may be writing or committing now', async () => {
    const uploading = path.join(t.storageDir, 'tmp', '6f1c2b58-1f6e-4e0e-9c1a-6f0e2a9b1c03.part');
    const committing = path.join(t.storageDir, 'bids', recruitmentId, '6f1c2b58-1f6e-4e0e-9c1a-6f0e2a9b1c04.sealed');
    writeFileSync(uploading, 'an upload under way');
    writeFileSync(committing, 'a bid whose transaction has not committed yet');
    expect(await t.app.services.bids.cleanUpLeftovers(LEFTOVER_AFTER_MS)).toEqual({ temporary: 0, orphans: 0 });
    expect([existsSync(uploading), existsSync(committing)]).toEqual([true, true]);
    rmSync(uploading);
    rmSync(committing);
  });
});

describe('another role cannot reach the bid routes', () => {
  it('an expert gets 403', async () => {
    const expert = await apiToken(t, await createStaff(t, 'expert'));
    expect((await submit(expert, fields())).statusCode).toBe(403);
  });
});
