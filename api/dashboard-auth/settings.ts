import { randomBytes } from 'node:crypto';
import type { Config } from '../../lib/config';

/** The dashboard login's OAuth2 client at Discord. */
export interface DiscordLoginClient {
  clientId: string;
  clientSecret: string;
  /** Discord's API base (DISCORD_API_URL, e.g. https://discord.com/api); the consent page is on its site. */
  apiUrl: string;
  /** {PUBLIC_BASE_URL}/api/auth/callback, registered exactly in the developer portal. */
  redirectUri: string;
}

/** What the dashboard sessions need; absent from the app, /api/auth/* answer 503 and session tokens are unknown. */
export interface DashboardAuthSettings {
  /** Signs the access tokens and seals the login cookie (keys are derived from it, one per use). */
  sessionSecret: string;
  /** Absent (no DISCORD_CLIENT_ID/SECRET): login answers 503; sessions already open still refresh. */
  discord?: DiscordLoginClient;
  /** Access tokens live this long (default 15 minutes). */
  accessTokenSeconds?: number;
  /** A login lasts this long at most, however often refreshed (default 30 days). */
  sessionDays?: number;
  /** The clock for tokens and expiries (tests move it); default the system clock. */
  now?: () => Date;
}

/**
 * The settings from the configuration. Without DASHBOARD_SESSION_SECRET the process makes a random one:
 * `npm start` (one API process) works on its embedded defaults, and logins end when it restarts. Never a
 * fixed secret in the code. `npm run api` requires the setting when login is on (api/main.ts).
 */
export function dashboardAuthFromConfig(config: Pick<Config, 'DISCORD_CLIENT_ID' | 'DISCORD_CLIENT_SECRET' | 'DISCORD_API_URL' | 'PUBLIC_BASE_URL' | 'DASHBOARD_SESSION_SECRET'>): DashboardAuthSettings {
  const sessionSecret = config.DASHBOARD_SESSION_SECRET ?? randomBytes(32).toString('base64url');
  const { DISCORD_CLIENT_ID: clientId, DISCORD_CLIENT_SECRET: clientSecret, PUBLIC_BASE_URL: publicUrl } = config;
  if (!clientId || !clientSecret || !publicUrl) return { sessionSecret };
  return { sessionSecret, discord: { clientId, clientSecret, apiUrl: config.DISCORD_API_URL, redirectUri: loginRedirectUri(publicUrl) } };
}

/** Where Discord sends the browser back after consent: this is what the developer portal must list. */
function loginRedirectUri(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/auth/callback`;
}
