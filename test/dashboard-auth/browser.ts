/**
 * A browser as far as the dashboard login needs one: follows the login's redirects by hand (so each hop
 * can be checked), keeps the API's cookies, submits the fake Discord's consent form.
 */
export class Browser {
  /** The API origin's cookies (name → value), as Set-Cookie left them. */
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line the API sent, for attribute checks. */
  readonly setCookies: string[] = [];

  constructor(private readonly apiBase: string) {}

  /** A request to the API with its cookies; redirects are not followed. */
  async api(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.apiBase), { ...init, redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...init.headers } });
    this.keepCookies(res);
    return res;
  }

  /** Opens the consent page at `authorizeUrl` and presses Authorize (or Cancel); answers where Discord sends the browser. */
  async consent(authorizeUrl: string, authorize = true): Promise<string> {
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    if (page.status !== 200) throw new Error(`consent page: ${page.status} ${await page.text()}`);
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('consent page without a form');
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, decodeHtml(m[2]!));
    form.set('authorize', String(authorize));
    const submitted = await fetch(new URL(action, authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
    const location = submitted.headers.get('location');
    if (submitted.status !== 302 || !location) throw new Error(`consent submit: ${submitted.status} ${await submitted.text()}`);
    return location;
  }

  /** The whole login: /api/auth/login → Discord's consent → /api/auth/callback; answers the callback's response. */
  async login(next?: string, opts: { authorize?: boolean } = {}): Promise<Response> {
    const start = await this.api(`/api/auth/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
    if (start.status !== 302) throw new Error(`login: ${start.status} ${await start.text()}`);
    const callback = await this.consent(start.headers.get('location')!, opts.authorize ?? true);
    return this.api(callback);
  }

  /** POST /api/auth/refresh as the dashboard sends it (the CSRF header unless told otherwise). */
  refresh(opts: { csrf?: boolean } = {}): Promise<Response> {
    return this.api('/api/auth/refresh', { method: 'POST', headers: opts.csrf === false ? {} : { 'x-guildflow-csrf': '1' } });
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

function decodeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
