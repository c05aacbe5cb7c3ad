import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { AppError, ForbiddenError, UnauthorizedError } from '../../lib/errors';
import { GRANT_NAMES } from '../../lib/grants';
import { PERMISSION_LEVELS } from '../../lib/permissions';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { isoDate } from '../openapi/schemas';
import { LoginRefusedError } from './discord-login';
import { signAccessToken, type GuildAccess, type SessionClaims } from './jwt';
import { clearAuthCookie, LOGIN_COOKIE, readCookie, REFRESH_COOKIE, setAuthCookie } from './cookies';
import { guildAccessOf } from './levels';
import { LOGIN_COOKIE_SECONDS, openLoginState, safeNextPath, sealLoginState } from './login-cookie';
import type { DashboardSessions } from './runtime';
import type { SessionFamily } from './sessions';
import { requireDashboardSession, sessionClaimsOf, sessionsOf } from './session-guard';

/** The custom header refresh and logout need: a browser sends it only from our own pages (CORS), never from a form. */
const CSRF_HEADER = 'x-guildflow-csrf';

const cdn = 'https://cdn.discordapp.com';
const avatarUrl = (f: Pick<SessionFamily, 'userId' | 'avatar'>) =>
  f.avatar ? `${cdn}/avatars/${f.userId}/${f.avatar}.png` : `${cdn}/embed/avatars/${Number((BigInt(f.userId) >> 22n) % 6n)}.png`;
const userJson = (f: SessionFamily) => ({ id: f.userId, username: f.username, globalName: f.globalName, avatarUrl: avatarUrl(f) });
const guildsJson = (f: SessionFamily, access: Record<string, GuildAccess>) =>
  f.discordGuilds
    .filter((g) => access[g.id])
    .map((g) => ({ id: g.id, name: g.name, iconUrl: g.icon ? `${cdn}/icons/${g.id}/${g.icon}.png` : null, level: access[g.id]!.level, grants: access[g.id]!.grants }));

const loginOff = () => new AppError('login_off', 'Dashboard login is off on this server: set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET (see .env.example).', 503);

const sessionUser = z.object({ id: z.string(), username: z.string(), globalName: z.string().nullable(), avatarUrl: z.string() }).meta({ id: 'SessionUser' });
const sessionGuild = z
  .object({ id: z.string(), name: z.string(), iconUrl: z.string().nullable(), level: z.enum(PERMISSION_LEVELS), grants: z.array(z.enum(GRANT_NAMES as [string, ...string[]])) })
  .meta({ id: 'SessionGuild' });
const session = z.object({ accessToken: z.string(), expiresAt: isoDate, user: sessionUser, guilds: z.array(sessionGuild) }).meta({ id: 'Session' });

/** Koa's redirect answers a short HTML or text body naming the target. */
const redirect = (description: string) => ({ description, schema: z.string(), contentType: ['text/html', 'text/plain'] });
/** Query values the handlers read themselves (a missing or repeated one is their own answer, never a 400). */
const passedOn = (description: string) => z.string().optional().catch(undefined).meta({ description });

const TAG = 'dashboard-auth';

/**
 * The web dashboard's login with Discord and its sessions:
 * - `GET /api/auth/login?next=/path` → Discord's consent page (identify, guilds; state; PKCE S256).
 * - `GET /api/auth/callback` → checks the state, exchanges the code, opens a session (refresh cookie), back to `next`.
 * - `POST /api/auth/refresh` → the next refresh cookie and a 15-minute access token with the levels as of now.
 * - `POST /api/auth/logout` → ends the session.
 * - `GET /api/me`, `GET /api/me/guilds` → who the access token is for, and their servers with their levels.
 * Refresh and logout need the `X-Guildflow-CSRF: 1` header. docs/security.md describes the model.
 */
