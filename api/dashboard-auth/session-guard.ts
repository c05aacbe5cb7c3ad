import type { Context, Next } from 'koa';
import { AppError, UnauthorizedError } from '../../lib/errors';
import type { SessionClaims } from './jwt';
import type { DashboardSessions } from './runtime';

type SessionState = { session?: SessionClaims };

const sessionsOff = () => new AppError('sessions_off', 'Dashboard sessions are not configured in this API process.', 503);

/** The app's dashboard sessions, or a 503 when this API process has none. */
export function sessionsOf(dashboardSessions: DashboardSessions | undefined): DashboardSessions {
  if (!dashboardSessions) throw sessionsOff();
  return dashboardSessions;
}

/** Guards an `access: { kind: 'session' }` route: a dashboard access token as the bearer (401 otherwise). */
export function requireDashboardSession(dashboardSessions: DashboardSessions | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (!bearer) throw new UnauthorizedError();
    const claims = await sessionsOf(dashboardSessions).verify(bearer);
    if (!claims) throw new UnauthorizedError('The access token is invalid, expired or its session has ended: refresh it.');
    (ctx.state as SessionState).session = claims;
    await next();
  };
}

/** The claims requireDashboardSession accepted. */
export function sessionClaimsOf(ctx: Context): SessionClaims {
  const claims = (ctx.state as SessionState).session;
  if (!claims) throw new UnauthorizedError();
  return claims;
}
