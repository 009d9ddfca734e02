import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import jsqr from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ADMIN, api, openingPassphrase, setTestClock, type TestClockChange } from '../helpers/server-process.ts';
import { linkInOutbox } from '../helpers/outbox-links.ts';
import { organizationInput } from '../helpers/uscc.ts';

// A whole recruitment walked through the pages only, each person in a browser context of their
// own, as people would: the clock of the test server is the one thing moved from outside.

export type Person = 'admin' | 'agent' | 'inspector' | 'bidder' | 'rival' | 'third' | `expert${1 | 2 | 3 | 4 | 5}`;

export interface WalkState {
  recruitmentId?: string;
  bidId?: string;
  /** the digest on the bidder's receipt */
  digest?: string;
  users: Partial<Record<Person, { email: string; password: string }>>;
  /** the organisations' names, by who signs in for them */
  organizations: Partial<Record<Person, string>>;
}

const DESKS = { admin: '/admin', agent: '/agent', inspector: '/inspector', expert: '/expert', bidder: '/bidder', rival: '/bidder', third: '/bidder' };

export class Walk {
  private readonly contexts = new Map<Person | 'public', BrowserContext>();

  constructor(
    readonly browser: Browser,
    readonly url: string,
    readonly storageDir: string,
    readonly state: WalkState,
  ) {}

  /** a new page for `person`, signed in through the sign-in page the first time */
  async as(person: Person | 'public', route: string): Promise<Page> {
    let context = this.contexts.get(person);
    if (!context) {
      // organisations on a phone, where they follow their bids; the centre's people at a desk
      const viewport = person === 'bidder' || person === 'rival' ? { width: 390, height: 844 } : { width: 1366, height: 900 };
      context = await this.browser.newContext({ locale: 'zh-CN', viewport, isMobile: viewport.width < 500, hasTouch: viewport.width < 500 });
      this.contexts.set(person, context);
      if (person !== 'public') {
        const credentials = person === 'admin' ? ADMIN : this.state.users[person]!;
        const page = await context.newPage();
        await page.goto(`${this.url}/login`);
        await page.fill('#f-email', credentials.email);
        await page.fill('#f-password', credentials.password);
        await submit(page, page.getByRole('button', { name: '登录' }));
        // each lands on their own desk
        expect(new URL(page.url()).pathname, `${person} signed in`).toBe(DESKS[person.replace(/\d$/, '') as keyof typeof DESKS]);
        await page.close();
      }
    }
    const page = await context.newPage();
    await page.goto(`${this.url}${route}`);
    return page;
  }

  /** moves the test server's clock */
  setClock(body: TestClockChange) {
    return setTestClock(this.url, body);
  }

  /** the link mailed to `to` under `subject`, as its reader would follow it */
  mailedLink(to: string, subject: string): Promise<string> {
    return linkInOutbox(path.join(this.storageDir, 'outbox'), to, subject);
  }

  async close() {
    for (const context of this.contexts.values()) await context.close();
  }
}

/** clicks `button` and waits for the page it leads to */
export async function submit(page: Page, button: Locator) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** the page shows no form error */
export async function expectNoError(page: Page, step: string) {
  const errors = await page.locator('.alert.error, .has-error .error').allTextContents();
  expect(errors, step).toEqual([]);
}

const STRONG = (who: string) => `${who}-走完全程的口令-2026`;

