import { hkdfSync } from 'node:crypto';

/** The keys derived from DASHBOARD_SESSION_SECRET: one per use, so a key of one kind never opens the other. */
export interface SessionKeys {
  /** HS256 key of the access tokens. */
  access: Uint8Array;
  /** A256GCM key of the login cookie (state, PKCE verifier, next path). */
  loginCookie: Uint8Array;
}

export function deriveSessionKeys(secret: string): SessionKeys {
  const derive = (use: string) => new Uint8Array(hkdfSync('sha256', secret, 'guildflow-dashboard', use, 32));
  return { access: derive('access-token'), loginCookie: derive('login-cookie') };
}
