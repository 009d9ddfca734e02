import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ELIGIBILITY } from '../../server/domain/recruitments/rules.ts';
import { bidDigest } from '../../server/lib/sealing.ts';
import { apiToken, bearer, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { pdfWith } from '../helpers/multipart.ts';
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

const ALL_KEYS = DEFAULT_ELIGIBILITY.map((condition) => condition.key);

/** A new organisation, signed in on a page browser, with an API token for checking what it sees. */
async function newOrganization() {
  const organization = organizationInput();
  await registerOrganization(t, organization);
  const browser = new Browser(t.app);
  await browser.signIn(organization);
  return { browser, organization, token: await apiToken(t, organization) };
}

/** The bid form's entries as a browser gathers them: repeated `declare` boxes, then the files. */
function bidForm(
  { lot = 'arts', ratio = '25', declare = ALL_KEYS, summary = '剧场公益演出方案' } = {},
  files = [{ filename: '方案.pdf', content: pdfWith('page-bid'), type: 'application/pdf' }],
) {
  const form = new FormData();
  form.append('lot', lot);
  form.append('publicBenefitRatio', ratio);
  for (const key of declare) form.append('declare', key);
  form.append('summary', summary);
  for (const file of files) form.append('documents', new Blob([new Uint8Array(file.content)], { type: file.type }), file.filename);
  return form;
}

/** The submission form's action, as the page gives it to the browser. */
async function formAction(browser: Browser, id = recruitmentId) {
  const page = await browser.get(`/bidder/recruitments/${id}/bid`);
  const action = /<form method="post" action="([^"]+)" enctype="multipart\/form-data"/.exec(page.body)?.[1];
  if (!action) throw new Error(`no bid form on the page (${page.statusCode})`);
  return action;
}

/** the bid id a receipt page shows as its number */
const receiptBidId = (html: string) => /<dt>回执编号<\/dt><dd class="receipt-number">([0-9a-f-]{36})<\/dd>/.exec(html)?.[1];

