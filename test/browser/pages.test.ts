import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/paths.ts';
import { killAllServers, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { seedState, type SeededState } from './seed.ts';

// Every page of SPEC's list, as each role that uses it, on a desktop (1366×900) and a phone
// (390×844), in Chromium: no console error, no horizontal page scroll, and no axe violation of any
// impact (Swagger UI's /docs is left to its authors). Prints the axe totals per page and
// keeps screenshots of the pages people look at on phones.

const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const SCREENS_DIR = path.join(PROJECT_ROOT, 'test-results', 'screens');
type Role = keyof SeededState['users'] | 'public';

let server: ServerProcess;
let storageDir: string;
let browser: Browser;
let state: SeededState;
const contexts = new Map<Role, BrowserContext>();
const axeTotals: string[] = [];

beforeAll(async () => {
  storageDir = mkdtempSync(path.join(tmpdir(), 'portal-browser-'));
  server = await startServer({ STORAGE_DIR: storageDir, PORTAL_TEST_CLOCK: '1', MIN_TENDER_DAYS: '20' });
  [state, browser] = await Promise.all([
    seedState(server.url, storageDir),
    chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }),
  ]);
  mkdirSync(SCREENS_DIR, { recursive: true });
  console.log(`screenshots: ${SCREENS_DIR}`);
});

afterAll(async () => {
  if (axeTotals.length) console.log(`axe violations per page (critical/serious/moderate/minor):\n${axeTotals.sort().join('\n')}`);
  await browser?.close();
  await server?.stop();
  killAllServers();
  rmSync(storageDir, { recursive: true, force: true });
});

async function contextFor(role: Role): Promise<BrowserContext> {
  const known = contexts.get(role);
  if (known) return known;
  const context = await browser.newContext({ locale: 'zh-CN' });
  if (role !== 'public') {
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=email]', state.users[role].email);
    await page.fill('input[name=password]', state.users[role].password);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('form button[type=submit]')]);
    await page.close();
  }
  contexts.set(role, context);
  return context;
}

interface Sweep {
  consoleErrors: string[];
  /** the innermost elements past the right edge, when the page scrolls sideways */
  overflow: { scrollWidth: number; clientWidth: number; culprits: string[] };
  violations: string[];
}

/** how wide the page is, and the innermost elements past its right edge */
function pageOverflow(page: Page) {
  return page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    const past = (el: Element) => el.getBoundingClientRect().right > clientWidth + 1;
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((el) => past(el) && ![...el.children].some(past))
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`);
    return { scrollWidth, clientWidth, culprits };
  });
}

/** Loads `route` as `role` at `viewport` and answers what the sweep checks. */
async function sweep(role: Role, route: string, viewport: (typeof VIEWPORTS)[number], screenshot?: string): Promise<Sweep> {
  const page: Page = await (await contextFor(role)).newPage();
  await page.setViewportSize({ width: viewport.width, height: viewport.height });
  const consoleErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  try {
    const response = await page.goto(`${server.url}${route}`, { waitUntil: 'load' });
    expect(response?.status(), `${role} ${route}`).toBeLessThan(400);
    const overflow = await pageOverflow(page);
    let found: string[] = [];
    if (!route.startsWith('/docs')) {
      const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
      const count = (impact: string) => violations.filter((v) => v.impact === impact).length;
      const ids = violations.map((v) => `${v.id} (${v.impact})`).join(', ');
      axeTotals.push(`  ${role.padEnd(9)} ${viewport.width}px ${route}: ${['critical', 'serious', 'moderate', 'minor'].map(count).join('/')}${ids ? ` ${ids}` : ''}`);
      found = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')} (${v.nodes[0]?.failureSummary ?? ''})`);
    }
    if (screenshot) await page.screenshot({ path: path.join(SCREENS_DIR, screenshot), fullPage: true });
    return { consoleErrors, overflow, violations: found };
  } finally {
    await page.close();
  }
}

