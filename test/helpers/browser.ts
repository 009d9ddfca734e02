import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../server/app.ts';

/**
 * A browser for page tests through app.inject: keeps cookies, and posts forms with the CSRF
 * token of the last page it loaded, as a person filling in that page would.
 */
export class Browser {
  private cookies = new Map<string, string>();
  private csrfToken: string | null = null;

  constructor(private readonly app: App) {}

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) {
        this.cookies.delete(cookie.name);
      } else {
        this.cookies.set(cookie.name, cookie.value);
      }
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrfToken = token;
    return response;
  }

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(url: string) {
    return this.remember(
      await this.app.inject({ method: 'GET', url, headers: { accept: 'text/html', cookie: this.cookieHeader() } }),
    );
  }

  /** Posts a form; `csrf: false` leaves the token out, as a forged cross-site form would. */
  async post(url: string, fields: Record<string, string>, { csrf = true } = {}) {
    const body = new URLSearchParams(fields);
    if (csrf && this.csrfToken) body.set('_csrf', this.csrfToken);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: {
          accept: 'text/html',
          cookie: this.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: body.toString(),
      }),
    );
  }

  /**
   * Posts a multipart form as the page's form would: the CSRF token of the last page first (the
   * form's first field), then the entries of `form`, encoded by the platform's own FormData.
   * `csrf: false` leaves the token out.
   */
  async postMultipart(url: string, form: FormData, { csrf = true } = {}) {
    const body = new FormData();
    if (csrf && this.csrfToken) body.append('_csrf', this.csrfToken);
    for (const [name, value] of form) body.append(name, value);
    const request = new Request('http://portal.test/', { method: 'POST', body });
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { accept: 'text/html', cookie: this.cookieHeader(), 'content-type': request.headers.get('content-type') ?? '' },
        payload: Buffer.from(await request.arrayBuffer()),
      }),
    );
  }

  async signIn(user: { email: string; password: string }) {
    await this.get('/login');
    const response = await this.post('/login', { email: user.email, password: user.password });
    if (response.statusCode !== 303) throw new Error(`page sign-in failed: ${response.statusCode}`);
    return response;
  }
}
