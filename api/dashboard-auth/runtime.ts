import type { PrismaClient } from '../../prisma/client';
import { createDiscordLogin, type DiscordLogin } from './discord-login';
import { looksLikeJwt, verifyAccessToken, type SessionClaims } from './jwt';
import { deriveSessionKeys, type SessionKeys } from './keys';
import { createSessionStore, type SessionStore } from './sessions';
import type { DashboardAuthSettings } from './settings';

/** The dashboard sessions of one API process: keys, the session store, the Discord login when configured. */
export interface DashboardSessions {
  keys: SessionKeys;
  store: SessionStore;
  /** Absent: DISCORD_CLIENT_ID/SECRET are not set, login answers 503. */
  login?: DiscordLogin;
  accessTokenSeconds: number;
  /** How long a login lasts at most (the refresh cookie's Max-Age). */
  sessionSeconds: number;
  now: () => Date;
  /** The claims of a Bearer value that is a valid access token of a session still open; null otherwise. */
  verify(bearer: string): Promise<SessionClaims | null>;
}

export function createDashboardSessions(prisma: PrismaClient, settings: DashboardAuthSettings): DashboardSessions {
  const now = settings.now ?? (() => new Date());
  const keys = deriveSessionKeys(settings.sessionSecret);
  const sessionDays = settings.sessionDays ?? 30;
  const store = createSessionStore(prisma, { sessionDays, now });
  return {
    keys,
    store,
    login: settings.discord && createDiscordLogin(settings.discord),
    accessTokenSeconds: settings.accessTokenSeconds ?? 15 * 60,
    sessionSeconds: sessionDays * 86_400,
    now,
    async verify(bearer) {
      if (!looksLikeJwt(bearer)) return null;
      const claims = await verifyAccessToken(keys.access, bearer, now());
      // Logout and a detected reuse end the family at once, not when its last access token expires.
      return claims && (await store.active(claims.familyId)) ? claims : null;
    },
  };
}
