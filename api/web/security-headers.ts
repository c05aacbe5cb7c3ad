import type { Context, Next } from 'koa';

/**
 * The dashboard's Content-Security-Policy: scripts and styles only from this origin (no inline script),
 * images also from Discord's CDN (avatars, guild icons), no framing, no <base>, forms post here only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https://cdn.discordapp.com",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Security headers on every response, API and dashboard alike (set before the rest runs, so errors carry
 * them too). CORS stays closed: nothing here or elsewhere sets Access-Control-Allow-Origin, so browsers
 * let only the dashboard's own origin read the API.
 */
export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  await next();
}