/** The administrator creates the agent, the inspector and five experts on the admin pages. */
export async function createAccounts(walk: Walk) {
  const page = await walk.as('admin', '/admin');
  for (const [person, role, name] of [
    ['agent', 'agent', '王招标'],
    ['inspector', 'inspector', '赵纪检'],
  ] as const) {
    const user = { email: `${person}@walk.example.org`, password: STRONG(person) };
    await page.selectOption('#f-role', role);
    await page.fill('#f-name', name);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await submit(page, page.getByRole('button', { name: '创建账号' }));
    await expectNoError(page, `create ${person}`);
    walk.state.users[person] = user;
  }
  await page.goto(`${walk.url}/admin/experts`);
  for (let i = 1; i <= 5; i++) {
    const person = `expert${i}` as Person;
    const user = { email: `${person}@walk.example.org`, password: STRONG(person) };
    await page.fill('#f-name', `专家${'甲乙丙丁戊'[i - 1]}`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await page.fill('#f-specialties', '文艺演出，公益活动策划');
    await submit(page, page.getByRole('button', { name: '新增专家' }));
    await expectNoError(page, `create ${person}`);
    walk.state.users[person] = user;
  }
  await page.close();
}

/** The agent and the inspector each set their opening passphrase. */
export async function setOpeningKeys(walk: Walk) {
  for (const person of ['agent', 'inspector'] as const) {
    const page = await walk.as(person, '/me/opening-key');
    await page.fill('#f-passphrase', openingPassphrase(person));
    await page.fill('#f-confirmation', openingPassphrase(person));
    await submit(page, page.getByRole('button', { name: '保存口令' }));
    await expectNoError(page, `${person} opening key`);
    await expect(page.locator('.alert.success').textContent()).resolves.toContain('已保存');
    await page.close();
  }
}

/** Three organisations register and follow the link mailed to them. */
export async function registerOrganizations(walk: Walk) {
  for (const person of ['bidder', 'rival', 'third'] as const) {
    const organization = organizationInput();
    const page = await walk.as('public', '/register');
    for (const field of ['name', 'uscc', 'type', 'legalRepresentative', 'address', 'contactName', 'phone', 'email', 'password'] as const) {
      await page.fill(`#f-${field}`, organization[field]);
    }
    await submit(page, page.getByRole('button', { name: '注册' }));
    await expectNoError(page, `register ${person}`);
    const link = await walk.mailedLink(organization.email, '请验证');
    await page.goto(link);
    await submit(page, page.getByRole('button', { name: '确认验证' }));
    await expect(page.locator('.alert.success').textContent()).resolves.toContain('已验证');
    walk.state.users[person] = { email: organization.email, password: organization.password };
    walk.state.organizations[person] = organization.name;
    await page.close();
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** `instant` as a datetime-local field takes it, in Beijing time */
const beijingLocal = (instant: number) => new Date(instant + 8 * HOUR_MS).toISOString().slice(0, 16);

/** The agent drafts the recruitment on the draft form (one lot, one place) and publishes it. */
export async function publish(walk: Walk) {
  const { now } = await walk.setClock({ advanceMs: 0 });
  const page = await walk.as('agent', '/agent/recruitments/new');
  await page.fill('#f-title', '杭州市职工服务驿站社会化运营合作伙伴招募');
  await page.fill('#f-owner', '杭州市职工服务中心');
  await page.fill('#f-summary', '招募文艺演出类合作伙伴一名，运营西湖区职工服务驿站。');
  await page.fill('#f-body', '## 项目概况\n\n驿站面积 300 平方米，向职工提供文艺培训和演出服务。');
  await page.fill('#f-decisionRef', '杭职服〔2026〕8 号 党委会议纪要');
  await page.fill('#f-submissionDeadline', beijingLocal(Date.parse(now) + 21 * DAY_MS));
  await page.fill('#f-agreementTermMonths', '36');
  await page.fill('input[name="lots[0][key]"]', 'arts');
  await page.fill('input[name="lots[0][name]"]', '文艺演出');
  await page.fill('input[name="lots[0][quota]"]', '1');
  await submit(page, page.getByRole('button', { name: '保存草稿' }).first());
  await expectNoError(page, 'save the draft');
  walk.state.recruitmentId = /\/agent\/recruitments\/([0-9a-f-]{36})/.exec(page.url())![1];
  await page.selectOption('#f-inspectorId', { label: `赵纪检（${walk.state.users.inspector!.email}）` });
  await submit(page, page.getByRole('button', { name: '发布招募公告' }));
  await expectNoError(page, 'publish');
  await expect(page.locator('.facts .status').textContent()).resolves.toBe('公告中');
  await page.close();
}

/** The bidder follows the recruitment and asks a question; the agent answers it on its page. */
export async function followAskAnswer(walk: Walk) {
  const id = walk.state.recruitmentId!;
  const bidder = await walk.as('bidder', `/recruitments/${id}`);
  await submit(bidder, bidder.getByRole('button', { name: /^关注/ }));
  await expect(bidder.getByRole('button', { name: '取消关注' }).count()).resolves.toBe(1);
  const question = '驿站的水电费由哪一方承担？';
  await bidder.fill('#f-text', question);
  await submit(bidder, bidder.getByRole('button', { name: '提交问题' }));
  await expectNoError(bidder, 'ask');

  const agent = await walk.as('agent', `/agent/recruitments/${id}`);
  const answerBox = agent.locator('textarea[id^="answer-"]').first();
  await expect(agent.locator('main').textContent()).resolves.toContain(question);
  await answerBox.fill('水电费由合作伙伴承担，按驿站独立电表计量。');
  await submit(agent, agent.getByRole('button', { name: '发布答复' }).first());
  await expectNoError(agent, 'answer');

  await bidder.reload();
  await expect(bidder.locator('.qa').first().textContent()).resolves.toContain('独立电表');
  await bidder.close();
  await agent.close();
}

/** a real PDF of about `bytes`: one page of text with a file attached to it */
async function responsePdf(organization: string, bytes: number) {
  const pdf = await PDFDocument.create();
  pdf.addPage().drawText(`Response of ${organization}`, { x: 72, y: 720, size: 18 });
  await pdf.attach(randomBytes(bytes), 'annex.bin', { mimeType: 'application/octet-stream' });
  return Buffer.from(await pdf.save());
}

/** Each organisation submits its bid on the bid page, the upload's progress shown, and reads its receipt. */
export async function submitBids(walk: Walk) {
  const id = walk.state.recruitmentId!;
  for (const [person, ratio] of [['bidder', '30'], ['rival', '25'], ['third', '20']] as const) {
    const page = await walk.as(person, `/bidder/recruitments/${id}/bid`);
    await page.selectOption('#f-lot', 'arts');
    await page.fill('#f-publicBenefitRatio', ratio);
    for (const box of await page.locator('input[name=declare]').all()) await box.check();
    await page.fill('#f-summary', '每周开展两场职工文艺培训，每月一场公益演出。');
    await page.setInputFiles('#f-documents', { name: '响应文件.pdf', mimeType: 'application/pdf', buffer: await responsePdf(person, 3_000_000) });
    // a slow line, so that the progress shows as it goes
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1_500_000 });
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { progressSeen: string[] }).progressSeen = []);
      const text = document.querySelector('#upload-text')!;
      new MutationObserver(() => seen.push(text.textContent ?? '')).observe(text, { childList: true, characterData: true, subtree: true });
    });
    await page.getByRole('button', { name: '提交响应文件' }).click();
    await expect(page.locator('h1#receipt-h').waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(seen.filter((line) => /^\d+%（/.test(line)).length, seen.join(' | ')).toBeGreaterThan(2);
    expect(seen.some((line) => line.includes('MB/s')), seen.join(' | ')).toBe(true);
    const receipt = await page.locator('article.receipt').textContent();
    expect(receipt).toContain('响应文件.pdf');
    if (person === 'bidder') {
      walk.state.bidId = (await page.locator('.receipt-number').textContent())!.trim();
      walk.state.digest = (await page.locator('.digest code').textContent())!.trim();
    }
    await page.close();
  }
}

