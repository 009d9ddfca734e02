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
   * Posts a multipart body to `url` as given: a multipart form carries its CSRF token in the
   * URL (the form's action), because the body is read only after the check.
   */
  async postMultipart(url: string, body: { payload: Buffer; headers: Record<string, string> }) {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { accept: 'text/html', cookie: this.cookieHeader(), ...body.headers },
        payload: body.payload,
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
