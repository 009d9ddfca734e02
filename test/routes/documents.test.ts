import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANDATORY_CLAUSES } from '../../server/lib/pdf/templates/draft-agreement.ts';
import { Browser } from '../helpers/browser.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import type { Bidder, Expert } from '../helpers/evaluation.ts';
import { multipart } from '../helpers/multipart.ts';
import { pdfsig, pdfText, writePdf } from '../helpers/pdf-tools.ts';
import { createAwarded } from '../helpers/publicity.ts';
import { createCast, type Cast } from '../helpers/recruitments.ts';

// The signed documents of an awarded recruitment: who sees which, downloads, the public verify
// endpoint and page, the mails, and the documents checked as an outside party would (pdfsig,
// pdftotext). arts selects 3 of 4 bids, sports 2 of 3: 5 notices + 5 agreements + 2 not-selected
// notices + the opening record + the evaluation report = 14 documents.

interface Listed {
  id: string;
  kind: string;
  bidId: string | null;
  organizationId: string | null;
  sha256: string;
  verifyCode: string;
  url: string;
  status: string;
  title: string;
}

let t: TestApp;
let cast: Cast;
let id: string;
let bidders: Bidder[];
let panel: Expert[];
let all: Listed[];
const dir = mkdtempSync(path.join(tmpdir(), 'documents-'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const api = (url: string, token: string | null) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: token ? bearer(token) : {} });

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  ({ id, bidders, panel } = await createAwarded(t, cast, { arts: [20, 30, 40, 40], sports: [25, 35, 45] }));
  await t.app.services.documents.idle();
  all = (await api(`/recruitments/${id}/documents`, cast.agentToken)).json();
}, 240_000);
afterAll(() => t.close());

async function download(document: Listed, token: string) {
  const response = await api(`/documents/${document.id}`, token);
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('application/pdf');
  return response.rawPayload;
}

