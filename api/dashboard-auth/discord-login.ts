import { ArcticFetchError, CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, OAuth2RequestError } from 'arctic';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import type { DiscordLoginClient } from './settings';

/** What the dashboard asks of Discord: who the person is, and the servers they are in. */
const SCOPES = ['identify', 'guilds'];

/** A server as Discord lists it for the person (users/@me/guilds). */
export interface DiscordGuildSummary {
  id: string;
  name: string;
  icon: string | null;
}

export interface DiscordProfile {
  id: string;
  username: string;
  globalName: string | null;
  avatar: string | null;
  guilds: DiscordGuildSummary[];
}

const userSchema = z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish(), avatar: z.string().nullish() });
const guildsSchema = z.array(z.object({ id: z.string(), name: z.string(), icon: z.string().nullish() }));

/** Discord refused the login (a used or expired code, a wrong client): the person starts again. */
export class LoginRefusedError extends AppError {
  constructor(message: string) {
    super('login_refused', message, 400);
  }
}

/** Discord's endpoints from DISCORD_API_URL (…/api): the consent page is on the site itself. */
function endpoints(apiUrl: string) {
  const api = apiUrl.replace(/\/+$/, '');
  const site = api.replace(/\/api$/, '');
  return { authorize: `${site}/oauth2/authorize`, token: `${api}/oauth2/token`, me: `${api}/v10/users/@me`, myGuilds: `${api}/v10/users/@me/guilds` };
}

/** The authorization-code flow with PKCE (S256), through arctic's generic OAuth2 client. */
export function createDiscordLogin(client: DiscordLoginClient) {
  const oauth = new OAuth2Client(client.clientId, client.clientSecret, client.redirectUri);
  const urls = endpoints(client.apiUrl);

  return {
    /** Where to send the browser, and what it must bring back (kept in the sealed login cookie). */
    start(): { url: URL; state: string; codeVerifier: string } {
      const state = generateState();
      const codeVerifier = generateCodeVerifier();
      return { url: oauth.createAuthorizationURLWithPKCE(urls.authorize, state, CodeChallengeMethod.S256, codeVerifier, SCOPES), state, codeVerifier };
    },

    /** Exchanges the code, reads the person and their servers; Discord's token is used here only, never stored. */
    async finish(code: string, codeVerifier: string): Promise<DiscordProfile> {
      let accessToken: string;
      try {
        accessToken = (await oauth.validateAuthorizationCode(urls.token, code, codeVerifier)).accessToken();
      } catch (err) {
        if (err instanceof OAuth2RequestError) throw new LoginRefusedError(`Discord refused the login (${err.code}); log in again.`);
        if (err instanceof ArcticFetchError) throw new AppError('discord_unavailable', 'Discord could not be reached to finish the login; try again shortly.', 503);
        throw err;
      }
      const user = userSchema.parse(await readAsUser(urls.me, accessToken));
      const guilds = guildsSchema.parse(await readAsUser(urls.myGuilds, accessToken));
      return {
        id: user.id,
        username: user.username,
        globalName: user.global_name ?? null,
        avatar: user.avatar ?? null,
        guilds: guilds.map((g) => ({ id: g.id, name: g.name, icon: g.icon ?? null })),
      };
    },
  };
}
export type DiscordLogin = ReturnType<typeof createDiscordLogin>;

async function readAsUser(url: string, accessToken: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new AppError('discord_unavailable', 'Discord could not be reached to finish the login; try again shortly.', 503);
  }
  if (!res.ok) throw new AppError('discord_unavailable', `Discord answered ${res.status} to ${new URL(url).pathname}; try logging in again.`, 503);
  return res.json();
}