/** the pages of SPEC's list, by the role that uses them */
function pagesOf(role: Role): { route: string; screenshot?: string }[] {
  const { awardedId: done, openId: open, openBidId, partnershipId, verifyCode } = state;
  const { organizationId, completedReviewId, openReviewId } = state.partnership;
  switch (role) {
    case 'public':
      return [
        { route: '/' },
        { route: '/recruitments' },
        { route: `/recruitments/${done}` },
        { route: `/recruitments/${open}` },
        { route: '/login' },
        { route: '/register' },
        { route: '/password-reset' },
        { route: `/verify/${verifyCode}`, screenshot: 'verify-390.png' },
        { route: `/sites/${done}` },
        { route: `/rate/${partnershipId}`, screenshot: 'rate-390.png' },
        { route: '/docs' },
      ];
    case 'bidder':
      return [
        { route: '/bidder', screenshot: 'bidder-desk-390.png' },
        { route: `/bidder/recruitments/${open}/bid` },
        { route: `/bidder/bids/${openBidId}` },
        { route: `/recruitments/${done}` },
        { route: `/recruitments/${done}/opening` },
        { route: '/partnerships' },
        { route: `/partnerships/${partnershipId}` },
        { route: `/partnerships/${partnershipId}/offers` },
        { route: `/partnerships/${partnershipId}/ratings` },
        { route: `/partnerships/${partnershipId}/reviews` },
        { route: `/reviews/${completedReviewId}` },
      ];
    case 'agent':
      return [
        { route: '/agent' },
        { route: '/agent/recruitments/new' },
        { route: `/agent/recruitments/${done}` },
        { route: `/agent/recruitments/${open}` },
        { route: `/recruitments/${done}/opening` },
        { route: `/recruitments/${done}/evaluation`, screenshot: 'evaluation-result-390.png' },
        { route: `/recruitments/${done}/publicity` },
        { route: `/recruitments/${done}/documents` },
        { route: `/recruitments/${done}/partnerships` },
        { route: `/partnerships/${partnershipId}` },
        { route: `/partnerships/${partnershipId}/offers` },
        { route: `/partnerships/${partnershipId}/ratings` },
        { route: `/partnerships/${partnershipId}/reviews` },
        { route: `/reviews/${openReviewId}`, screenshot: 'review-form-390.png' },
        { route: `/reviews/${completedReviewId}` },
        { route: `/organizations/${organizationId}/records` },
        { route: '/me/opening-key' },
      ];
    case 'expert':
      return [{ route: '/expert' }, { route: `/recruitments/${done}/evaluation` }];
    case 'inspector':
      return [
        { route: '/inspector' },
        { route: '/inspector/alerts' },
        { route: '/inspector/audit' },
        { route: '/inspector/partnerships' },
        { route: `/inspector/recruitments/${done}/audit` },
        { route: `/recruitments/${done}/opening` },
        { route: `/recruitments/${done}/evaluation` },
        { route: `/recruitments/${done}/partnerships` },
        { route: `/partnerships/${partnershipId}/ratings` },
        { route: `/partnerships/${partnershipId}/reviews` },
        { route: `/reviews/${completedReviewId}` },
        { route: `/organizations/${organizationId}/records` },
        { route: '/me/notifications' },
      ];
    case 'admin':
      return [{ route: '/admin' }, { route: '/admin/experts' }];
  }
}

const ROLES: Role[] = ['public', 'bidder', 'agent', 'expert', 'inspector', 'admin'];

