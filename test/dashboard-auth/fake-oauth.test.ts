import { CodeChallengeMethod, generateCodeVerifier, OAuth2Client, OAuth2RequestError } from 'arctic';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { Browser } from './browser';

/**
 * The fake Discord's OAuth2 (test/fakes/discord/oauth.ts) behaves as Discord does for the checks the login
 * relies on, driven by the unmodified arctic client: codes are single-use and expire, the PKCE verifier
 * must match, the client must authenticate, the user's reads need their Bearer token.
 */
describe('fake Discord OAuth2', () => {
  let discord: FakeDiscord;
  const redirectUri = 'http://127.0.0.1:9/api/auth/callback';
  const scopes = ['identify', 'guilds'];

  beforeAll(async () => {
    discord = await startFakeDiscord();
    discord.setOAuthRedirectUris([redirectUri]);
  });
  afterAll(async () => {
    await discord?.close();
  });

  const tokenUrl = () => `${discord.restUrl}/oauth2/token`;
  const client = (secret = discord.oauthApp.clientSecret) => new OAuth2Client(discord.oauthApp.clientId, secret, redirectUri);

  /** A code for this verifier, consented by a new member of a new guild. */
  async function codeFor(verifier: string): Promise<{ code: string; userId: string; guildId: string }> {
    const user = discord.createUser({ username: `u${Math.random().toString(36).slice(2, 8)}` });
    const guild = discord.createGuild({ name: 'OAuth guild', ownerId: user.id });
    discord.setOAuthUser(user.id);
    const url = client().createAuthorizationURLWithPKCE(`${new URL(discord.restUrl).origin}/oauth2/authorize`, 'st', CodeChallengeMethod.S256, verifier, scopes);
    const back = new URL(await new Browser('http://127.0.0.1:9').consent(url.toString()));
    expect(back.searchParams.get('state')).toBe('st');
    return { code: back.searchParams.get('code')!, userId: user.id, guildId: guild.id };
  }

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: unknown) => (err instanceof OAuth2RequestError ? err.code : String(err)),
    );

  it('exchanges a code once, with the right verifier, for a token that reads the user and their guilds', async () => {
    const verifier = generateCodeVerifier();
    const { code, userId, guildId } = await codeFor(verifier);
    const tokens = await client().validateAuthorizationCode(tokenUrl(), code, verifier);
    const me = await fetch(`${discord.restUrl}/v10/users/@me`, { headers: { authorization: `Bearer ${tokens.accessToken()}` } });
    expect(((await me.json()) as { id: string }).id).toBe(userId);
    const guilds = await fetch(`${discord.restUrl}/users/@me/guilds`, { headers: { authorization: `Bearer ${tokens.accessToken()}` } });
    expect(await guilds.json()).toEqual([expect.objectContaining({ id: guildId, owner: true, permissions: expect.any(String) })]);
    expect(await refusal(client().validateAuthorizationCode(tokenUrl(), code, verifier))).toBe('invalid_grant');
    const refreshed = await client().refreshAccessToken(tokenUrl(), tokens.refreshToken(), []);
    expect(refreshed.accessToken()).not.toBe(tokens.accessToken());
  });

  it('refuses a wrong verifier, a wrong client secret, an expired code and a bad Bearer token', async () => {
    const verifier = generateCodeVerifier();
    expect(await refusal(client().validateAuthorizationCode(tokenUrl(), (await codeFor(verifier)).code, generateCodeVerifier()))).toBe('invalid_grant');
    expect(await refusal(client('wrong-secret').validateAuthorizationCode(tokenUrl(), (await codeFor(verifier)).code, verifier))).toBe('invalid_client');
    discord.setOAuthCodeLifetime(0);
    try {
      expect(await refusal(client().validateAuthorizationCode(tokenUrl(), (await codeFor(verifier)).code, verifier))).toBe('invalid_grant');
    } finally {
      discord.setOAuthCodeLifetime(10 * 60_000);
    }
    const me = await fetch(`${discord.restUrl}/v10/users/@me`, { headers: { authorization: 'Bearer nope' } });
    expect(me.status).toBe(401);
  });

  it('shows no consent page for an unregistered redirect URI or a plain PKCE challenge', async () => {
    const origin = new URL(discord.restUrl).origin;
    const base = { client_id: discord.oauthApp.clientId, response_type: 'code', scope: 'identify', state: 's' };
    const bad = await fetch(`${origin}/oauth2/authorize?${new URLSearchParams({ ...base, redirect_uri: 'https://evil.example/cb' })}`);
    expect(bad.status).toBe(400);
    const plain = await fetch(`${origin}/oauth2/authorize?${new URLSearchParams({ ...base, redirect_uri: redirectUri, code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })}`);
    expect(plain.status).toBe(400);
  });
});