/** the page of `person` reloaded until `predicate` holds on its main content (documents are issued just after) */
async function until(page: Page, what: string, predicate: (text: string) => boolean) {
  for (let tries = 0; tries < 60; tries++) {
    if (predicate((await page.locator('main').textContent()) ?? '')) return;
    await sleep(500);
    await page.reload();
  }
  throw new Error(`${what}: never seen on ${page.url()}`);
}

/**
 * After the deadline: the agent starts the opening from its page, the inspector and the bidder
 * sign in to it, both key holders enter their passphrases, the bidder objects (the inspector is
 * told the sign-off waits for the answer) and the agent answers, and the inspector signs the
 * opening record.
 */
export async function openBids(walk: Walk) {
  const id = walk.state.recruitmentId!;
  const { submissionDeadline } = await api<{ submissionDeadline: string }>(walk.url, `/api/v1/recruitments/${id}`);
  await walk.setClock({ now: new Date(Date.parse(submissionDeadline) + HOUR_MS).toISOString() });
  const route = `/recruitments/${id}/opening`;
  const agent = await walk.as('agent', `/agent/recruitments/${id}`);
  await submit(agent, agent.locator('main').getByRole('link', { name: /^开标/ }));
  await submit(agent, agent.getByRole('button', { name: '开始开标' }));
  await expectNoError(agent, 'start the opening');

  const inspector = await walk.as('inspector', route);
  const bidder = await walk.as('bidder', route);
  for (const page of [inspector, bidder]) {
    await submit(page, page.getByRole('button', { name: '签到参加开标' }));
    await expectNoError(page, 'attend');
  }
  for (const [person, page] of [['agent', agent], ['inspector', inspector]] as const) {
    await page.reload();
    await page.locator('input[name=bidKeyFingerprint]').check();
    await page.fill('#f-passphrase', openingPassphrase(person));
    await submit(page, page.getByRole('button', { name: '确认口令' }));
    await expectNoError(page, `${person} unlocks`);
  }

  await bidder.reload();
  await bidder.fill('#f-objection', '请当场公布各响应文件的接收时间。');
  await submit(bidder, bidder.getByRole('button', { name: '提交异议' }));
  await expectNoError(bidder, 'object');
  // while the objection waits, the inspector is told why, not offered the sign-off
  await inspector.reload();
  await expect(inspector.locator('#signoff-waits').textContent()).resolves.toContain('经办人答复后方可签字确认');
  await expect(inspector.getByRole('button', { name: '签字确认开标记录' }).count()).resolves.toBe(0);
  await agent.reload();
  await agent.locator('textarea[id^="answer-"]').first().fill('接收时间已列于开标记录，请核对。');
  await submit(agent, agent.getByRole('button', { name: '答复' }));
  await expectNoError(agent, 'answer the objection');

  await inspector.reload();
  await inspector.fill('#f-comment', '开标程序符合规定。');
  await submit(inspector, inspector.getByRole('button', { name: '签字确认开标记录' }));
  await expectNoError(inspector, 'sign off the opening');
  // every attendee reads the opened bids; the bidder finds its receipt's digest recomputed alike
  await bidder.reload();
  const row = bidder.locator('tr', { hasText: walk.state.digest! });
  await expect(row.textContent()).resolves.toContain('一致');
  await agent.goto(`${walk.url}/agent/recruitments/${id}`);
  await until(agent, 'the evaluation stage', (text) => text.includes('专家评审'));
  for (const page of [agent, inspector, bidder]) await page.close();
}

