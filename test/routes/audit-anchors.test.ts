import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '../../server/domain/audit/chain.ts';
import { Browser } from '../helpers/browser.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, createPublished, type Cast } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

// SPEC §4.4: the server's database role may only insert into and read the log, and verification
// checks every chain head recorded elsewhere — sign-offs, signed documents, checkpoint files —
// so that a rewritten or truncated chain fails. Every test here runs on both engines (CI runs the
// suite on PGlite and on PostgreSQL, where the app works as a member of portal_app).

interface Verified {
  ok: boolean;
  entries: number;
  head: string;
  brokenAt?: number;
  anchors: { source: string; label: string; seq: number | null; hash: string; ok: boolean; problem?: string }[];
  problems: string[];
}

async function verify(t: TestApp, token: string): Promise<Verified> {
  const response = await t.app.inject({ url: '/api/v1/audit/verify', headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function checkpoint(t: TestApp, token: string) {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/audit/checkpoints', headers: bearer(token) });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; seq: number; head: string; verifyCode: string }>();
}

/** the database's reason for refusing a statement (drizzle wraps it as the cause) */
async function refusal(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
    return 'accepted';
  } catch (error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : (error as Error).message;
  }
}

async function lastSeq(t: TestApp): Promise<number> {
  const [row] = await t.rawRows('select max(seq) as seq from audit_log');
  return Number(row!.seq);
}

/**
 * What someone holding the owner's (or a superuser's) rights would do: change entry `seq`'s
 * details and recompute every later hash, so that the chain itself verifies again.
 */
async function rewriteFrom(t: TestApp, seq: number, extra: (rehashed: Map<string, string>) => string[] = () => []) {
  const rows = await t.rawRows('select * from audit_log order by seq');
  const rehashed = new Map<string, string>();
  const statements = ['alter table audit_log disable trigger audit_log_no_update_delete'];
  let prevHash = '';
  for (const row of rows) {
    const entry = {
      seq: Number(row.seq),
      at: new Date(row.at as string),
      actorId: row.actor_id as string | null,
      actorRole: row.actor_role as string | null,
      action: row.action as string,
      target: row.target as string | null,
      recruitmentId: row.recruitment_id as string | null,
      ip: row.ip as string | null,
      details: (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>,
    };
    if (entry.seq < seq) {
      prevHash = row.hash as string;
      continue;
    }
    if (entry.seq === seq) entry.details = { ...entry.details, rewritten: true };
    const hash = entryHash(entry, prevHash);
    rehashed.set(row.hash as string, hash);
    statements.push(
      `update audit_log set details = '${JSON.stringify(entry.details).replaceAll("'", "''")}'::jsonb, prev_hash = '${prevHash}', hash = '${hash}' where seq = ${entry.seq}`,
    );
    prevHash = hash;
  }
  statements.push(...extra(rehashed), 'alter table audit_log enable trigger audit_log_no_update_delete');
  await t.rawSql(...statements);
}

describe("the server's database role", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['UPDATE', "update audit_log set action = 'forged' where seq = 1"],
    ['DELETE', 'delete from audit_log'],
    ['TRUNCATE', 'truncate audit_log'],
    ['DISABLE TRIGGER', 'alter table audit_log disable trigger audit_log_no_update_delete'],
    ['DROP TRIGGER', 'drop trigger audit_log_no_update_delete on audit_log'],
  ])('may not %s the audit log: refused by its rights, not only by the trigger', async (_op, statement) => {
    expect(await refusal(t.database.db.execute(sql.raw(statement)))).toMatch(/permission denied|must be owner/);
  });

  it('may insert into and read it, and does not own it', async () => {
    await createStaff(t, 'inspector');
    expect(await lastSeq(t)).toBeGreaterThan(0);
    expect(await t.database.canAlterAuditLog()).toBe(false);
  });

  // PostgreSQL only: a connection of its own with the URL the app uses. CI runs the whole suite
  // on PostgreSQL as well (.ci/run), so this runs there; on PGlite the tests above cover the role.
  describe.runIf(process.env.DATABASE_URL)('on PostgreSQL, connected with the URL the app uses', () => {
    it.each([
      "update audit_log set action = 'forged' where seq = 1",
      'delete from audit_log where seq = 1',
      'truncate audit_log',
      'alter table audit_log disable trigger audit_log_no_update_delete',
      'alter table audit_log owner to current_user',
    ])('is refused: %s', async (statement) => {
      const client = new pg.Client({ connectionString: t.appDatabaseUrl! });
      await client.connect();
      try {
        expect(await refusal(client.query(statement))).toMatch(/permission denied|must be owner/);
      } finally {
        await client.end();
      }
    });
  });
});

