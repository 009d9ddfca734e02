import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { ALL_DECLARED, multipart, pdfWith } from '../helpers/multipart.ts';
import { createCast, createPublished, draftInput, type Cast } from '../helpers/recruitments.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { organizationInput } from '../helpers/uscc.ts';

// What people type ends up in mails, signed PDFs and other people's screens: a one-line field
// holds no line break, control character or bidi override, and no text holds a NUL (PostgreSQL
// text cannot). A refused input is a 400 that names the field and changes nothing.

let t: TestApp;
let cast: Cast;
let recruitmentId: string;
let bidderToken: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t);
  recruitmentId = await createPublished(t, cast, 30);
  bidderToken = await apiToken(t, await registerOrganization(t, organizationInput()));
});
afterAll(() => t.close());

const countRows = async (table: string) => Number((await t.rawRows(`select count(*) as n from ${table}`))[0]!.n);

const UNSAFE_IN_A_LINE = [
  ['CR LF', '星光艺术团\r\n中标单位：另一家'],
  ['LF', '星光\n艺术团'],
  ['RLO (U+202E)', '星光\u202e团术艺'],
  ['LRI (U+2066)', '星光\u2066艺术团'],
  ['BEL', '星光\u0007艺术团'],
  ['NUL', '星光\u0000艺术团'],
  ['DEL', '星光\u007f艺术团'],
] as const;

describe('one-line fields', () => {
  it.each(UNSAFE_IN_A_LINE)('refuse %s in an organisation name and address (400, field named, nothing stored)', async (_name, value) => {
    const before = await countRows('organizations');
    for (const field of ['name', 'address', 'contactName']) {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: organizationInput({ [field]: value }) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(response.json().message).toContain(field);
    }
    expect(await countRows('organizations')).toBe(before);
  });

  it.each(UNSAFE_IN_A_LINE)('refuse %s in a recruitment title, owner and lot name', async (_name, value) => {
    const before = await countRows('recruitments');
    for (const overrides of [
      { title: value },
      { owner: value },
      { lots: [{ key: 'arts', name: value, quota: 3, description: '' }] },
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/recruitments',
        headers: bearer(cast.agentToken),
        payload: draftInput(t, 30, overrides),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
      expect(response.json().message).toMatch(/title|owner|lots/);
    }
    expect(await countRows('recruitments')).toBe(before);
  });

  it('refuse them in an amendment title, while its body keeps its line breaks', async () => {
    const amend = (payload: object) =>
      t.app.inject({ method: 'POST', url: `/api/v1/recruitments/${recruitmentId}/amendments`, headers: bearer(cast.agentToken), payload });
    const refused = await amend({ title: '补充\r\n说明', body: '内容', affectsPreparation: false });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('title');
    expect((await amend({ title: '补充说明', body: '第一行\n第二行\r\n第三行', affectsPreparation: false })).statusCode).toBe(201);
  });
});

describe('NUL in any text', () => {
  it('is refused with 400 in multi-line text and changes nothing', async () => {
    const before = await countRows('recruitments');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/recruitments',
      headers: bearer(cast.agentToken),
      payload: draftInput(t, 30, { body: '招募内容\u0000隐藏', summary: '摘要' }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json().message).toContain('body');
    expect(await countRows('recruitments')).toBe(before);
  });

  it('is refused with 400 in a query string and in a password', async () => {
    const list = await t.app.inject({ url: '/api/v1/recruitments?q=%00' });
    expect(list.statusCode).toBe(400);
    expect(list.json().code).toBe('VALIDATION_FAILED');
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: cast.bidderEmail, password: 'x\u0000y' } });
    expect(login.statusCode).toBe(400);
    expect(login.json().code).toBe('VALIDATION_FAILED');
  });

  it('is refused with 400 in a bid field, and no bid is recorded', async () => {
    const before = await countRows('bids');
    const body = multipart(
      { lot: 'arts', publicBenefitRatio: '25', declarations: ALL_DECLARED, summary: '方案\u0000摘要' },
      [{ filename: 'a.pdf', content: pdfWith('nul') }],
    );
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${recruitmentId}/bids`,
      headers: { ...bearer(bidderToken), ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json().message).toContain('summary');
    expect(await countRows('bids')).toBe(before);
  });
});

/** A bid whose one file carries `disposition` as its Content-Disposition parameters. */
function bidWithFileHeader(disposition: string, { close = true } = {}) {
  const boundary = `----portal${randomBytes(8).toString('hex')}`;
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const payload = Buffer.concat([
    Buffer.from(field('lot', 'arts') + field('publicBenefitRatio', '25') + field('declarations', ALL_DECLARED) + field('summary', '方案')),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="documents"; ${disposition}\r\nContent-Type: application/pdf\r\n\r\n`),
    pdfWith('file-name'),
    Buffer.from(close ? `\r\n--${boundary}--\r\n` : '\r\n'),
  ]);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/recruitments/${recruitmentId}/bids`,
    headers: { ...bearer(bidderToken), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
}

describe('bid file names', () => {
  it.each([
    ['RLO (U+202E)', "filename*=UTF-8''%E2%80%AEfdp.exe"],
    ['NUL', "filename*=UTF-8''a%00b.pdf"],
    ['TAB', "filename*=UTF-8''a%09b.pdf"],
  ])('refuse %s (400, field documents, nothing stored)', async (_name, disposition) => {
    const before = await countRows('bids');
    const response = await bidWithFileHeader(disposition);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json().message).toContain('文件名');
    expect(await countRows('bids')).toBe(before);
  });

  it.each([
    ['CR LF', "filename*=UTF-8''%E6%8A%A5%E4%BB%B7%0D%0A%E4%B8%AD%E6%A0%87.pdf"],
    ['LF', 'filename="报价\n中标.pdf"'],
    ['CR', 'filename="报价\r中标.pdf"'],
  ])('never store one with %s (such a part arrives without a file name: 400, nothing stored)', async (_name, disposition) => {
    const before = await countRows('bids');
    const response = await bidWithFileHeader(disposition);
    expect(response.statusCode).toBe(400);
    expect(await countRows('bids')).toBe(before);
  });

  it('accept a plain name', async () => {
    expect((await bidWithFileHeader("filename*=UTF-8''%E6%96%B9%E6%A1%88.pdf")).statusCode).toBe(201);
  });
});

describe('a multipart body without its closing boundary', () => {
  it('is refused with 400 and records no bid', async () => {
    const before = await countRows('bids');
    const response = await bidWithFileHeader('filename="a.pdf"', { close: false });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('MULTIPART_INVALID');
    expect(response.json().message).toMatch(/[\u4e00-\u9fff]/);
    expect(await countRows('bids')).toBe(before);
  });
});
