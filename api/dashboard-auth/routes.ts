import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { AppError, ForbiddenError, UnauthorizedError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { RouteDeps } from '../deps';
import { LoginRefusedError } from './discord-login';
import { signAccessToken, type GuildAccess, type SessionClaims } from './jwt';
import { clearAuthCookie, LOGIN_COOKIE, readCookie, REFRESH_COOKIE, setAuthCookie } from './cookies';
import { guildAccessOf } from './levels';
import { LOGIN_COOKIE_SECONDS, openLoginState, safeNextPath, sealLoginState } from './login-cookie';
import type { DashboardSessions } from './runtime';
import type { SessionFamily } from './sessions';

type State = { log: Logger; session?: SessionClaims };

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
const sessionsOff = () => new AppError('sessions_off', 'Dashboard sessions are not configured in this API process.', 503);

/**
 * The web dashboard's login with Discord and its sessions:
 * - `GET /api/auth/login?next=/path` → Discord's consent page (identify, guilds; state; PKCE S256).
 * - `GET /api/auth/callback` → checks the state, exchanges the code, opens a session (refresh cookie), back to `next`.
 * - `POST /api/auth/refresh` → the next refresh cookie and a 15-minute access token with the levels as of now.
 * - `POST /api/auth/logout` → ends the session.
 * - `GET /api/me`, `GET /api/me/guilds` → who the access token is for, and their servers with their levels.
 * Refresh and logout need the `X-Guildflow-CSRF: 1` header. docs/security.md describes the model.
 */
export function dashboardAuthRoutes({ prisma, guildDirectory, dashboardSessions }: RouteDeps): Router<State> {
  const router = new Router<State>();
  const sessions = (): DashboardSessions => {
    if (!dashboardSessions) throw sessionsOff();
    return dashboardSessions;
  };

  router.get('/api/auth/login', async (ctx) => {
    const s = sessions();
    if (!s.login) throw loginOff();
    const { url, state, codeVerifier } = s.login.start();
    const sealed = await sealLoginState(s.keys.loginCookie, { state, codeVerifier, next: safeNextPath(ctx.query.next) }, s.now());
    setAuthCookie(ctx, LOGIN_COOKIE, sealed, { maxAgeSeconds: LOGIN_COOKIE_SECONDS, sameSite: 'Lax' });
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(url.toString());
  });

  router.get('/api/auth/callback', async (ctx) => {
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
  });

  router.post('/api/auth/refresh', requireCsrfHeader, async (ctx) => {
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
  });

  router.post('/api/auth/logout', requireCsrfHeader, async (ctx) => {
    const s = sessions();
    const token = readCookie(ctx, REFRESH_COOKIE);
    if (token) await s.store.revoke(token);
    clearAuthCookie(ctx, REFRESH_COOKIE, 'Strict');
    ctx.status = 204;
  });

  const requireSession = async (ctx: Context, next: Next): Promise<void> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (!bearer) throw new UnauthorizedError();
    const claims = await sessions().verify(bearer);
    if (!claims) throw new UnauthorizedError('The access token is invalid, expired or its session has ended: refresh it.');
    (ctx.state as State).session = claims;
    await next();
  };

  const familyOf = async (claims: SessionClaims): Promise<SessionFamily> => {
    const family = await sessions().store.active(claims.familyId);
    if (!family) throw new UnauthorizedError('This session has ended: log in again.');
    return family;
  };

  router.get('/api/me', requireSession, async (ctx) => {
    ctx.body = { user: userJson(await familyOf(ctx.state.session!)) };
  });

  router.get('/api/me/guilds', requireSession, async (ctx) => {
    const claims = ctx.state.session!;
    ctx.body = { guilds: guildsJson(await familyOf(claims), claims.guilds) };
  });

  return router;
}

function setRefreshCookie(ctx: Context, s: DashboardSessions, token: string): void {
  // The cookie lives as long as a session may; the row's expiry is what counts.
  setAuthCookie(ctx, REFRESH_COOKIE, token, { maxAgeSeconds: s.sessionSeconds, sameSite: 'Strict' });
}

async function requireCsrfHeader(ctx: Context, next: Next): Promise<void> {
  if (ctx.get(CSRF_HEADER) !== '1') throw new ForbiddenError('This request needs the X-Guildflow-CSRF: 1 header (sent only by the dashboard itself).');
  await next();
}