const EXPERTS = [1, 2, 3, 4, 5].map((i) => `expert${i}` as Person);
/** what share of each criterion's maximum each expert gives each organisation */
const MERIT: Partial<Record<Person, number>> = { bidder: 0.9, rival: 0.75, third: 0.6 };

/**
 * The agent draws a panel of five; each expert declares no conflict, the chair records the
 * qualification, each expert scores every bid (the running total follows the inputs), submits and
 * confirms; the inspector signs the evaluation off.
 */
export async function evaluate(walk: Walk) {
  const id = walk.state.recruitmentId!;
  const route = `/recruitments/${id}/evaluation`;
  const agent = await walk.as('agent', route);
  await agent.fill('#f-size', '5');
  await submit(agent, agent.getByRole('button', { name: '随机抽取' }));
  await expectNoError(agent, 'draw the panel');

  const pages = new Map<Person, Page>();
  for (const expert of EXPERTS) {
    const page = await walk.as(expert, route);
    await page.locator('input[name=conflict][value="0"]').check();
    await submit(page, page.getByRole('button', { name: '提交声明' }));
    await expectNoError(page, `${expert} declares`);
    pages.set(expert, page);
  }
  const chairs = [];
  for (const page of pages.values()) {
    await page.reload();
    if (await page.locator('form.qualification').count()) chairs.push(page);
  }
  expect(chairs).toHaveLength(1);
  const chair = chairs[0]!;
  for (let i = 0; i < 3; i++) {
    const form = chair.locator('form.qualification').nth(i);
    for (const radio of await form.locator('input[type=radio][value=pass]').all()) await radio.check();
    await submit(chair, form.getByRole('button', { name: '保存资格审查结果' }));
    await expectNoError(chair, 'qualify');
    await expect(chair.locator('.alert.success').first().textContent()).resolves.toMatch(/\S/);
  }

  for (const [e, expert] of EXPERTS.entries()) {
    const page = pages.get(expert)!;
    await page.reload();
    for (const [person, merit] of Object.entries(MERIT)) {
      const article = page.locator('article.bid-review', { hasText: walk.state.organizations[person as Person]! });
      let total = 0;
      for (const input of await article.locator('form.scoring input[type=number]').all()) {
        const score = Math.round(Number(await input.getAttribute('max')) * (merit - e * 0.01) * 2) / 2;
        await input.fill(String(score));
        total += score;
      }
      await expect(article.locator('[data-score-total]').textContent()).resolves.toBe(String(total));
      await submit(page, article.getByRole('button', { name: '保存评分草稿' }));
      await expectNoError(page, `${expert} scores ${person}`);
    }
    await submit(page, page.getByRole('button', { name: '提交全部评分' }));
    await expectNoError(page, `${expert} submits`);
  }
  for (const [expert, page] of pages) {
    await page.reload();
    await submit(page, page.getByRole('button', { name: '确认评审结果' }));
    await expectNoError(page, `${expert} confirms`);
    await page.close();
  }
  const inspector = await walk.as('inspector', route);
  await inspector.fill('#f-signoff', '评审过程规范。');
  await submit(inspector, inspector.getByRole('button', { name: '签字确认评审' }));
  await expectNoError(inspector, 'sign off the evaluation');
  // the ranking: the bidder first and recommended
  await expect(inspector.locator('table.ranking tbody tr').first().textContent()).resolves.toContain(walk.state.organizations.bidder!);
  await inspector.close();
  await agent.close();
}

