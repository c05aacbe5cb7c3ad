import { dashboardAuthFromConfig } from '../../api/dashboard-auth/settings';
import { loadConfig, redactConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

/** The login's settings: both halves of the OAuth2 client and a public URL, or none; secrets never printed. */
describe('dashboard login configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('needs the client id and secret together, with PUBLIC_BASE_URL; a short session secret is refused', () => {
    expect(problems({ DISCORD_CLIENT_ID: '300000000000000001' })).toEqual([
      expect.stringMatching(/^DISCORD_CLIENT_SECRET: set it too/),
      expect.stringMatching(/^PUBLIC_BASE_URL: required by the dashboard login/),
    ]);
    expect(problems({ DISCORD_CLIENT_SECRET: 's', PUBLIC_BASE_URL: 'https://gf.example' })).toEqual([expect.stringMatching(/^DISCORD_CLIENT_ID: set it too/)]);
    expect(problems({ DASHBOARD_SESSION_SECRET: 'short' })).toEqual([expect.stringMatching(/^DASHBOARD_SESSION_SECRET: must be at least 32/)]);
    expect(problems({ DISCORD_CLIENT_ID: 'abc', DISCORD_CLIENT_SECRET: 's', PUBLIC_BASE_URL: 'https://gf.example' })).toEqual([expect.stringMatching(/^DISCORD_CLIENT_ID: must be the application id/)]);
  });

  it('derives the redirect URI from PUBLIC_BASE_URL, redacts the secrets, and makes a random session key when none is set', () => {
    const config = loadConfig({ DISCORD_CLIENT_ID: '300000000000000001', DISCORD_CLIENT_SECRET: 'client-secret-value', PUBLIC_BASE_URL: 'https://gf.example/', DASHBOARD_SESSION_SECRET: 'x'.repeat(40) });
    expect(dashboardAuthFromConfig(config)).toEqual({
      sessionSecret: 'x'.repeat(40),
      discord: { clientId: '300000000000000001', clientSecret: 'client-secret-value', apiUrl: 'https://discord.com/api', redirectUri: 'https://gf.example/api/auth/callback' },
    });
    expect(redactConfig(config)).toMatchObject({ DISCORD_CLIENT_SECRET: '[redacted]', DASHBOARD_SESSION_SECRET: '[redacted]', DISCORD_CLIENT_ID: '300000000000000001' });

    const a = dashboardAuthFromConfig(loadConfig({}));
    const b = dashboardAuthFromConfig(loadConfig({}));
    expect(a.discord).toBeUndefined();
    expect(a.sessionSecret).toMatch(/^[\w-]{43}$/);
    expect(a.sessionSecret).not.toBe(b.sessionSecret);
  });
});
