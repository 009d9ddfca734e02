import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, createTestApp, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { createCast, createPublished } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

// Issue 15.14: pages without developer noise — the API documentation in the footer, no internal
// keys in public tables, no promise of a page that does not exist.

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const mainMenu = (html: string) => /<nav class="main-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
const footer = (html: string) => /<footer class="site-footer">[\s\S]*?<\/footer>/.exec(html)?.[0] ?? '';

describe('15.14: pages without developer noise', () => {
  it('15.14: “API 文档” is in the footer, in no role’s main menu', async () => {
    const organization = await registerOrganization(t, organizationInput());
    const people = [
      ...(await Promise.all((['admin', 'agent', 'inspector', 'expert'] as const).map((role) => createStaff(t, role)))),
      organization,
    ];
    const visitor = await new Browser(t.app).get('/');
    expect(mainMenu(visitor.body)).not.toContain('/docs');
    expect(footer(visitor.body)).toContain('<a href="/docs">API 文档');
    for (const person of people) {
      const browser = new Browser(t.app);
      await browser.signIn(person);
      const page = await browser.get('/recruitments');
      expect(mainMenu(page.body)).not.toBe('');
      expect(mainMenu(page.body)).not.toContain('/docs');
      expect(footer(page.body)).toContain('<a href="/docs">API 文档');
    }
  });

  it('15.14: the public recruitment page names each lot, never its internal key', async () => {
    const id = await createPublished(t, await createCast(t));
    const page = await new Browser(t.app).get(`/recruitments/${id}`);
    expect(page.statusCode).toBe(200);
    const lots = /<h3>招募类别<\/h3>[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    expect(lots).toContain('<td>文艺演出</td>');
    for (const key of ['arts', 'sports']) expect(lots).not.toContain(`>${key}<`);
    expect(lots).not.toContain('<th>编号</th>');
  });

  it('15.14: the home page promises the administrator only pages that exist', async () => {
    const admin = await createStaff(t, 'admin');
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    const home = (await browser.get('/')).body;
    expect(home).not.toContain('系统设置');
    const card = /<section class="card mine">[\s\S]*?<\/section>/.exec(home)?.[0] ?? '';
    expect(card).toContain('停用或启用账号');
    const links = [...card.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);
    expect(links).toEqual(['/admin', '/admin/experts']);
    for (const link of links) expect((await browser.get(link)).statusCode).toBe(200);
  });
});
