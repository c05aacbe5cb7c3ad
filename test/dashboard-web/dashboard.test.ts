import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, Next } from 'koa';
import type { Page } from 'playwright-core';
import { createLedger, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { saveMembers } from '../../lib/member-directory';
import { EventHub } from '../../lib/events/hub';
import { createLogger } from '../../lib/logger';
import { ensureWebBuilt } from '../../lib/web/build';
import { poolOf } from '../../prisma/transactions';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, snowflake, SYSTEM } from '../helpers/ledger';
import { launchBrowser, screenshot, seriousAxeViolations, type Browser } from './browser';

/**
 * The dashboard in Chromium against the real API app (createApp, the real build in web/dist) on a
 * seeded guild. The Discord login is not part of this app yet, so this file alone stands in for
 * `POST /api/auth/refresh`, answering with a real API token as the access token (API tokens are bearer
 * tokens too); every other request is the real API's.
 */

// A browser on a loaded two-core machine: each step may wait, so each test gets two minutes.
jest.setTimeout(120_000);

let db: TestDatabase;
let ledger: Ledger;
let hub: EventHub;
let server: Server;
let base: string;
let browser: Browser;
let guild: string;
const tokens = { admin: '', user: '' };
const alice = snowflake();
const bob = snowflake();
const carol = snowflake();
/** Screenshots taken, for the report. */
const shots: string[] = [];

type SessionBody = {
  accessToken: string;
  expiresAt: string;
  user: { id: string; username: string; globalName: string | null; avatarUrl: string | null };
  guilds: { id: string; name: string; iconUrl: string | null; level: 'owner' | 'admin' | 'mod' | 'user' }[];
};
/** What the stand-in refresh answers: a session, or null for "not logged in" (401). */
let session: SessionBody | null = null;

function sessionAs(level: 'admin' | 'user'): SessionBody {
  return {
    accessToken: level === 'admin' ? tokens.admin : tokens.user,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    user: { id: '200000000000000001', username: 'ada', globalName: 'Ada Admin', avatarUrl: null },
    guilds: [{ id: guild, name: 'Test Guild', iconUrl: null, level }],
  };
}

/** The stand-in for the login helper's refresh route (test-only; production has the real one). */
async function refreshStandIn(ctx: Context, next: Next): Promise<void> {
  if (ctx.method !== 'POST' || ctx.path !== '/api/auth/refresh') return next();
  if (ctx.get('x-guildflow-csrf') !== '1') {
    ctx.status = 403;
    ctx.body = { error: { code: 'forbidden', message: 'X-Guildflow-CSRF: 1 is required.' } };
  } else if (!session) {
    ctx.status = 401;
    ctx.body = { error: { code: 'unauthorized', message: 'No session.' } };
  } else ctx.body = session;
}

const daily = (user: string, amount: bigint, key: string) =>
  ledger.transfer({ guildId: guild, key, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(user), amount });

async function seed(): Promise<void> {
  // The member directory the bot keeps: the Members page lists these members.
  const names = ['Alice', 'Bob', 'Carol'];
  await saveMembers(db.prisma, guild, [alice, bob, carol].map((userId, i) => ({ userId, username: names[i]!.toLowerCase(), displayName: names[i]!, avatarUrl: null, isBot: false, joinedAt: new Date() })));
  await daily(alice, 1000n, `seed:${guild}:alice`);
  await daily(bob, 400n, `seed:${guild}:bob`);
  await daily(carol, 50n, `seed:${guild}:carol`);
  // Enough entries for two ledger pages (25 a page).
  for (let i = 0; i < 30; i++) {
    await ledger.transfer({ guildId: guild, key: `seed:${guild}:give:${i}`, type: 'give', actor: { type: 'user', id: alice }, reason: `gift ${i}`, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 3n });
  }
}

/** A task with a claim whose proof waits for review (what the claim flow leaves in the table). */
async function seedClaim(): Promise<void> {
  const task = await db.prisma.task.create({ data: { guildId: guild, name: 'Draw the server logo', reward: 100n, claimDurationSeconds: 86_400, createdBy: alice } });
  await db.prisma.taskClaim.create({
    data: {
      id: `claim:${task.id}:${bob}`,
      guildId: guild,
      taskId: task.id,
      userId: bob,
      status: 'submitted',
      deadlineAt: new Date(Date.now() + 86_400_000),
      proofText: 'Here is my logo, with the colours you asked for.',
      proofUrls: ['https://cdn.discordapp.com/attachments/1/2/logo.png'],
      submissions: 1,
      submittedAt: new Date(),
    },
  });
}