const unescapeHtml = (html: string) =>
  html.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('the submission page', () => {
  it('shows the lots, every eligibility condition as a checkbox, the minimum share and the deadline countdown', async () => {
    const { browser } = await newOrganization();
    const page = await browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="arts">文艺演出（arts，入选名额 3）</option>');
    expect(page.body).toContain('<option value="sports">');
    for (const { key, text } of DEFAULT_ELIGIBILITY) {
      expect(page.body).toContain(`name="declare" value="${key}" required>`);
      expect(page.body).toContain(text);
    }
    expect(page.body).toMatch(/name="publicBenefitRatio" type="number" step="0.1" min="20"/);
    expect(page.body).toContain('招募公告规定不低于 20%');
    expect(page.body).toMatch(/class="countdown" data-deadline="[^"]+">29 天 23 小时 59 分/);
    expect(page.body).toMatch(/action="\/bidder\/recruitments\/[^"?]+\/bid" enctype="multipart\/form-data"/);
    expect(page.body).toContain('<script src="/static/upload.js" defer></script>');
    expect(page.body).toContain('本单位尚未在本项目提交响应文件');
  });

  it('a submission answers the printable receipt with each file\'s name and SHA-256, the digest and its salt, which recompute the digest; later views keep the names sealed', async () => {
    const { browser, token } = await newOrganization();
    const document = pdfWith('receipt-page', 5000);
    const receipt = await browser.postMultipart(
      await formAction(browser),
      await bidForm({ ratio: '37.5', summary: '  周末公益演出  ' }, [{ filename: '响应方案.pdf', content: document, type: 'application/pdf' }]),
    );
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['cache-control']).toBe('no-store');
    const bidId = receiptBidId(receipt.body);
    expect(bidId).toBeDefined();
    const api = (await t.app.inject({ url: `/api/v1/bids/${bidId}`, headers: bearer(token) })).json();
    expect(receipt.body).toContain('响应文件已提交');
    expect(receipt.body).toContain('响应方案.pdf');
    expect(receipt.body).toContain(`<td class="file-size">${(document.length / 1024).toFixed(1)} KB（${document.length.toLocaleString('en-US')} 字节）</td>`);
    expect(receipt.body).toContain(createHash('sha256').update(document).digest('hex'));
    expect(receipt.body).toContain(`<p class="digest"><code>${api.digest}</code></p>`);
    expect(receipt.body).toContain(`<code>${api.receivedAt}</code>`);
    expect(receipt.body).toContain('<dt>类别</dt><dd>文艺演出</dd>');
    expect(receipt.body).toContain('<dt>类别代码</dt><dd><code>arts</code></dd>');
    expect(receipt.body).toContain('RFC 8785');

    // the page's recipe, with the organisation's own values filled in, gives the digest
    const shown = /<pre class="digest-input">([\s\S]*?)<\/pre>/.exec(receipt.body)?.[1] ?? '';
    const input = JSON.parse(unescapeHtml(shown));
    const salt = unescapeHtml(/<code class="salt">([^<]+)<\/code>/.exec(receipt.body)?.[1] ?? '');
    expect(input.salt).toBe(salt);
    input.fields.publicBenefitRatio = 37.5;
    input.fields.summary = '周末公益演出';
    expect(bidDigest(input)).toBe(api.digest);

    // read again, the receipt has what is known without unsealing: no names, no salt
    const later = await browser.get(`/bidder/bids/${bidId}`);
    expect(later.statusCode).toBe(200);
    expect(later.body).toContain('共 1 个文件。文件名已密封，开标后显示');
    expect(later.body).toContain(`<p class="digest"><code>${api.digest}</code></p>`);
    for (const secret of ['响应方案.pdf', createHash('sha256').update(document).digest('hex'), salt.slice(0, 40)]) expect(later.body).not.toContain(secret);
    const recipe = JSON.parse(unescapeHtml(/<pre class="digest-input">([\s\S]*?)<\/pre>/.exec(later.body)?.[1] ?? ''));
    recipe.fields.publicBenefitRatio = 37.5;
    recipe.fields.summary = '周末公益演出';
    recipe.files = [{ name: '响应方案.pdf', size: document.length, sha256: createHash('sha256').update(document).digest('hex') }];
    recipe.salt = salt;
    expect(bidDigest(recipe)).toBe(api.digest);

    const page = await browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    expect(page.body).toContain(`href="/bidder/bids/${bidId}"`);
    // withdrawing starts from the row of the list and asks for confirmation on a page of its own
    expect(page.body).toContain(`href="/bidder/bids/${bidId}/withdraw"`);
  });

  it.each([
    ['an unticked condition', 400, { declare: ALL_KEYS.slice(1) }, undefined, '须逐项声明满足全部资格条件（未声明：political）'],
    ['a share under the minimum', 422, { ratio: '19.9' }, undefined, '公益名额比例不得低于招募公告规定的 20%'],
    ['a file that is not a PDF', 415, {}, [{ filename: '照片.pdf', content: Buffer.from('GIF89a...'), type: 'application/pdf' }], '文件“照片.pdf”不是 PDF 文件'],
  ])('refuses %s with %i and shows the message beside the field, keeping what was typed', async (_case, status, fields, files, message) => {
    const { browser } = await newOrganization();
    const response = await browser.postMultipart(await formAction(browser), await bidForm({ summary: '保留的摘要', ...fields }, files));
    expect(response.statusCode).toBe(status);
    expect(response.body).toContain(`<p class="error" id="e-`);
    expect(response.body).toContain(message);
    expect(response.body).toContain('>保留的摘要</textarea>');
    expect(response.body).toContain('<option value="arts" selected>');
    expect(response.body).toContain('请重新选择');
  });

  it('keeps the boxes that were ticked when a condition is missing', async () => {
    const { browser } = await newOrganization();
    const response = await browser.postMultipart(await formAction(browser), await bidForm({ declare: ['credit'] }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('name="declare" value="credit" required checked>');
    expect(response.body).toContain('name="declare" value="political" required>');
  });

  it('keeps the CSRF token out of the form\'s URL: a hidden field that comes before every other field', async () => {
    const { browser } = await newOrganization();
    const page = await browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    const form = /<form method="post" action="([^"]*)" enctype="multipart\/form-data"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
    expect(form?.[1]).toBe(`/bidder/recruitments/${recruitmentId}/bid`);
    expect(page.body).not.toMatch(/[?&]_csrf=/);
    expect(/<(input|select|textarea)[^>]*name="([^"]+)"/.exec(form?.[2] ?? '')?.[2]).toBe('_csrf');
  });

  it('refuses a multipart post without the CSRF token as its first field (403) and records nothing', async () => {
    const { browser, token } = await newOrganization();
    const action = await formAction(browser);
    const missing = await browser.postMultipart(action, bidForm(), { csrf: false });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('CSRF_INVALID');
    const page = await browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const inUrl = await browser.postMultipart(`${action}?_csrf=${encodeURIComponent(csrf)}`, bidForm(), { csrf: false });
    expect(inUrl.statusCode).toBe(403);
    const last = bidForm();
    last.append('_csrf', csrf);
    expect((await browser.postMultipart(action, last, { csrf: false })).statusCode).toBe(403);
    const mine = await t.app.inject({ url: `/api/v1/me`, headers: bearer(token) });
    expect(mine.statusCode).toBe(200);
    expect(await t.rawRows(`select id from bids where organization_id = '${mine.json().organization.id}'`)).toEqual([]);
  });
});