describe('verification against the heads recorded elsewhere', () => {
  let t: TestApp;
  let cast: Cast;
  let recruitmentId: string;
  let taken: { id: string; seq: number; head: string };

  beforeAll(async () => {
    t = await createTestApp();
    cast = await createCast(t);
    ({ id: recruitmentId } = await createAwarded(t, cast, { arts: [20, 30, 40] }));
    const cancelled = await createPublished(t, cast);
    await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${cancelled}/cancel`, headers: bearer(cast.agentToken), payload: { reason: '场地改造' } });
    await t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${cancelled}/cancel/countersign`, headers: bearer(cast.inspectorToken) });
    await t.app.services.documents.idle();
    taken = await checkpoint(t, cast.inspectorToken);
  }, 300_000);
  afterAll(() => t.close());

  it('passes on clean data, listing every head: the sign-offs, the countersign, the signed documents, the checkpoint file', async () => {
    const check = await verify(t, cast.inspectorToken);
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(check.anchors.every((anchor) => anchor.ok && anchor.seq !== null)).toBe(true);
    // documents: the opening record, the evaluation report and the checkpoint's row
    expect(check.anchors.map((anchor) => anchor.source).sort()).toEqual([
      'award_sign_off',
      'cancel_countersign',
      'checkpoint_file',
      'document',
      'document',
      'document',
      'evaluation_sign_off',
      'opening_sign_off',
    ]);
    const file = check.anchors.find((anchor) => anchor.source === 'checkpoint_file')!;
    expect(file).toMatchObject({ seq: taken.seq, hash: taken.head });
    const signOff = check.anchors.find((anchor) => anchor.source === 'opening_sign_off')!;
    const [row] = await t.rawRows(`select sign_off_chain_seq as seq, sign_off_chain_head as head from openings where recruitment_id = '${recruitmentId}'`);
    expect(signOff).toMatchObject({ seq: Number(row!.seq), hash: row!.head });
  });

  it("lists the heads on the inspector's page, which issues a checkpoint on request", async () => {
    const browser = new Browser(t.app);
    await browser.signIn(cast.inspector);
    const page = await browser.get('/inspector/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('核验通过');
    expect(page.body).toContain(taken.head);
    const issued = await browser.post('/inspector/audit/checkpoints', {});
    expect(issued.statusCode).toBe(303);
    expect((await browser.get(issued.headers.location as string)).body).toContain('已签发第');
  });

  it('refuses a checkpoint file whose signature no longer holds', async () => {
    const stored = path.join(t.storageDir, 'checkpoints', `${taken.id}.pdf`);
    const forged = Buffer.from(readFileSync(stored));
    const at = forged.indexOf('audit-chain-seq:');
    forged[at + 16] = forged[at + 16] === 0x31 ? 0x32 : 0x31;
    const name = path.join(t.storageDir, 'checkpoints', `${randomUUID()}.pdf`);
    writeFileSync(name, forged);
    const check = await verify(t, cast.inspectorToken);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([expect.stringMatching(/检查点文件 .*文件内容与签名不符/)]);
    rmSync(name);
    expect((await verify(t, cast.inspectorToken)).ok).toBe(true);
  });

  it('fails when a checkpoint file the database lists is gone from storage', async () => {
    const stored = path.join(t.storageDir, 'checkpoints', `${taken.id}.pdf`);
    renameSync(stored, `${stored}.away`);
    const check = await verify(t, cast.inspectorToken);
    renameSync(`${stored}.away`, stored);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([expect.stringContaining(`的文件已不在存储中（checkpoints/${taken.id}.pdf）`)]);
    expect((await verify(t, cast.inspectorToken)).ok).toBe(true);
  });

  // Runs last: it rewrites this database's log.
  it('catches a superuser rewrite that also rewrites the sign-off and documents rows, by the checkpoint file', async () => {
    const recorded = [
      ['openings', 'sign_off_chain_head'],
      ['evaluation_sign_offs', 'chain_head'],
      ['award_sign_offs', 'chain_head'],
      ['recruitments', 'cancel_countersign_chain_head'],
      ['documents', 'chain_head'],
    ];
    await rewriteFrom(t, 3, (rehashed) =>
      recorded.flatMap(([table, column]) =>
        [...rehashed].map(([old, fresh]) => `update ${table} set ${column} = '${fresh}' where ${column} = '${old}'`),
      ),
    );
    const check = await verify(t, cast.inspectorToken);
    expect(check.brokenAt).toBeUndefined();
    expect(check.ok).toBe(false);
    // the database's own records were rewritten to match: only the files outside it disagree
    const failed = check.anchors.filter((anchor) => !anchor.ok);
    expect(failed.map((anchor) => anchor.source)).toEqual(['checkpoint_file', 'checkpoint_file']);
    expect(check.problems).toContainEqual(expect.stringContaining(`第 ${taken.seq} 条记录的链头与操作日志不符（日志被改写）`));
  });
});