/** A shop item, and the message sync's rows: one synced, one failing on Discord. */
async function seedShopAndMessages(): Promise<void> {
  await db.prisma.shopItem.create({ data: { guildId: guild, name: 'VIP pass', description: 'A month of VIP.', emoji: '🎟️', price: 250n, stock: 10, perUserLimit: 1 } });
  await db.prisma.syncMessage.create({ data: { entityType: 'leaderboard', entityId: guild, guildId: guild, channelId: '400000000000000001', messageId: '400000000000000002', state: 'synced', syncedAt: new Date() } });
  await db.prisma.syncMessage.create({ data: { entityType: 'task', entityId: '1', guildId: guild, channelId: '400000000000000001', state: 'pending', lastError: 'Discord answered 503; trying again' } });
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every page must pass axe (no serious or critical violation) and load with no CSP refusal. */
async function checkPage(page: Page, problems: string[], name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
  shots.push(await screenshot(page, name));
}

async function openAsAdmin(path = '/'): Promise<{ page: Page; problems: string[] }> {
  session = sessionAs('admin');
  const tab = await browser.page();
  await tab.page.goto(base + path);
  return tab;
}

beforeAll(async () => {
  const built = ensureWebBuilt({ quiet: true });
  db = await createTestDatabase();
  ledger = createLedger(db.prisma);
  guild = await createGuild(db.prisma);
  tokens.admin = (await createApiToken(db.prisma, { guildId: guild, name: 'dashboard admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  tokens.user = (await createApiToken(db.prisma, { guildId: guild, name: 'dashboard member', level: 'user', createdBy: 'cli', creatorLevel: 'owner' })).token;
  await seed();
  await seedClaim();
  await seedShopAndMessages();
  const log = createLogger({ level: 'silent' });
  hub = new EventHub({ databaseUrl: db.url, log, pollMs: 100 });
  await hub.start();
  const app = createApp({ prisma: db.prisma, log, readiness: [], events: hub, eventHeartbeatMs: 1000 });
  app.middleware.unshift(refreshStandIn);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await built;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  await db?.drop();
  // eslint-disable-next-line no-console -- the report lists where the screenshots are
  if (shots.length) console.log(`dashboard screenshots:\n${shots.join('\n')}`);
});

it('shows the login page when there is no session', async () => {
  session = null;
  const { page, problems } = await browser.page();
  await page.goto(`${base}/guilds/${guild}/ledger`);
  const login = page.getByRole('link', { name: 'Log in with Discord' });
  await login.waitFor();
  expect(await login.getAttribute('href')).toBe(`/api/auth/login?next=${encodeURIComponent(`/guilds/${guild}/ledger`)}`);
  await checkPage(page, problems, 'login');
  await page.close();
});

it('picks a guild, then shows its overview: circulation, volume chart, top holders', async () => {
  const { page, problems } = await openAsAdmin('/');
  await page.getByRole('heading', { name: 'Choose a server' }).waitFor();
  await checkPage(page, problems, 'guild-picker');
  await page.getByRole('link', { name: /Test Guild/ }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  // What members hold: 1000 + 400 + 50 issued, gifts only move it.
  await page.locator('[data-testid="circulation-currency"]', { hasText: '1,450' }).waitFor();
  await page.locator('figure.chart svg rect').first().waitFor();
  const holders = page.getByRole('table').filter({ has: page.locator('caption', { hasText: 'currency' }) });
  const firstHolder = holders.locator('tbody tr').first();
  await firstHolder.waitFor();
  // bob: 400 + 30 × 3 = 490; alice: 1000 − 90 = 910.
  expect(await firstHolder.textContent()).toContain(alice);
  expect(await holders.locator('tbody tr').nth(1).textContent()).toContain('490');
  await checkPage(page, problems, 'overview');
  await page.close();
});

it('lists the ledger with filters and cursor paging, validates it, and downloads it as CSV', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/ledger`);
  const rows = page.locator('table.entries tbody tr');
  await rows.nth(24).waitFor();
  expect(await rows.count()).toBe(25);
  await page.getByRole('button', { name: 'Older' }).click();
  await page.getByText('Page 2').waitFor();
  // 33 entries: 8 on the second page.
  await until('the second page', async () => ((await rows.count()) === 8 ? true : null));
  await page.getByRole('button', { name: 'Newer' }).click();
  await page.getByLabel('Types').fill('daily');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await until('the daily entries only', async () => ((await rows.count()) === 3 ? true : null));

  await page.getByRole('button', { name: 'Validate ledger' }).click();
  await page.getByText(/The ledger is consistent/).waitFor();
  await checkPage(page, problems, 'ledger');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^ledger-${guild}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
  const header = csv[0]!.split(',');
  expect(header).toContain('type');
  // The filter applies to the export too: the three daily rewards.
  const typeColumn = header.indexOf('type');
  expect(csv.slice(1).map((line) => line.split(',')[typeColumn])).toEqual(['daily', 'daily', 'daily']);
  await page.close();
});

it('adjusts a member’s balance from the Members page: the ledger row is in the database', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/members`);
  const row = page.locator(`tr[data-user-id="${carol}"]`);
  await row.waitFor();
  await checkPage(page, problems, 'members');

  // The API's own validation message is shown as it says it.
  await row.getByRole('button', { name: /Adjust the balance/ }).click();
  expect(await page.getByLabel('Member id').inputValue()).toBe(carol);
  await page.getByLabel('Amount (negative removes)').fill('0');
  await page.getByLabel('Reason').fill('nothing');
  await page.getByRole('button', { name: 'Apply adjustment' }).click();
  await page.getByRole('alert').filter({ hasText: 'amount: must not be 0' }).waitFor();

  await page.getByLabel('Amount (negative removes)').fill('25');
  await page.getByLabel('Reason').fill('event winner');
  await page.getByRole('button', { name: 'Apply adjustment' }).click();
  await page.getByText(/balance is now 75/).waitFor();
  const entry = await until('the adjustment entry', async () => {
    const { rows } = await poolOf(db.prisma).query<{ owner_id: string; amount: string; actor_type: string }>(
      `SELECT a.owner_id, p.amount::text AS amount, e.actor_type FROM ledger_entries e
         JOIN ledger_postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.guild_id = $1 AND e.type = 'admin_adjust' AND e.reason = 'event winner' AND a.owner_type = 'user'`,
      [guild],
    );
    return rows.length ? rows : null;
  });
  expect(entry).toEqual([{ owner_id: carol, amount: '25', actor_type: 'api_token' }]);
  await row.locator('.balance', { hasText: '75' }).waitFor();
  await page.close();
});

it('shows a balance change made through the ledger on an open page, live', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/ledger`);
  await page.locator('table.entries tbody tr').first().waitFor();
  const key = `live:${guild}:${Date.now()}`;
  await daily(carol, 7n, key);
  await page.locator(`tr[data-entry-key="${key}"]`).waitFor();
  expect(problems).toEqual([]);
  await page.close();
});

it('shows the claims queue with the proof; a decision the API refuses shows its message', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/tasks`);
  const claim = page.locator('li.claim').filter({ hasText: 'Here is my logo' });
  await claim.waitFor();
  expect(await claim.getByRole('link').textContent()).toBe('https://cdn.discordapp.com/attachments/1/2/logo.png');
  await checkPage(page, problems, 'tasks');
  // This API process has no Temporal: the decision is refused with the API's own words.
  await claim.getByRole('button', { name: 'Accept' }).click();
  await claim.getByRole('alert').filter({ hasText: 'Workflows are not configured for this API process.' }).waitFor();
  await page.close();
});

it('creates an API token (its secret shown once) and lists it', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/api-tokens`);
  await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
  const tokenRows = page.locator('table tbody tr');
  await tokenRows.filter({ hasText: 'dashboard admin' }).waitFor();
  await page.getByLabel('Name').fill('bot-sync');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = await page.locator('code.secret').textContent();
  expect(secret).toMatch(/\S{20,}/);
  await tokenRows.filter({ hasText: 'bot-sync' }).waitFor();
  expect(await db.prisma.apiToken.count({ where: { guildId: guild, name: 'bot-sync', level: 'mod', revokedAt: null } })).toBe(1);
  await checkPage(page, problems, 'api-tokens');
  await page.close();
});

it('changes the economy settings: the API keeps them, and its validation message is shown', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/settings`);
  const economy = page.getByRole('form', { name: 'Economy' });
  await economy.getByLabel('Daily reward').waitFor();
  await checkPage(page, problems, 'settings');
  await economy.getByLabel('Daily reward').fill('75');
  await economy.getByLabel('Currency name').fill('Gold');
  await economy.getByRole('button', { name: 'Save economy settings' }).click();
  await economy.getByText('Saved.').waitFor();
  const row = await until('the settings row', () => db.prisma.economySettings.findFirst({ where: { guildId: guild, dailyAmount: 75n } }));
  expect(row.dailyAmount).toBe(75n);
  await economy.getByLabel('Daily reward').fill('-5');
  await economy.getByRole('button', { name: 'Save economy settings' }).click();
  await economy.getByRole('alert').waitFor();
  expect(await economy.getByRole('alert').textContent()).toMatch(/daily/i);
  await page.close();
});