describe('who may use the bid pages', () => {
  it('15.14: the receipt says its key facts in words; ids, the key fingerprint and the JSON recipe wait in a details element', async () => {
    const { browser, organization } = await newOrganization();
    const receipt = await browser.postMultipart(
      await formAction(browser),
      await bidForm({ ratio: '30', summary: '周末公益演出' }, [{ filename: '方案.pdf', content: pdfWith('receipt-words', 3000), type: 'application/pdf' }]),
    );
    const bidId = receiptBidId(receipt.body);
    const [visible, technical] = receipt.body.split('<details class="receipt-technical">');
    const summary = /<p class="receipt-summary">([\s\S]*?)<\/p>/.exec(visible ?? '')?.[1] ?? '';
    for (const fact of [organization.name, '文艺演出', `回执编号 <strong>${bidId}</strong>`, '第 1 版']) expect(summary).toContain(fact);
    expect(visible).toMatch(/KB（[\d,]+ 字节）/);
    expect(visible).toContain('点击摘要即可选中整串');
    expect(visible).not.toContain('<pre');
    expect(visible).not.toContain(`<code>${recruitmentId}</code>`);
    expect(visible).not.toContain('<code>arts</code>');
    expect(technical).toContain(`<code>${recruitmentId}</code>`);
    expect(technical).toContain('<pre class="digest-input">');
  });

  it('shows a receipt only to its own organisation (404 for another)', async () => {
    const owner = await newOrganization();
    const posted = await owner.browser.postMultipart(await formAction(owner.browser), await bidForm());
    const bidId = receiptBidId(posted.body);
    const other = await newOrganization();
    expect((await other.browser.get(`/bidder/bids/${bidId}`)).statusCode).toBe(404);
    await other.browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    expect((await other.browser.post(`/bidder/bids/${bidId}/withdraw`, {})).statusCode).toBe(404);
  });

  it('refuses an agent (403) and sends a signed-out visitor to sign in (303)', async () => {
    const agent = new Browser(t.app);
    await agent.signIn(cast.agent);
    expect((await agent.get(`/bidder/recruitments/${recruitmentId}/bid`)).statusCode).toBe(403);
    const signedOut = await new Browser(t.app).get(`/bidder/recruitments/${recruitmentId}/bid`);
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe(`/login?next=${encodeURIComponent(`/bidder/recruitments/${recruitmentId}/bid`)}`);
  });
});