describe('issued documents', () => {
  it('are never kept by a browser or proxy cache (Cache-Control: no-store), from the page and the API', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    const page = await agent.get(`/documents/${all[0]!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const listed = await agent.get(`/recruitments/${id}/documents`);
    expect(listed.headers['cache-control']).toBe('no-store');
    for (const url of [`/documents/${all[0]!.id}`, `/recruitments/${id}/documents`]) {
      const response = await api(url, cast.agentToken);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('are all there once the recruitment is awarded, each once', () => {
    const count = (kind: string) => all.filter((d) => d.kind === kind).length;
    expect(count('opening_record')).toBe(1);
    expect(count('evaluation_report')).toBe(1);
    expect(count('award_notice')).toBe(5);
    expect(count('draft_agreement')).toBe(5);
    expect(count('rejection_notice')).toBe(2);
    expect(new Set(all.map((d) => d.verifyCode)).size).toBe(all.length);
    for (const document of all) {
      expect(document.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(document.url).toBe(`/api/v1/documents/${document.id}`);
    }
  });

  it('are issued again only when missing: a repeat issues nothing', async () => {
    const again = await t.app.services.documents.issueMissingDocuments(id);
    expect(again).toEqual({ issued: [], mailed: 0 });
  });

  it('are mailed to each organisation with its PDFs attached, and marked mailed', async () => {
    const mailed = all.filter((d) => d.organizationId);
    expect(mailed.every((d) => d.status === 'mailed')).toBe(true);
    await t.app.services.mailer.drain();
    const outbox = path.join(t.storageDir, 'outbox');
    const mails = await Promise.all(readdirSync(outbox).map(async (file) => simpleParser(readFileSync(path.join(outbox, file)))));
    for (const bidder of bidders) {
      const own = mailed.filter((d) => d.bidId === bidder.bidId);
      const mail = mails.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address === bidder.email && m.attachments.length > 0);
      expect(mail, bidder.name).toBeDefined();
      expect(mail!.attachments.map((a) => sha256(a.content)).sort()).toEqual(own.map((d) => d.sha256).sort());
      expect(mail!.attachments.every((a) => a.contentType === 'application/pdf')).toBe(true);
      for (const document of own) expect(mail!.text).toContain(`/verify/${document.verifyCode}`);
    }
  });
});

describe('who sees which documents', () => {
  it('the agent and any inspector: all; another agent and the admin: 403', async () => {
    expect((await api(`/recruitments/${id}/documents`, cast.inspectorToken)).json()).toHaveLength(all.length);
    const otherAgent = await apiToken(t, await createStaff(t, 'agent'));
    expect((await api(`/recruitments/${id}/documents`, otherAgent)).statusCode).toBe(403);
    const admin = await apiToken(t, await createStaff(t, 'admin'));
    expect((await api(`/recruitments/${id}/documents`, admin)).statusCode).toBe(403);
    expect((await api(`/documents/${all[0]!.id}`, admin)).statusCode).toBe(403);
    expect((await api(`/recruitments/${id}/documents`, null)).statusCode).toBe(401);
  });

  it('a bidder: only its own organisation’s; another organisation’s document is 404', async () => {
    const [bidder, other] = bidders;
    const own = (await api(`/recruitments/${id}/documents`, bidder!.token)).json<Listed[]>();
    expect(own.length).toBeGreaterThan(0);
    // its own, and the announcement, which is public
    expect(own.every((d) => d.bidId === bidder!.bidId || d.kind === 'announcement')).toBe(true);
    const foreign = all.find((d) => d.bidId === other!.bidId)!;
    expect((await api(`/documents/${foreign.id}`, bidder!.token)).statusCode).toBe(404);
    const record = all.find((d) => d.kind === 'opening_record')!;
    expect((await api(`/documents/${record.id}`, bidder!.token)).statusCode).toBe(404);
    await download(own[0]!, bidder!.token);
  });

  it('a panel expert: the opening record and the evaluation report; an expert off the panel: 403', async () => {
    const seen = (await api(`/recruitments/${id}/documents`, panel[0]!.token)).json<Listed[]>();
    expect(seen.map((d) => d.kind).sort()).toEqual(['announcement', 'evaluation_report', 'opening_record']);
    const notice = all.find((d) => d.kind === 'award_notice')!;
    expect((await api(`/documents/${notice.id}`, panel[0]!.token)).statusCode).toBe(404);
    const outsider = await apiToken(t, await createStaff(t, 'expert'));
    expect((await api(`/recruitments/${id}/documents`, outsider)).statusCode).toBe(403);
  });

  it('a download is audited', async () => {
    await download(all[0]!, cast.inspectorToken);
    const entries = (await api(`/audit?recruitmentId=${id}&limit=1000`, cast.inspectorToken)).json<{ action: string; target: string }[]>();
    expect(entries.some((e) => e.action === 'document.download' && e.target === `document:${all[0]!.id}`)).toBe(true);
    expect(entries.filter((e) => e.action === 'document.issue')).toHaveLength(all.length);
  });

  it('a documents page for each role, linked from the work pages, with downloads', async () => {
    const page = `/recruitments/${id}/documents`;
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/agent/recruitments/${id}`)).body).toContain(`href="${page}"`);
    const listed = await agent.get(page);
    expect(listed.statusCode).toBe(200);
    for (const document of all) expect(listed.body).toContain(`href="/documents/${document.id}"`);
    expect(listed.body).toContain('已邮件送达');
    const pdf = await agent.get(`/documents/${all[0]!.id}`);
    expect(pdf.statusCode).toBe(200);
    expect(sha256(pdf.rawPayload)).toBe(all[0]!.sha256);

    const bidder = new Browser(t.app);
    await bidder.signIn(bidders[0]!);
    expect((await bidder.get(`/recruitments/${id}`)).body).toContain(`href="${page}"`);
    const own = await bidder.get(page);
    expect(own.statusCode).toBe(200);
    const mine = all.filter((d) => d.bidId === bidders[0]!.bidId || d.kind === 'announcement');
    for (const document of all) expect(own.body.includes(`/documents/${document.id}"`)).toBe(mine.includes(document));

    const inspector = new Browser(t.app);
    await inspector.signIn(cast.inspector);
    expect((await inspector.get('/inspector')).body).toContain(`href="${page}"`);
    expect((await inspector.get(page)).statusCode).toBe(200);
    const unauthenticated = await t.app.inject({ url: page, headers: { accept: 'text/html' } });
    expect(unauthenticated.statusCode).toBe(303);
  });
});