it('lists orders and top-ups (none yet) with their filters', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/orders`);
  await page.getByRole('cell', { name: 'No order.' }).waitFor();
  await page.getByRole('cell', { name: 'No top-up.' }).waitFor();
  await checkPage(page, problems, 'orders');
  await page.close();
});

it('lists the shop’s items and the synced messages with their states', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/shop`);
  await page.locator('tr', { hasText: 'VIP pass' }).filter({ hasText: '250' }).waitFor();
  await checkPage(page, problems, 'shop');
  await page.getByRole('link', { name: 'Messages' }).click();
  await page.locator('tr', { hasText: 'Discord answered 503; trying again' }).waitFor();
  await page.getByLabel('Sync state').selectOption('synced');
  await until('the synced row only', async () => ((await page.locator('tbody tr').count()) === 1 && (await page.locator('tbody tr', { hasText: 'leaderboard' }).count()) === 1 ? true : null));
  await checkPage(page, problems, 'messages');
  await page.close();
});

it('composes an announcement with a live preview of its embed; the API’s refusal is shown as it says it', async () => {
  await db.prisma.announcement.create({
    data: { id: `seed-${guild}`, guildId: guild, channelId: '400000000000000001', title: 'Season two starts', body: 'Soon.', status: 'scheduled', sendAt: new Date(Date.now() + 86_400_000), createdBy: 'discord:1' },
  });
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/announcements`);
  await page.locator('tr', { hasText: 'Season two starts' }).filter({ hasText: 'scheduled' }).waitFor();
  const compose = page.getByRole('form', { name: 'New announcement' });
  await compose.getByLabel('Channel id').fill('400000000000000001');
  await compose.getByLabel('Title').fill('Double coins weekend');
  await compose.getByLabel('Text').fill('All /daily rewards are doubled\nuntil Sunday.');
  await compose.getByLabel('Colour (#rrggbb)').fill('#ff8800');
  const preview = page.getByRole('figure', { name: 'Preview of the announcement' });
  await preview.getByText('Double coins weekend').waitFor();
  expect(await preview.locator('.embed-text').textContent()).toBe('All /daily rewards are doubled\nuntil Sunday.');
  expect(await preview.locator('rect').getAttribute('fill')).toBe('#ff8800');
  await checkPage(page, problems, 'announcements');
  // This API process has no Temporal: nothing is stored, and the page says why in the API's words.
  await compose.getByRole('button', { name: 'Send now' }).click();
  await compose.getByRole('alert').filter({ hasText: 'Workflows are not configured for this API process.' }).waitFor();
  expect(await db.prisma.announcement.count({ where: { guildId: guild } })).toBe(1);
  await page.close();
});

it('gives a member-level session the member pages only', async () => {
  session = sessionAs('user');
  const { page, problems } = await browser.page();
  await page.goto(`${base}/guilds/${guild}/`);
  await page.getByRole('heading', { name: 'Test Guild', level: 1 }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Dashboard pages' });
  expect(await nav.getByRole('link').allTextContents()).toEqual(['Home', 'All servers']);
  await checkPage(page, problems, 'member-home');
  await page.goto(`${base}/guilds/${guild}/ledger`);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  await page.close();
});
