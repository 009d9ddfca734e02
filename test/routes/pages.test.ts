import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/plugins/auth.ts';
import { apiToken, bearer, createStaff, createTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { registerOrganization } from '../helpers/organizations.ts';
import { createCast, createDraft, createPublished } from '../helpers/recruitments.ts';
import { organizationInput } from '../helpers/uscc.ts';

let t: TestApp;
let admin: TestUser;
let inspector: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createStaff(t, 'admin');
  inspector = await createStaff(t, 'inspector');
});
afterAll(() => t.close());

describe('layout and home page', () => {
  it('renders in zh-CN with the server time and a strict CSP', async () => {
    const response = await new Browser(t.app).get('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<html lang="zh-CN">');
    expect(response.body).toMatch(/<time id="server-time" datetime="\d{4}-\d\d-\d\dT[^"]+">/);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|https:/);
    expect(response.body).not.toMatch(/<script>|<style>| style=|on(click|load)=/);
    expect(response.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('lists what each role can do and marks the signed-in user\'s role', async () => {
    const browser = new Browser(t.app);
    const anonymous = await browser.get('/');
    for (const label of ['招标代理', '社会组织', '评审专家', '纪检监督员', '系统管理员']) {
      expect(anonymous.body).toContain(label);
    }
    await browser.signIn(inspector);
    const page = await browser.get('/');
    expect(page.body).toContain(inspector.name);
    expect(page.body).toContain('纪检监督员<small>（您的角色）</small>');
    expect(page.body).toContain('href="/inspector/audit"');
  });

  it('15.10: lists the recruitments open for bids, nearest deadline first, with their deadline', async () => {
    const cast = await createCast(t);
    const later = await createPublished(t, cast, 40);
    const sooner = await createPublished(t, cast, 25);
    const draft = await createDraft(t, cast, { title: '尚未发布的草稿项目' });
    const home = await new Browser(t.app).get('/');
    expect(home.body).toContain('正在接受响应的招募');
    const soonerAt = home.body.indexOf(`href="/recruitments/${sooner}"`);
    expect(soonerAt).toBeGreaterThan(-1);
    expect(home.body.indexOf(`href="/recruitments/${later}"`)).toBeGreaterThan(soonerAt);
    expect(home.body).not.toContain(`href="/recruitments/${draft}"`);
    expect(home.body).toMatch(/提交截止 <time datetime="[^"]+">\d{4}/);
    // past its deadline, a recruitment no longer takes bids and leaves the list
    t.clock.set(new Date(t.clock.now().getTime() + 30 * 24 * 60 * 60 * 1000));
    try {
      const after = await new Browser(t.app).get('/');
      expect(after.body).not.toContain(`href="/recruitments/${sooner}"`);
      expect(after.body).toContain(`href="/recruitments/${later}"`);
    } finally {
      t.clock.set(new Date());
    }
  });

  it('serves its assets itself', async () => {
    for (const asset of ['/static/app.css', '/static/app.js']) {
      expect((await t.app.inject({ url: asset })).statusCode).toBe(200);
    }
  });

  it('shows an HTML error page for browsers and JSON for API clients on 404', async () => {
    const page = await new Browser(t.app).get('/no-such-page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('您访问的页面或资源不存在');
    const api = await t.app.inject({ url: '/api/v1/no-such-thing' });
    expect(api.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: '您访问的页面或资源不存在' });
  });
});

describe('sign-in page', () => {
  it('signs in with a new session cookie each time (HttpOnly, SameSite) and follows next', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    const first = browser.cookie(SESSION_COOKIE);
    await browser.get('/login');
    const response = await browser.post('/login', { email: admin.email, password: admin.password, next: '/admin' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`${SESSION_COOKIE}=[^;]+;.*HttpOnly`));
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(browser.cookie(SESSION_COOKIE)).not.toBe(first);
    // the replaced session no longer signs anyone in
    const old = await t.app.inject({ url: '/admin', headers: { cookie: `${SESSION_COOKIE}=${first}` } });
    expect(old.statusCode).toBe(303);
  });

  it.each([
    '//evil.example/',
    '/\\evil.example/',
    '/\t/evil.example',
    '/%09/evil.example',
    '/\n/evil.example',
    '/ok\r\nSet-Cookie: x=1',
    'https://evil.example/',
    'javascript:alert(1)',
    '/a\\b',
    '/\u202e/evil.example',
  ])('never redirects to another site after sign-in (next=%j)', async (next) => {
    const browser = new Browser(t.app);
    await browser.get('/login');
    const response = await browser.post('/login', { email: admin.email, password: admin.password, next: decodeURIComponent(next) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin');
  });

  it('15.10: each role lands on its desk after sign-in, unless a next was given', async () => {
    const bidder = organizationInput();
    await registerOrganization(t, bidder);
    const desks: [{ email: string; password: string }, string][] = [
      [await createStaff(t, 'agent'), '/agent'],
      [inspector, '/inspector'],
      [bidder, '/bidder'],
      [await createStaff(t, 'expert', { specialties: ['体育'] }), '/expert'],
      [admin, '/admin'],
    ];
    for (const [user, desk] of desks) {
      const browser = new Browser(t.app);
      const response = await browser.signIn(user);
      expect(response.headers.location).toBe(desk);
      expect((await browser.get(desk)).statusCode).toBe(200);
    }
    const asked = new Browser(t.app);
    await asked.get('/login?next=%2Frecruitments');
    const followed = await asked.post('/login', { email: inspector.email, password: inspector.password, next: '/recruitments' });
    expect(followed.headers.location).toBe('/recruitments');
  });

  it('follows a same-origin path after sign-in, query included', async () => {
    const browser = new Browser(t.app);
    await browser.get('/login');
    const response = await browser.post('/login', { email: admin.email, password: admin.password, next: '/recruitments?status=published' });
    expect(response.headers.location).toBe('/recruitments?status=published');
  });

  it('marks the session cookie Secure when the portal is served over https', async () => {
    const secure = await createTestApp({ PUBLIC_URL: 'https://portal.example.cn' });
    try {
      const user = await createStaff(secure, 'agent');
      const response = await new Browser(secure.app).signIn(user);
      expect(response.cookies.find((cookie) => cookie.name === SESSION_COOKIE)).toMatchObject({ secure: true, httpOnly: true });
    } finally {
      await secure.close();
    }
  });

  it('shows the error beside the form and keeps the e-mail, never the password', async () => {
    const browser = new Browser(t.app);
    await browser.get('/login');
    const response = await browser.post('/login', { email: admin.email, password: 'wrong-password' });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('邮箱或密码错误');
    expect(response.body).toContain(`value="${admin.email}"`);
    expect(response.body).not.toContain('wrong-password');
  });

  it('answers 400 with a message beside each bad field', async () => {
    const browser = new Browser(t.app);
    await browser.get('/login');
    const response = await browser.post('/login', { email: 'nope', password: '' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<p class="error" id="e-email">邮箱格式不正确</p>');
    expect(response.body).toContain('<p class="error" id="e-password">必填</p>');
  });

  it('refuses a form without its CSRF token (403) and signs no one in', async () => {
    const browser = new Browser(t.app);
    await browser.get('/login');
    const response = await browser.post('/login', { email: admin.email, password: admin.password }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('CSRF');
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('a page session cookie does not authorise API calls', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    const response = await t.app.inject({
      url: '/api/v1/me',
      headers: { cookie: `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE)}` },
    });
    expect(response.statusCode).toBe(401);
  });

  it.each(['/%61pi/v1/me', '/api/v1/%6de', '/%2561pi/v1/me'])(
    'a page session cookie does not authorise an API call reached through an encoded path (%s)',
    async (url) => {
      const browser = new Browser(t.app);
      await browser.signIn(admin);
      const response = await t.app.inject({ url, headers: { cookie: `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE)}` } });
      expect(response.statusCode).not.toBe(200);
      expect(response.body).not.toContain(admin.email);
    },
  );

  it('a page session cookie does not authorise an API call sent with an absolute-form request line', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.write(
      `GET http://127.0.0.1:${port}/api/v1/me HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Cookie: ${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE)}\r\nConnection: close\r\n\r\n`,
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).not.toContain(admin.email);
  });

  it('answers a signed-in user with Cache-Control: no-store, pages and API alike', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    expect((await browser.get('/admin')).headers['cache-control']).toBe('no-store');
    const response = await t.app.inject({ url: '/api/v1/me', headers: bearer(await apiToken(t, admin)) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('signs out with the form, which needs its CSRF token too', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    expect((await browser.post('/logout', {}, { csrf: false })).statusCode).toBe(403);
    expect((await browser.get('/admin')).statusCode).toBe(200);
    const out = await browser.post('/logout', {});
    expect(out.statusCode).toBe(303);
    expect((await browser.get('/admin')).statusCode).toBe(303);
  });
});

describe('registration page', () => {
  it('registers an organisation and signs it in', async () => {
    const browser = new Browser(t.app);
    const form = await browser.get('/register');
    expect(form.statusCode).toBe(200);
    const input = organizationInput();
    const response = await browser.post('/register', input);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/?registered=1');
    const home = await browser.get('/?registered=1');
    expect(home.body).toContain('注册成功');
    expect(home.body).toContain(input.name);
  });

  it('shows INVALID_USCC beside the code field and keeps what was typed', async () => {
    const browser = new Browser(t.app);
    await browser.get('/register');
    const input = organizationInput({ uscc: '91330100716105852E' });
    const response = await browser.post('/register', input);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/<p class="error" id="e-uscc">统一社会信用代码无效/);
    expect(response.body).toContain(`value="${input.name}"`);
    expect(response.body).not.toContain(input.password);
  });

  it('shows DUPLICATE_USCC with 409', async () => {
    const browser = new Browser(t.app);
    const input = organizationInput();
    await browser.get('/register');
    await browser.post('/register', input);
    const other = new Browser(t.app);
    await other.get('/register');
    const response = await other.post('/register', organizationInput({ uscc: input.uscc }));
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('该统一社会信用代码已注册');
  });

  it('answers 400 with messages for missing fields', async () => {
    const browser = new Browser(t.app);
    await browser.get('/register');
    const response = await browser.post('/register', { name: '' });
    expect(response.statusCode).toBe(400);
    for (const field of ['name', 'uscc', 'phone', 'email', 'password', 'address']) {
      expect(response.body).toContain(`id="e-${field}"`);
    }
  });

  it('refuses a registration without its CSRF token', async () => {
    const browser = new Browser(t.app);
    await browser.get('/register');
    const response = await browser.post('/register', organizationInput(), { csrf: false });
    expect(response.statusCode).toBe(403);
  });
});

describe('admin pages', () => {
  it('lists users and creates an expert', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    const page = await browser.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(inspector.email);
    const email = `expert-page-${Date.now()}@example.org`;
    const response = await browser.post('/admin/users', {
      role: 'expert',
      name: '赵专家',
      email,
      password: 'expert-password-2',
      specialties: '文艺演出，体育 公益活动策划',
      affiliationUscc: '91330100716105852F',
    });
    expect(response.statusCode).toBe(303);
    const list = await browser.get('/admin?created=1');
    expect(list.body).toContain(email);
    expect(list.body).toContain('文艺演出、体育、公益活动策划');
  });

  it('shows refusals beside the fields', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    await browser.get('/admin');
    const bad = await browser.post('/admin/users', { role: 'expert', name: 'x', email: 'bad', password: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="e-email"');
    expect(bad.body).toContain('id="e-password"');
    const uscc = await browser.post('/admin/users', {
      role: 'expert',
      name: 'x',
      email: `e-${Date.now()}@example.org`,
      password: 'long-enough-1',
      affiliationUscc: '91330100716105852E',
    });
    expect(uscc.statusCode).toBe(400);
    expect(uscc.body).toMatch(/id="e-affiliationUscc">统一社会信用代码无效/);
  });

  it('sends visitors to sign in, and refuses other roles with 403', async () => {
    const anonymous = await new Browser(t.app).get('/admin');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin');
    const browser = new Browser(t.app);
    await browser.signIn(inspector);
    const page = await browser.get('/admin');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('您的角色无权执行此操作');
    const post = await browser.post('/admin/users', { role: 'agent' });
    expect(post.statusCode).toBe(403);
  });

  it('refuses a user form without its CSRF token', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    await browser.get('/admin');
    const response = await browser.post(
      '/admin/users',
      { role: 'agent', name: '代理', email: `a-${Date.now()}@example.org`, password: 'long-enough-1' },
      { csrf: false },
    );
    expect(response.statusCode).toBe(403);
  });
});

describe('inspector audit page', () => {
  it('shows the entries and that the chain verifies', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(inspector);
    const page = await browser.get('/inspector/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('哈希链核验通过');
    expect(page.body).toContain('<strong class="audit-action">登录</strong>');
  });

  it('is refused to other roles and sends visitors to sign in', async () => {
    expect((await new Browser(t.app).get('/inspector/audit')).statusCode).toBe(303);
    const browser = new Browser(t.app);
    await browser.signIn(admin);
    expect((await browser.get('/inspector/audit')).statusCode).toBe(403);
  });

  it('answers 400 for a bad page parameter', async () => {
    const browser = new Browser(t.app);
    await browser.signIn(inspector);
    expect((await browser.get('/inspector/audit?before=abc')).statusCode).toBe(400);
  });
});

describe('API documentation', () => {
  it('serves the OpenAPI document generated from the route schemas', async () => {
    const response = await t.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    for (const path of ['/api/v1/auth/login', '/api/v1/me', '/api/v1/users', '/api/v1/organizations', '/api/v1/audit']) {
      expect(paths).toContain(path);
    }
    expect(paths).not.toContain('/login');
    const ui = await t.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui-bundle.js');
  });
});