export function dashboardAuthRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, guildDirectory, dashboardSessions } = deps;
  const sessions = (): DashboardSessions => sessionsOf(dashboardSessions);

  const requireSession = requireDashboardSession(dashboardSessions);
  const claimsOf = (ctx: RouteContext): SessionClaims => sessionClaimsOf(ctx);

  const familyOf = async (claims: SessionClaims): Promise<SessionFamily> => {
    const family = await sessions().store.active(claims.familyId);
    if (!family) throw new UnauthorizedError('This session has ended: log in again.');
    return family;
  };

  return routerOf(undefined, deps, [
    route({
      method: 'get',
      path: '/api/auth/login',
      summary: "Log in with Discord: to Discord's consent page",
      description: 'Scopes identify and guilds, with state and PKCE (S256); the state rides in a short-lived sealed cookie.',
      tag: TAG,
      access: { kind: 'public' },
      query: z.looseObject({ next: passedOn('The dashboard path to come back to (only a path of this site).') }),
      responses: { 302: redirect("To Discord's consent page.") },
      handler: async (ctx) => {
        const s = sessions();
        if (!s.login) throw loginOff();
        const { url, state, codeVerifier } = s.login.start();
        const sealed = await sealLoginState(s.keys.loginCookie, { state, codeVerifier, next: safeNextPath(ctx.query.next) }, s.now());
        setAuthCookie(ctx, LOGIN_COOKIE, sealed, { maxAgeSeconds: LOGIN_COOKIE_SECONDS, sameSite: 'Lax' });
        ctx.set('Cache-Control', 'no-store');
        ctx.redirect(url.toString());
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/callback',
      summary: "Discord's answer to a login: opens a session",
      description: 'Checks the state, exchanges the code, sets the refresh cookie and goes back to `next`; a refused login goes to `/?login_error=<code>`.',
      tag: TAG,
      access: { kind: 'public' },
      query: z.looseObject({ state: passedOn('As sent to Discord.'), code: passedOn("Discord's authorization code."), error: passedOn("Discord's error, when the login was not granted.") }),
      responses: { 302: redirect('Back to the dashboard: to `next` when signed in, to `/?login_error=<code>` when not.') },
      handler: async (ctx) => {
        const s = sessions();
        if (!s.login) throw loginOff();
        const login = await openLoginState(s.keys.loginCookie, readCookie(ctx, LOGIN_COOKIE), s.now());
        clearAuthCookie(ctx, LOGIN_COOKIE, 'Lax');
        ctx.set('Cache-Control', 'no-store');
        const fail = (code: string) => {
          ctx.state.log.info({ loginError: code }, 'dashboard login refused');
          ctx.redirect(`/?login_error=${code}`);
        };
        const q = ctx.query;
        if (!login) return fail('login_expired');
        if (typeof q.state !== 'string' || q.state !== login.state) return fail('state_mismatch');
        if (typeof q.error === 'string') return fail(q.error === 'access_denied' ? 'access_denied' : 'discord_error');
        if (typeof q.code !== 'string' || !q.code) return fail('invalid_request');
        let opened: Awaited<ReturnType<DashboardSessions['store']['open']>>;
        try {
          opened = await s.store.open(await s.login.finish(q.code, login.codeVerifier));
        } catch (err) {
          if (err instanceof LoginRefusedError) return fail('login_refused');
          if (err instanceof AppError && err.code === 'discord_unavailable') return fail('discord_unavailable');
          throw err;
        }
        ctx.state.log.info({ userId: opened.family.userId, familyId: opened.family.id }, 'dashboard login');
        setRefreshCookie(ctx, s, opened.refreshToken);
        ctx.redirect(login.next);
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/refresh',
      summary: 'The next refresh cookie and a short-lived access token',
      description: "The access token carries the member's levels and grants per server as of now.",
      tag: TAG,
      access: { kind: 'cookie' },
      before: [requireCsrfHeader],
      responses: { 200: { description: 'The new access token, who it is for, and their servers.', schema: session } },
      handler: async (ctx) => {
        const s = sessions();
        const token = readCookie(ctx, REFRESH_COOKIE);
        if (!token) throw new UnauthorizedError('No session: log in.');
        let rotated: Awaited<ReturnType<DashboardSessions['store']['rotate']>>;
        try {
          rotated = await s.store.rotate(token);
        } catch (err) {
          if (err instanceof UnauthorizedError) clearAuthCookie(ctx, REFRESH_COOKIE, 'Strict');
          throw err;
        }
        // The next token is set before the levels are read: a 503 from Discord then leaves a working session.
        setRefreshCookie(ctx, s, rotated.refreshToken);
        const { family } = rotated;
        const access = await guildAccessOf(prisma, guildDirectory, family.userId, family.discordGuilds.map((g) => g.id));
        const { token: accessToken, expiresAt } = await signAccessToken(s.keys.access, { userId: family.userId, familyId: family.id, guilds: access }, s.now(), s.accessTokenSeconds);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { accessToken, expiresAt: expiresAt.toISOString(), user: userJson(family), guilds: guildsJson(family, access) };
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'End the session',
      tag: TAG,
      access: { kind: 'cookie' },
      before: [requireCsrfHeader],
      responses: { 204: { description: 'Signed out (also when there was no session).' } },
      handler: async (ctx) => {
        const s = sessions();
        const token = readCookie(ctx, REFRESH_COOKIE);
        if (token) await s.store.revoke(token);
        clearAuthCookie(ctx, REFRESH_COOKIE, 'Strict');
        ctx.status = 204;
      },
    }),
    route({
      method: 'get',
      path: '/api/me',
      summary: 'Who the access token is for',
      tag: TAG,
      access: { kind: 'session' },
      before: [requireSession],
      responses: { 200: { description: 'The signed-in member.', schema: z.object({ user: sessionUser }) } },
      handler: async (ctx) => {
        ctx.body = { user: userJson(await familyOf(claimsOf(ctx))) };
      },
    }),
    route({
      method: 'get',
      path: '/api/me/guilds',
      summary: 'Their servers with Guildflow, with their level and grants in each',
      tag: TAG,
      access: { kind: 'session' },
      before: [requireSession],
      responses: { 200: { description: 'As of the access token.', schema: z.object({ guilds: z.array(sessionGuild) }) } },
      handler: async (ctx) => {
        const claims = claimsOf(ctx);
        ctx.body = { guilds: guildsJson(await familyOf(claims), claims.guilds) };
      },
    }),
  ]);
}

function setRefreshCookie(ctx: Context, s: DashboardSessions, token: string): void {
  // The cookie lives as long as a session may; the row's expiry is what counts.
  setAuthCookie(ctx, REFRESH_COOKIE, token, { maxAgeSeconds: s.sessionSeconds, sameSite: 'Strict' });
}

async function requireCsrfHeader(ctx: Context, next: Next): Promise<void> {
  if (ctx.get(CSRF_HEADER) !== '1') throw new ForbiddenError('This request needs the X-Guildflow-CSRF: 1 header (sent only by the dashboard itself).');
  await next();
}