describe('a rewrite or a truncated tail of the log', () => {
  let t: TestApp;
  let inspectorToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    inspectorToken = await apiToken(t, await createStaff(t, 'inspector'));
    await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: organizationInput() });
  });
  afterAll(() => t.close());

  it('fails verification once an entry is edited and every later hash recomputed', async () => {
    const taken = await checkpoint(t, inspectorToken);
    await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: organizationInput() });
    expect((await verify(t, inspectorToken)).ok).toBe(true);
    await rewriteFrom(t, 2);
    const check = await verify(t, inspectorToken);
    expect(check.brokenAt).toBeUndefined();
    expect(check.ok).toBe(false);
    expect(check.anchors.filter((anchor) => !anchor.ok).map((anchor) => anchor.source).sort()).toEqual(['checkpoint_file', 'document']);
    expect(check.problems).toContainEqual(expect.stringContaining(`第 ${taken.seq} 条记录的链头与操作日志不符（日志被改写）`));
  });

  it('refuses a checkpoint of a log that no longer verifies (409), so a rewrite is never vouched for', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/audit/checkpoints', headers: bearer(inspectorToken) });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'AUDIT_LOG_BROKEN', message: expect.stringContaining('日志被改写') });
  });

  it('fails verification once the last 5 entries are deleted', async () => {
    const fresh = await createTestApp();
    try {
      const token = await apiToken(fresh, await createStaff(fresh, 'inspector'));
      const taken = await checkpoint(fresh, token);
      const last = await lastSeq(fresh);
      expect(last - taken.seq).toBeLessThan(5);
      await fresh.rawSql(
        'alter table audit_log disable trigger audit_log_no_update_delete',
        `delete from audit_log where seq > ${last - 5}`,
        'alter table audit_log enable trigger audit_log_no_update_delete',
      );
      const check = await verify(fresh, token);
      expect(check.brokenAt).toBeUndefined();
      expect(check.ok).toBe(false);
      expect(check.problems).toContainEqual(expect.stringContaining(`第 ${taken.seq} 条记录已不在操作日志中（日志被截断）`));
    } finally {
      await fresh.close();
    }
  });
});

describe('POST /api/v1/audit/checkpoints and the daily checkpoint', () => {
  let t: TestApp;
  let inspectors: { email: string; token: string }[];
  beforeAll(async () => {
    t = await createTestApp();
    inspectors = [];
    for (let i = 0; i < 2; i++) {
      const inspector = await createStaff(t, 'inspector');
      inspectors.push({ email: inspector.email, token: await apiToken(t, inspector) });
    }
  });
  afterAll(() => t.close());

  it('is for inspectors: 401 without a token, 403 for every other role', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/audit/checkpoints' })).statusCode).toBe(401);
    for (const role of ['admin', 'agent', 'expert'] as const) {
      const token = await apiToken(t, await createStaff(t, role));
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/audit/checkpoints', headers: bearer(token) });
      expect(response.statusCode).toBe(403);
    }
    const organization = organizationInput();
    await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: organization });
    const bidder = await apiToken(t, organization);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/audit/checkpoints', headers: bearer(bidder) })).statusCode).toBe(403);
  });

  it('mails the signed checkpoint to every active inspector as a PDF attachment', async () => {
    const taken = await checkpoint(t, inspectors[0]!.token);
    const [row] = await t.rawRows(`select sha256, status, chain_seq, chain_head from documents where id = '${taken.id}'`);
    expect(row).toMatchObject({ status: 'mailed', chain_head: taken.head });
    expect(Number(row!.chain_seq)).toBe(taken.seq);
    const outbox = path.join(t.storageDir, 'outbox');
    const mails = await Promise.all(readdirSync(outbox).map((file) => simpleParser(readFileSync(path.join(outbox, file)))));
    for (const inspector of inspectors) {
      const mail = mails.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address === inspector.email);
      expect(mail, inspector.email).toBeDefined();
      expect(mail!.subject).toContain('操作日志检查点');
      expect(mail!.text).toContain(taken.head);
      expect(mail!.attachments).toHaveLength(1);
      expect(mail!.attachments[0]!.contentType).toBe('application/pdf');
      expect(createHash('sha256').update(mail!.attachments[0]!.content).digest('hex')).toBe(row!.sha256);
    }
    const download = await t.app.inject({ url: `/api/v1/documents/${taken.id}`, headers: bearer(inspectors[1]!.token) });
    expect(download.statusCode).toBe(200);
    const agent = await apiToken(t, await createStaff(t, 'agent'));
    expect((await t.app.inject({ url: `/api/v1/documents/${taken.id}`, headers: bearer(agent) })).statusCode).toBe(404);
    const verified = await t.app.inject({ url: `/api/v1/verify/${taken.verifyCode}` });
    expect(verified.json()).toMatchObject({ kind: 'audit_checkpoint', kindName: '操作日志检查点', recruitment: null, sha256: row!.sha256 });
    expect((await t.app.inject({ url: `/verify/${taken.verifyCode}` })).statusCode).toBe(200);
  });

  it('issues one daily checkpoint per day however many processes try, and another the next day', async () => {
    const checkpoints = t.app.services.checkpoints;
    const first = await Promise.all([checkpoints.issueDailyCheckpoint(), checkpoints.issueDailyCheckpoint(), checkpoints.issueDailyCheckpoint()]);
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await checkpoints.issueDailyCheckpoint()).toBeNull();
    t.clock.set(new Date(t.clock.now().getTime() + 24 * 60 * 60 * 1000));
    expect(await checkpoints.issueDailyCheckpoint()).not.toBeNull();
    const rows = await t.rawRows("select subject from documents where kind = 'audit_checkpoint' and subject like 'daily-%'");
    expect(rows).toHaveLength(2);
  });
});