describe('withdrawal and the deadline', () => {
  it('withdraws through the page, then says so and offers no second withdrawal', async () => {
    const { browser, token } = await newOrganization();
    const posted = await browser.postMultipart(await formAction(browser), await bidForm());
    const bidId = receiptBidId(posted.body);
    const before = await browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    expect(before.body).toContain('已收到您的响应文件');
    await browser.get(`/bidder/bids/${bidId}/withdraw`);
    const withdrawn = await browser.post(`/bidder/bids/${bidId}/withdraw`, { confirm: '1' });
    expect(withdrawn.statusCode).toBe(303);
    expect(withdrawn.headers.location).toBe(`/bidder/recruitments/${recruitmentId}/bid?done=withdrawn`);
    const page = await browser.get(String(withdrawn.headers.location));
    expect(page.body).toContain('响应文件已撤回。');
    expect(page.body).toContain('status-withdrawn">已撤回</span>');
    // a withdrawn bid is listed on the bid page and the desk, but not as received
    expect(page.body).not.toContain('已收到您的响应文件');
    const desk = await browser.get('/bidder');
    expect(desk.body).toContain(`href="/bidder/bids/${bidId}"`);
    expect(desk.body).not.toContain('已收到您的响应文件');
    expect(page.body).not.toContain(`action="/bidder/bids/${bidId}/withdraw"`);
    expect((await t.app.inject({ url: `/api/v1/bids/${bidId}`, headers: bearer(token) })).json().status).toBe('withdrawn');

    // a second tab still showing the button
    const again = await browser.post(`/bidder/bids/${bidId}/withdraw`, { confirm: '1' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('响应文件已撤回</p>');
  });

  it('15.9: withdrawing a bid asks for confirmation: a post without it is refused and changes nothing', async () => {
    const { browser, token } = await newOrganization();
    const posted = await browser.postMultipart(await formAction(browser), await bidForm());
    const bidId = receiptBidId(posted.body);
    const list = await browser.get(`/bidder/recruitments/${recruitmentId}/bid`);
    // the list offers a link to the confirmation, no form that withdraws at once
    expect(list.body).toContain(`<a class="button secondary small" href="/bidder/bids/${bidId}/withdraw">撤回…</a>`);
    expect(list.body).not.toContain(`action="/bidder/bids/${bidId}/withdraw"`);

    const confirmation = await browser.get(`/bidder/bids/${bidId}/withdraw`);
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.body).toContain('撤回后，该响应文件不再参加开标');
    expect(confirmation.body).toContain('提交截止前，可在提交页面重新提交');
    expect(confirmation.body).toMatch(new RegExp(`action="/bidder/bids/${bidId}/withdraw" class="withdraw-form">\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<input type="hidden" name="confirm" value="1">`));

    for (const fields of [{}, { confirm: '0' }] as Record<string, string>[]) {
      const refused = await browser.post(`/bidder/bids/${bidId}/withdraw`, fields);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('请在本页确认撤回：响应文件尚未撤回');
      expect(refused.body).toContain('name="confirm" value="1"');
    }
    expect((await t.app.inject({ url: `/api/v1/bids/${bidId}`, headers: bearer(token) })).json().status).toBe('submitted');
    expect(await t.rawRows(`select 1 from audit_log where action = 'bid.withdraw' and target = 'bid:${bidId}'`)).toEqual([]);

    const withdrawn = await browser.post(`/bidder/bids/${bidId}/withdraw`, { confirm: '1' });
    expect(withdrawn.statusCode).toBe(303);
    expect((await t.app.inject({ url: `/api/v1/bids/${bidId}`, headers: bearer(token) })).json().status).toBe('withdrawn');
    // the confirmation, opened again, says it is done and offers nothing more
    const after = await browser.get(`/bidder/bids/${bidId}/withdraw`);
    expect(after.body).toContain('该响应文件已撤回');
    expect(after.body).not.toContain('name="confirm"');
  });

  it('after the deadline (server clock) the page says submission has closed and a post is refused with 409', async () => {
    const id = await createPublished(t, cast, 21);
    const { browser } = await newOrganization();
    const action = await formAction(browser, id);
    const deadline = Date.parse((await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json().submissionDeadline);
    const now = t.clock.now();
    t.clock.set(new Date(deadline + 1));
    try {
      const page = await browser.get(`/bidder/recruitments/${id}/bid`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('响应文件提交已截止（以服务器时间为准）');
      expect(page.body).not.toContain('enctype="multipart/form-data"');
      const late = await browser.postMultipart(action, await bidForm());
      expect(late.statusCode).toBe(409);
      expect(late.body).toContain('响应文件提交已截止（以服务器时间为准）</p>');
    } finally {
      t.clock.set(now);
    }
  });
});

describe('upload limits', () => {
  it('shows 413 beside the documents for a file over MAX_UPLOAD_MB and for too many files', async () => {
    const small = await createTestApp({ MAX_UPLOAD_MB: '1' });
    try {
      const smallCast = await createCast(small);
      const id = await createPublished(small, smallCast);
      const organization = organizationInput();
      await registerOrganization(small, organization);
      const browser = new Browser(small.app);
      await browser.signIn(organization);
      const big = [{ filename: 'big.pdf', content: pdfWith('big', 1024 * 1024 + 10), type: 'application/pdf' }];
      const tooBig = await browser.postMultipart(await formAction(browser, id), await bidForm({}, big));
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.body).toContain('<p class="error" id="e-documents">文件“big.pdf”超过大小限制</p>');
      const files = Array.from({ length: 21 }, (_, i) => ({ filename: `f${i}.pdf`, content: pdfWith(`f${i}`), type: 'application/pdf' }));
      const tooMany = await browser.postMultipart(await formAction(browser, id), await bidForm({}, files));
      expect(tooMany.statusCode).toBe(413);
      expect(tooMany.body).toContain('<p class="error" id="e-documents">一次上传的文件或填报项过多');
    } finally {
      await small.close();
    }
  });
});
