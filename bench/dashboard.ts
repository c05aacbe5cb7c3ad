import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../api/app';
import { createLedger } from '../activities/ledger';
import { createApiToken } from '../lib/api-tokens';
import { createGuildDirectory } from '../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../lib/discord/rest';
import { EventHub } from '../lib/events/hub';
import { createLogger } from '../lib/logger';
import { ensureWebBuilt, WEB_DIR } from '../lib/web/build';
import { createPrismaClient, type PrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { poolOf } from '../prisma/transactions';
import { launchBrowser, type Browser } from '../test/dashboard-web/browser';
import { seedDemoGuild } from '../test/fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../test/fakes/discord';
import { createEmptyDatabase } from '../test/helpers/database';
import { benchLists } from './dashboard-lists';
import { interactiveRows, liveBalanceRows, logIn, pageWeightRows } from './dashboard-page';
import { seedDashboard } from './dashboard-seed';
import type { BenchRow, BenchScenario } from './types';

/**
 * The admin dashboard on a guild of 10,000 members and 1,000,000 ledger entries (plus claims, orders,
 * announcements, audit events… in the thousands; dashboard-seed.ts), seeded on a fresh database of the
 * local PostgreSQL (TEST_DATABASE_ADMIN_URL, as the tests) and checked with validate() before anything is
 * measured. The real API app (dashboard login against the fake Discord, live events, the built page) on
 * localhost: every list the dashboard uses over HTTP (dashboard-lists.ts), then the built page's JavaScript
 * weight, the Overview's time to interactive in Chromium and a balance change reaching an open page
 * (dashboard-page.ts).
 */

const MEMBERS = Number(process.env.BENCH_DASHBOARD_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_DASHBOARD_ENTRIES ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_DASHBOARD_REQUESTS ?? 200);
const LOADS = Number(process.env.BENCH_DASHBOARD_LOADS ?? 11);
const CHANGES = Number(process.env.BENCH_DASHBOARD_CHANGES ?? 20);

/** A member the fake Discord knows (adjustments check membership there), first in the list's name order. */
async function addLiveMember(discord: FakeDiscord, guildId: string, prisma: PrismaClient): Promise<string> {
  const user = discord.createUser({ username: 'aaa-bench' });
  discord.addMember(guildId, user.id);
  await poolOf(prisma).query(
    `INSERT INTO members (guild_id, user_id, username, display_name, is_bot, joined_at, updated_at) VALUES ($1, $2, 'aaa-bench', 'Aaa Bench', false, now(), now())`,
    [guildId, user.id],
  );
  return user.id;
}

export const dashboardScenario: BenchScenario = {
  name: 'dashboard',
  description: `the dashboard on ${MEMBERS} members and ${ENTRIES} ledger entries: its lists over HTTP (p50/p99 of ${REQUESTS} requests each, target p99 < 100 ms), the built page's JavaScript (< 300 kB gzipped), the Overview interactive in Chromium (< 1 s), a balance change on an open page (< 1 s)`,
  async run(): Promise<BenchRow[]> {
    const built = ensureWebBuilt({ quiet: true });
    const discord = await startFakeDiscord();
    const demo = seedDemoGuild(discord, 'Bench guild');
    const guildId = demo.guild.id;
    const db = await createEmptyDatabase();
    const prisma = createPrismaClient(db.url, { poolSize: 8 });
    const log = createLogger({ level: 'silent', pretty: false });
    const rest = createDiscordRest({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl });
    const events = new EventHub({ databaseUrl: db.url, log });
    let server: Server | undefined;
    let browser: Browser | undefined;
    try {
      await deployMigrations(db.url);
      const t0 = performance.now();
      await seedDashboard(db.url, guildId, MEMBERS, ENTRIES);
      const seeded = performance.now() - t0;
      const t1 = performance.now();
      const report = await createLedger(prisma).validate(guildId);
      if (!report.ok) throw new Error(`the seeded ledger breaks its invariants: ${JSON.stringify(report).slice(0, 500)}`);
      console.log(`seeded in ${(seeded / 1000).toFixed(1)} s; validate() ok in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      // The demo admin is an admin of the seeded guild; the bench's 20 adjustments fit the per-minute limit.
      await poolOf(prisma).query(`UPDATE guild_settings SET admin_role_ids = ARRAY[$2] WHERE guild_id = $1`, [guildId, demo.roles.admin.id]);
      await poolOf(prisma).query(
        `INSERT INTO economy_settings (guild_id, admin_adjust_limit_per_minute, updated_at) VALUES ($1, 60, now())
         ON CONFLICT (guild_id) DO UPDATE SET admin_adjust_limit_per_minute = 60`,
        [guildId],
      );
      const liveMember = await addLiveMember(discord, guildId, prisma);

      // Listening first: the OAuth redirect URI names the port. On localhost (every interface: Chromium may
      // ask ::1 or 127.0.0.1), as Secure cookies are kept on http://localhost only.
      const listening = createServer();
      server = listening;
      await new Promise<void>((resolve) => listening.listen(0, resolve));
      const port = (server.address() as AddressInfo).port;
      const base = `http://localhost:${port}`;
      const redirectUri = `${base}/api/auth/callback`;
      discord.setOAuthRedirectUris([redirectUri]);
      await events.start();
      const app = createApp({
        prisma,
        log,
        readiness: [],
        events,
        guildDirectory: rest ? createGuildDirectory(rest) : undefined,
        dashboardAuth: {
          sessionSecret: 'bench-dashboard-session-secret-0123456789abcdef',
          discord: { clientId: discord.oauthApp.clientId, clientSecret: discord.oauthApp.clientSecret, apiUrl: discord.restUrl, redirectUri },
        },
      });
      server.on('request', app.callback());
      const token = (await createApiToken(prisma, { guildId, name: 'bench', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;

      const rows = await benchLists(`http://127.0.0.1:${port}/api/guilds/${guildId}`, token, MEMBERS, REQUESTS);
      await built;
      rows.push(...pageWeightRows(path.join(WEB_DIR, 'dist')));
      browser = await launchBrowser();
      const { page } = await browser.page();
      await logIn(page, discord, base, demo.admin.id);
      await page.close();
      rows.push(...(await interactiveRows(browser, base, guildId, LOADS)));
      rows.push(...(await liveBalanceRows(browser, base, guildId, token, liveMember, CHANGES)));
      return rows;
    } finally {
      await browser?.close();
      if (server) await new Promise((r) => server!.close(r));
      await events.stop();
      closeDiscordRest(rest);
      await discord.close();
      await prisma.$disconnect();
      await db.drop();
    }
  },
};
