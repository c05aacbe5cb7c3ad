import type { Page } from 'playwright-core';
import { createApiToken } from '../../lib/api-tokens';
import { freePort } from '../../lib/net';
import { waitFor } from '../../lib/wait';
import { ensureWebBuilt } from '../../lib/web/build';
import { startE2E, type E2E } from '../e2e/harness';
import { launchBrowser, screenshot, seriousAxeViolations, type Browser } from './browser';

/** Signs the dashboard's access tokens in these runs (test-only). */
const SESSION_SECRET = 'dashboard-web-test-session-secret-0123456789abcdef';

/**
 * The dashboard as `npm start` serves it (API, worker and bot in process, the real build in web/dist)
 * with the fake Discord and its OAuth app, the demo guild's admin and mod roles set, and Chromium with a
 * fresh profile. Every session comes from the real login (logIn).
 */
export interface Dashboard {
  e2e: E2E;
  /** The API as the browser sees it: Secure cookies are kept on http://localhost only. */
  base: string;
  guild: string;
  admin: string;
  /** The admin's browser (one login, kept by its cookie). */
  browser: Browser;
  /** Screenshots taken, for the report. */
  shots: string[];
  /** A new member of the demo guild at the fake Discord; answers their id. */
  member(name: string): string;
  logIn(page: Page, userId: string): Promise<void>;
  openAsAdmin(path?: string): Promise<{ page: Page; problems: string[] }>;
  checkPage(page: Page, problems: string[], name: string): Promise<void>;
  /** The API called directly with an admin API token (what it answers a body the form refused). */
  callApi(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The API requests a page sends from now on, as `METHOD /path` (to show a form sent nothing). */
export function apiRequestsOf(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/') && r.method() !== 'GET') sent.push(`${r.method()} ${url.pathname}`);
  });
  return sent;
}

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  return waitFor(async () => (await probe()) || undefined, { timeoutMs, intervalMs: 100, what }) as Promise<T>;
}

/** The dashboard with its admin already logged in (their browser keeps the session cookie). */
export async function startDashboardAsAdmin(): Promise<Dashboard> {
  const dashboard = await startDashboard();
  const { page } = await dashboard.browser.page();
  await page.goto(`${dashboard.base}/guilds/${dashboard.guild}/`);
  await dashboard.logIn(page, dashboard.admin);
  await page.close();
  return dashboard;
}

export async function startDashboard(): Promise<Dashboard> {
  const built = ensureWebBuilt({ quiet: true });
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const e2e = await startE2E({
    env: ({ discord }) => ({
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      DISCORD_CLIENT_ID: discord.oauthApp.clientId,
      DISCORD_CLIENT_SECRET: discord.oauthApp.clientSecret,
      DASHBOARD_SESSION_SECRET: SESSION_SECRET,
    }),
  });
  e2e.discord.setOAuthRedirectUris([`${base}/api/auth/callback`]);
  const guild = e2e.demo.guild.id;
  // The bot writes the server's row when it joins; the admin role makes demo-admin an admin.
  await until('the guild’s settings row', () => e2e.prisma.guildSettings.findUnique({ where: { guildId: guild } }));
  await e2e.prisma.guildSettings.update({ where: { guildId: guild }, data: { adminRoleIds: [e2e.demo.roles.admin.id], modRoleIds: [e2e.demo.roles.mod.id], adminLogChannelId: e2e.demo.channels.adminLog.id } });
  await built;
  const browser = await launchBrowser();
  const shots: string[] = [];
  const token = (await createApiToken(e2e.prisma, { guildId: guild, name: 'dashboard-web', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;

  async function logIn(page: Page, userId: string): Promise<void> {
    e2e.discord.setOAuthUser(userId);
    await page.getByRole('link', { name: 'Log in with Discord' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
    expect(await page.title()).toBe('Discord | Authorize access to your account');
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/api/'));
    await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 20_000 }).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nat ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 500)}`);
    });
  }

  return {
    e2e,
    base,
    guild,
    admin: e2e.demo.admin.id,
    browser,
    shots,
    member(name) {
      const user = e2e.discord.createUser({ username: name, globalName: name[0]!.toUpperCase() + name.slice(1) });
      e2e.discord.addMember(guild, user.id);
      return user.id;
    },
    /**
     * The real login in this browser as `userId`: the page's "Log in with Discord", Discord's consent page
     * (Authorize), back through the callback to where the page was. Answers once the app is logged in.
     */
    logIn,
    /**
     * A new tab of the admin's browser on `path`. Tabs are opened one at a time (each page load refreshes the
     * session once, and two refreshes racing with one rotating token count as reuse).
     */
    async openAsAdmin(path = '/') {
      const tab = await browser.page();
      await tab.page.goto(base + path);
      await tab.page.getByRole('navigation', { name: 'Dashboard pages' }).or(tab.page.getByRole('heading', { name: 'Choose a server' })).first().waitFor();
      return tab;
    },
    /** Every page must pass axe (no serious or critical violation) and load with no CSP refusal. */
    async checkPage(page, problems, name) {
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      shots.push(await screenshot(page, name));
    },
    async callApi(method, path, body) {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await browser.close();
      await e2e.close();
      // eslint-disable-next-line no-console -- the report lists where the screenshots are
      if (shots.length) console.log(`dashboard screenshots:\n${shots.join('\n')}`);
    },
  };
}
