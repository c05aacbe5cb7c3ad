import type { Context } from 'koa';

/** The refresh token's cookie: only our /api/auth routes ever receive it, and never from another site. */
export const REFRESH_COOKIE = 'gf_refresh';
/** The login in progress (sealed state, PKCE verifier, next path): Lax, since Discord's redirect back is cross-site. */
export const LOGIN_COOKIE = 'gf_oauth';
const COOKIE_PATH = '/api/auth';

/**
 * Sets a cookie with Set-Cookie written here rather than by Koa's cookies, which refuse `Secure` on a
 * plain-http request: behind a TLS proxy, and on http://localhost (which browsers treat as secure), the
 * cookies must still be Secure.
 */
export function setAuthCookie(ctx: Context, name: string, value: string, opts: { maxAgeSeconds: number; sameSite: 'Strict' | 'Lax' }): void {
  ctx.append('Set-Cookie', `${name}=${value}; Path=${COOKIE_PATH}; Max-Age=${opts.maxAgeSeconds}; HttpOnly; Secure; SameSite=${opts.sameSite}`);
}

export function clearAuthCookie(ctx: Context, name: string, sameSite: 'Strict' | 'Lax'): void {
  ctx.append('Set-Cookie', `${name}=; Path=${COOKIE_PATH}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=${sameSite}`);
}

export function readCookie(ctx: Context, name: string): string | undefined {
  for (const part of (ctx.get('cookie') || '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