describe('public verification', () => {
  it('shows kind, recruitment, organisation, issue time, SHA-256 and status for a code, in any case or spacing', async () => {
    const notice = all.find((d) => d.kind === 'award_notice')!;
    const response = await api(`/verify/${notice.verifyCode.toLowerCase().replaceAll('-', ' ')}`, null);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ kind: 'award_notice', sha256: notice.sha256, status: 'mailed', verifyCode: notice.verifyCode });
    expect(body.recruitment.id).toBe(id);
    expect(bidders.map((b) => b.name)).toContain(body.organization);
    expect(Date.parse(body.issuedAt)).not.toBeNaN();
  });

  it('answers 404 for an unknown or malformed code', async () => {
    expect((await api('/verify/0000-0000-0000-0000', null)).statusCode).toBe(404);
    expect((await api('/verify/not-a-code', null)).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/verify/0000-0000-0000-0000', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });

  it('compares an uploaded PDF: the issued file matches, a tampered copy does not', async () => {
    const notice = all.find((d) => d.kind === 'award_notice')!;
    const original = await download(notice, cast.agentToken);
    const tampered = Buffer.from(original);
    const middle = Math.floor(tampered.length / 2);
    tampered[middle] = tampered[middle]! ^ 0x01;
    for (const [bytes, match] of [
      [original, true],
      [tampered, false],
    ] as const) {
      const body = multipart({}, [{ field: 'file', filename: 'notice.pdf', content: bytes }]);
      const response = await t.app.inject({ method: 'POST', url: `/api/v1/verify/${notice.verifyCode}`, headers: body.headers, payload: body.payload });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ match, sha256: notice.sha256, uploaded: { sha256: sha256(bytes), size: bytes.length } });
    }
  });

  it('the verify page says 一致 or 不一致 for an upload (CSRF token in the URL)', async () => {
    const notice = all.find((d) => d.kind === 'rejection_notice')!;
    const page = await t.app.inject({ url: `/verify/${notice.verifyCode}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(notice.sha256);
    const action = /action="([^"]+)"/.exec(page.body.slice(page.body.indexOf('enctype') - 200))![1]!;
    // the token is the form's first field, never in its URL
    expect(action).toBe(`/verify/${notice.verifyCode}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const original = await download(notice, cast.agentToken);
    const post = async (content: Buffer) => {
      const body = multipart({ _csrf: csrf }, [{ field: 'file', filename: 'x.pdf', content }]);
      return t.app.inject({ method: 'POST', url: action, headers: { ...body.headers, cookie, accept: 'text/html' }, payload: body.payload });
    };
    const same = await post(original);
    expect(same.statusCode).toBe(200);
    expect(same.body).toContain('<strong>一致</strong>');
    const changed = Buffer.concat([original, Buffer.from('%')]);
    expect((await post(changed)).body).toContain('<strong>不一致</strong>');
    const body = multipart({}, [{ field: 'file', filename: 'x.pdf', content: original }]);
    const noToken = await t.app.inject({ method: 'POST', url: `/verify/${notice.verifyCode}`, headers: { ...body.headers, cookie }, payload: body.payload });
    expect(noToken.statusCode).toBe(403);
  });
});

describe('the documents as an outside party checks them', () => {
  it('every signature is valid (pdfsig), the verify endpoint gives each file’s SHA-256, one flipped byte breaks it', async () => {
    for (const document of all) {
      const bytes = await download(document, cast.agentToken);
      expect(sha256(bytes)).toBe(document.sha256);
      expect((await api(`/verify/${document.verifyCode}`, null)).json().sha256).toBe(sha256(bytes));
      const file = writePdf(dir, `${document.id}.pdf`, bytes);
      const report = pdfsig(file);
      expect(report, document.title).toContain('Signature Validation: Signature is Valid.');
      expect(report).toContain('Total document signed');
    }
    const bytes = Buffer.from(await download(all[0]!, cast.agentToken));
    let at = bytes.indexOf('/Producer <') + '/Producer <'.length + 4;
    while (!/[0-9]/.test(String.fromCharCode(bytes[at]!))) at++;
    bytes[at] = bytes[at]! ^ 0x01;
    const report = pdfsig(writePdf(dir, 'tampered.pdf', bytes));
    expect(report).toContain('Signature Validation:');
    expect(report).not.toContain('Signature is Valid');
  }, 120_000);

  it('each agreement names its organisation and carries every mandatory clause heading', async () => {
    for (const document of all.filter((d) => d.kind === 'draft_agreement')) {
      const text = pdfText(writePdf(dir, `${document.id}.pdf`, await download(document, cast.agentToken)));
      const bidder = bidders.find((b) => b.bidId === document.bidId)!;
      expect(text).toContain(bidder.name);
      for (const clause of MANDATORY_CLAUSES) expect(text, clause).toContain(clause);
      expect(text).toContain(document.verifyCode);
    }
  });
});