/**
 * The agent publishes the result; the organisation not selected reads its own score and rank and
 * challenges the result; the agent answers; after the publicity the inspector signs off and the
 * agent awards.
 */
export async function publicityAndAward(walk: Walk) {
  const id = walk.state.recruitmentId!;
  const route = `/recruitments/${id}/publicity`;
  const agent = await walk.as('agent', route);
  await submit(agent, agent.getByRole('button', { name: '公示中选候选人' }));
  await expectNoError(agent, 'publicity');

  const rival = await walk.as('rival', '/bidder');
  await expect(rival.locator('.bid-score').textContent()).resolves.toMatch(/本单位得分 [\d.]+ 分，在本类别排第 2 名（共 3 家参加评分）/);
  await rival.goto(`${walk.url}${route}`);
  await rival.fill('#f-text', '第一名的公益名额比例是否经过核实？');
  await submit(rival, rival.getByRole('button', { name: '提交质疑' }));
  await expectNoError(rival, 'challenge');

  await agent.reload();
  await agent.locator('textarea[id^="answer-"]').first().fill('经核实，第一名的公益名额比例与其响应文件一致，质疑不成立。');
  await submit(agent, agent.getByRole('button', { name: '发布答复' }));
  await expectNoError(agent, 'answer the challenge');
  await rival.reload();
  await expect(rival.locator('main').textContent()).resolves.toContain('质疑不成立');

  const { publicityDays } = await api<{ publicityDays: number }>(walk.url, `/api/v1/recruitments/${id}`);
  await walk.setClock({ advanceMs: (2 * publicityDays + 4) * DAY_MS });
  const inspector = await walk.as('inspector', route);
  await inspector.fill('#f-comment', '同意定标。');
  await submit(inspector, inspector.getByRole('button', { name: '签字确认定标' }));
  await expectNoError(inspector, 'sign off the award');
  await agent.reload();
  await submit(agent, agent.getByRole('button', { name: '确定入选单位（定标）' }));
  await expectNoError(agent, 'award');
  for (const page of [agent, rival, inspector]) await page.close();
}

/** the text of the first QR code on the first page of `pdf`, rendered as poppler renders it */
function qrCodeIn(pdf: Buffer): string {
  const ppm = execFileSync('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', '-'], { input: pdf, maxBuffer: 64 * 1024 * 1024 });
  // P6 <width> <height> 255 then RGB bytes
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
  const [width, height] = [Number(header[1]), Number(header[2])];
  const rgb = ppm.subarray(header[0].length);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  const code = jsqr.default(rgba, width, height);
  if (!code) throw new Error('no QR code on the first page');
  return code.data;
}

/**
 * The selected organisation downloads its award notice from its desk, follows the QR code printed
 * on it, and compares the file on the verification page: the original matches, a changed copy
 * does not. The organisation not selected finds its not-selected notice the same way.
 */
export async function noticesAndVerification(walk: Walk) {
  const bidder = await walk.as('bidder', '/bidder');
  await until(bidder, 'the award notice', (text) => text.includes('下载入选通知书'));
  const link = bidder.getByRole('link', { name: '下载入选通知书（PDF）' });
  const response = await bidder.context().request.get(`${walk.url}${await link.getAttribute('href')}`);
  expect(response.headers()['content-type']).toBe('application/pdf');
  const notice = Buffer.from(await response.body());
  const verifyUrl = qrCodeIn(notice);
  expect(verifyUrl).toMatch(new RegExp(`^${walk.url}/verify/[A-Z0-9-]+$`));

  const visitor = await walk.as('public', new URL(verifyUrl).pathname);
  await expect(visitor.locator('main').textContent()).resolves.toContain(walk.state.organizations.bidder!);
  for (const [file, verdict] of [
    [notice, '一致'],
    [Buffer.concat([notice, Buffer.from('\n% changed\n')]), '不一致'],
  ] as const) {
    await visitor.setInputFiles('#file', { name: '入选通知书.pdf', mimeType: 'application/pdf', buffer: file });
    await submit(visitor, visitor.getByRole('button', { name: '比对' }));
    await expect(visitor.locator('.alert strong').first().textContent()).resolves.toBe(verdict);
  }

  const rival = await walk.as('rival', '/bidder');
  await until(rival, 'the not-selected notice', (text) => text.includes('下载未入选通知书'));
  for (const page of [bidder, visitor, rival]) await page.close();
}