describe('15: every page in a real browser', () => {
  for (const role of ROLES) {
    it(`15.15, 15.2, 15.12: the ${role} pages at 1366 and 390 px: no console error, no page scroll sideways, no axe violation`, async () => {
      const problems: string[] = [];
      for (const { route, screenshot } of pagesOf(role)) {
        for (const viewport of VIEWPORTS) {
          const result = await sweep(role, route, viewport, viewport.name === 'phone' ? screenshot : undefined);
          const at = `${role} ${route} at ${viewport.width}px`;
          // Swagger UI's own inline styles, which the CSP refuses, are left to it
          if (!route.startsWith('/docs')) for (const error of result.consoleErrors) problems.push(`${at}: console error ${error}`);
          const { scrollWidth, clientWidth, culprits } = result.overflow;
          if (scrollWidth > clientWidth) problems.push(`${at}: ${scrollWidth}px wide in ${clientWidth}px (${culprits.join(', ')})`);
          for (const violation of result.violations) problems.push(`${at}: axe ${violation}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

/** `route` open as `role` on a phone, for the caller to close */
async function onPhone(role: Role, route: string): Promise<Page> {
  const page = await (await contextFor(role)).newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}${route}`);
  return page;
}

/** the right edge of the first element `selector` finds */
async function rightEdge(page: Page, selector: string) {
  const box = (await page.locator(selector).first().boundingBox())!;
  return box.x + box.width;
}

describe('15.2, 15.12: the pages people read on phones', () => {
  it('15.2: the verify page fits 390 px: its hashes wrap, and "比对" can be tapped twice', async () => {
    const page = await onPhone('public', `/verify/${state.verifyCode}`);
    try {
      expect(await rightEdge(page, 'code.digest')).toBeLessThanOrEqual(390);
      for (const attempt of [1, 2]) {
        const copy = Buffer.from(`%PDF-1.7\n${attempt}\n%%EOF\n`);
        await page.setInputFiles('input[name=file]', { name: `copy-${attempt}.pdf`, mimeType: 'application/pdf', buffer: copy });
        expect(await rightEdge(page, 'form[enctype] button[type=submit]')).toBeLessThanOrEqual(390);
        await Promise.all([page.waitForEvent('framenavigated'), page.getByRole('button', { name: '比对' }).click()]);
        await page.waitForLoadState('load');
        // the answer names this attempt's own digest: the second tap was taken
        expect(await page.locator('main').textContent()).toContain(createHash('sha256').update(copy).digest('hex'));
        expect(await page.locator('.alert.error').first().textContent()).toContain('不一致');
      }
      const { scrollWidth, culprits } = await pageOverflow(page);
      expect(scrollWidth, culprits.join(', ')).toBeLessThanOrEqual(390);
    } finally {
      await page.close();
    }
  });

  it('15.12: the evaluation result on a phone: the chart is not clipped, score and recommendation are on screen, badges and the panel\'s states stay on one line', async () => {
    const page = await onPhone('agent', `/recruitments/${state.awardedId}/evaluation`);
    try {
      expect(await rightEdge(page, '.chart svg')).toBeLessThanOrEqual(390);
      const headers = await page.locator('table.ranking th').allTextContents();
      expect(headers.slice(0, 5)).toEqual(['排名', '响应单位', '公益名额比例', '得分', '推荐']);
      expect(await rightEdge(page, 'table.ranking th:nth-child(5)')).toBeLessThanOrEqual(390);
      const badge = (await page.locator('h1 .status').boundingBox())!;
      const lineHeight = await page.locator('h1 .status').evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
      expect(badge.height).toBeLessThan(lineHeight * 1.5);
      // the panel's states stay on one line
      const lines = await page
        .locator('table.panel-members td', { hasText: '已提交' })
        .first()
        .evaluate((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          return range.getClientRects().length;
        });
      expect(lines).toBe(1);
    } finally {
      await page.close();
    }
  });

  it("15.12: the draft form's tables scroll inside the page on a phone, and each scrollable table takes the keyboard focus (15.15)", async () => {
    const page = await onPhone('agent', '/agent/recruitments/new');
    try {
      const { scrollWidth, culprits } = await pageOverflow(page);
      expect(scrollWidth, culprits.join(', ')).toBeLessThanOrEqual(390);
      const wrappers = page.locator('.table-scroll');
      expect(await wrappers.count()).toBeGreaterThan(0);
      for (const wrapper of await wrappers.all()) {
        expect(await wrapper.getAttribute('tabindex')).toBe('0');
        expect(await wrapper.getAttribute('aria-label')).toMatch(/\S/);
      }
      expect(await page.locator('thead th:empty').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
