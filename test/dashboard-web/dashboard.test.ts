import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { createLedger, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { ensurePackages } from '../../activities/codes/packages';
import { importCodes } from '../../activities/codes/stock';
import { createApiToken } from '../../lib/api-tokens';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { saveMembers } from '../../lib/member-directory';
import { poolOf } from '../../prisma/transactions';
import type { order } from '../../workflows/order';
import { CODE_ENCRYPTION_KEY, type E2E } from '../e2e/harness';
import { SYSTEM } from '../helpers/ledger';
import { launchBrowser, type Browser } from './browser';
import { startDashboard, until, type Dashboard } from './stack';

/**
 * The dashboard in Chromium against Guildflow as `npm start` runs it (API, worker and bot in process, the
 * real build in web/dist) with the fake Discord: every session comes from the real login — "Log in with
 * Discord" → the fake Discord's consent page (Authorize) → /api/auth/callback — and every request is the
 * real API's. Flows that need Temporal run on the real worker.
 *
 * Refresh-token reuse revoking the family, and a refresh without the CSRF header being refused, are
 * API-level and proven in test/dashboard-auth/login.test.ts.
 */

// A browser on a loaded two-core machine: each step may wait, so each test gets two minutes.
jest.setTimeout(120_000);

let dashboard: Dashboard;
let e2e: E2E;
let ledger: Ledger;
/** The API as the browser sees it: Secure cookies are kept on http://localhost only. */
let base: string;
/** A member's browser (the admin's is the dashboard's: one login, kept by its cookie). */
let memberBrowser: Browser | undefined;
let guild: string;
let admin: string;
let alice: string;
let bob: string;
let carol: string;

const daily = (user: string, amount: bigint, key: string) =>
  ledger.transfer({ guildId: guild, key, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(user), amount });

const member = (name: string) => dashboard.member(name);
const logIn = (page: Page, userId: string) => dashboard.logIn(page, userId);
const openAsAdmin = (path?: string) => dashboard.openAsAdmin(path);
const checkPage = (page: Page, problems: string[], name: string) => dashboard.checkPage(page, problems, name);

async function seed(): Promise<void> {
  await daily(alice, 1000n, `seed:${guild}:alice`);
  await daily(bob, 400n, `seed:${guild}:bob`);
  await daily(carol, 50n, `seed:${guild}:carol`);
  // Enough entries for two ledger pages (25 a page).
  for (let i = 0; i < 30; i++) {
    await ledger.transfer({ guildId: guild, key: `seed:${guild}:give:${i}`, type: 'give', actor: { type: 'user', id: alice }, reason: `gift ${i}`, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 3n });
  }
}

/** A shop item, and message-sync rows no flow owns here: one synced, one failing on Discord. */
async function seedShopAndMessages(): Promise<void> {
  await e2e.prisma.shopItem.create({ data: { guildId: guild, name: 'VIP pass', description: 'A month of VIP.', emoji: '🎟️', price: 250n, stock: 10, perUserLimit: 1 } });
  await e2e.prisma.syncMessage.create({ data: { entityType: 'task', entityId: '900001', guildId: guild, channelId: '400000000000000001', messageId: '400000000000000002', state: 'synced', syncedAt: new Date() } });
  await e2e.prisma.syncMessage.create({ data: { entityType: 'task', entityId: '900002', guildId: guild, channelId: '400000000000000001', state: 'pending', lastError: 'Discord answered 503; trying again' } });
}

beforeAll(async () => {
  dashboard = await startDashboard();
  ({ e2e, base, guild, admin } = dashboard);
  ledger = createLedger(e2e.prisma);
  await e2e.prisma.taskSettings.upsert({ where: { guildId: guild }, create: { guildId: guild, taskChannelId: e2e.demo.channels.tasks.id, revokeWindowSeconds: 0 }, update: { taskChannelId: e2e.demo.channels.tasks.id, revokeWindowSeconds: 0 } });
  alice = member('alice');
  bob = member('bob');
  carol = member('carol');
  // After the bot's own directory sync (which replaces the whole list), so it cannot overwrite these rows.
  await until('the bot’s member directory', () => e2e.prisma.member.findFirst({ where: { guildId: guild, userId: admin } }));
  // The fake Discord adds members without a GUILD_MEMBER_ADD: the bot's directory would learn of them at its
  // next sync, so they are written as that sync writes them.
  await saveMembers(e2e.prisma, guild, [alice, bob, carol].map((userId) => ({ userId, username: e2e.discord.user(userId).username, displayName: e2e.discord.user(userId).username, avatarUrl: null, isBot: false, joinedAt: new Date() })));
  await createApiToken(e2e.prisma, { guildId: guild, name: 'dashboard admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' });
  await seed();
  await seedShopAndMessages();
}, 240_000);

afterAll(async () => {
  await memberBrowser?.close();
  await dashboard?.close();
});

it('shows the login page with no session, then logs in through Discord’s consent page back to the page asked for', async () => {
  const { page, problems } = await dashboard.browser.page();
  await page.goto(`${base}/guilds/${guild}/ledger`);
  const login = page.getByRole('link', { name: 'Log in with Discord' });
  await login.waitFor();
  expect(await login.getAttribute('href')).toBe(`/api/auth/login?next=${encodeURIComponent(`/guilds/${guild}/ledger`)}`);
  await checkPage(page, problems, 'login');
  await logIn(page, admin);
  expect(new URL(page.url()).pathname).toBe(`/guilds/${guild}/ledger`);
  await page.getByRole('heading', { name: 'Ledger', level: 1 }).waitFor();
  // The session is the database's: one open family for the admin.
  expect(await e2e.prisma.dashboardSession.count({ where: { userId: admin, revokedAt: null } })).toBeGreaterThan(0);
  expect(problems).toEqual([]);
  await page.close();
});

it('picks a guild, then shows its overview: circulation, volume chart, top holders', async () => {
  const { page, problems } = await openAsAdmin('/');
  await page.getByRole('heading', { name: 'Choose a server' }).waitFor();
  await checkPage(page, problems, 'guild-picker');
  await page.getByRole('link', { name: new RegExp(e2e.demo.guild.name) }).click();
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
  await row.waitFor({ timeout: 15_000 }).catch(async (err: unknown) => {
    throw new Error(`${String(err)}\n${(await page.locator('body').innerText()).slice(0, 1500)}`);
  });
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
    const { rows } = await poolOf(e2e.prisma).query<{ owner_id: string; amount: string; actor_type: string }>(
      `SELECT a.owner_id, p.amount::text AS amount, e.actor_type FROM ledger_entries e
         JOIN ledger_postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.guild_id = $1 AND e.type = 'admin_adjust' AND e.reason = 'event winner' AND a.owner_type = 'user'`,
      [guild],
    );
    return rows.length ? rows : null;
  });
  expect(entry).toEqual([{ owner_id: carol, amount: '25', actor_type: 'user' }]);
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
  expect(await e2e.prisma.apiToken.count({ where: { guildId: guild, name: 'bot-sync', level: 'mod', revokedAt: null } })).toBe(1);
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
  const row = await until('the settings row', () => e2e.prisma.economySettings.findFirst({ where: { guildId: guild, dailyAmount: 75n } }));
  expect(row.dailyAmount).toBe(75n);
  await economy.getByLabel('Daily reward').fill('-5');
  await economy.getByRole('button', { name: 'Save economy settings' }).click();
  await economy.getByRole('alert').waitFor();
  expect(await economy.getByRole('alert').textContent()).toMatch(/daily/i);
  await page.close();
});

it('lists the shop’s items and the synced messages with their states', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/shop`);
  await page.locator('tr', { hasText: 'VIP pass' }).filter({ hasText: '250' }).waitFor();
  await checkPage(page, problems, 'shop');
  await page.getByRole('link', { name: 'Messages' }).click();
  await page.locator('tr', { hasText: 'Discord answered 503; trying again' }).waitFor();
  await page.getByLabel('Sync state').selectOption('synced');
  // The stack posts messages of its own: the filter leaves synced rows only, ours among them.
  await until('the synced rows only', async () =>
    (await page.locator('tbody tr', { hasText: 'Discord answered 503' }).count()) === 0 && (await page.locator('tbody tr', { hasText: 'synced' }).count()) === (await page.locator('tbody tr').count()) ? true : null,
  );
  await page.locator('tbody tr', { hasText: 'synced' }).filter({ hasText: '400000000000000001' }).first().waitFor();
  await checkPage(page, problems, 'messages');
  await page.close();
});

it('approves a submitted task claim from the Tasks page; another tab of the same browser shows the member’s balance change live', async () => {
  // The claim as the member makes it in Discord: Claim on the task's post, then /task submit with the proof.
  const task = await e2e.prisma.task.create({ data: { guildId: guild, name: 'Draw the server logo', reward: 100n, claimDurationSeconds: 86_400, createdBy: admin } });
  await requestTaskMessageSync({ temporal: e2e.temporal, taskQueue: e2e.taskQueue }, guild, task.id);
  const posted = await until('the task’s post', async () => (await e2e.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).messageId ?? null);
  const claimClick = e2e.discord.clickButton(e2e.discord.message(posted)!, `gf:task-claim:${task.id}`, carol);
  await claimClick.waitForResponse();
  await until('the claim', () => e2e.prisma.taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'claimed' } }));
  const submit = e2e.discord.slash(guild, carol, 'task', { task: `#${task.id}`, proof: 'Here is my logo, with the colours you asked for.' }, { subcommand: 'submit' });
  await submit.waitForResponse();
  await until('the submitted claim', () => e2e.prisma.taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'submitted' } }));
  const before = (await ledger.balance(guild, userAccount(carol), 'currency')).balance;

  const members = await openAsAdmin(`/guilds/${guild}/members`);
  const carolRow = members.page.locator(`tr[data-user-id="${carol}"]`);
  await carolRow.locator('.balance', { hasText: String(before) }).waitFor();

  const { page, problems } = await openAsAdmin(`/guilds/${guild}/tasks`);
  const claim = page.locator('li.claim').filter({ hasText: 'Here is my logo' });
  await claim.waitFor();
  await checkPage(page, problems, 'tasks');
  await claim.getByRole('button', { name: 'Accept' }).click();
  // The claim flow pays the reward through the ledger: the database says so, and the other tab shows it.
  const accepted = await until('the accepted claim', () => e2e.prisma.taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'completed' } }));
  expect(accepted.userId).toBe(carol);
  await until('the reward in the ledger', async () => ((await ledger.balance(guild, userAccount(carol), 'currency')).balance === before + 100n ? true : null));
  await carolRow.locator('.balance', { hasText: String(before + 100n) }).waitFor();
  expect(members.problems).toEqual([]);
  await members.page.close();
  await page.close();
});

it('refunds a needs-admin code order from the Orders page: the order flow refunds the member', async () => {
  const keyring = createCodeKeyring({ id: 'e2e', key: Buffer.from(CODE_ENCRYPTION_KEY, 'base64') });
  await importCodes(e2e.prisma, keyring, guild, 'WEB-CODE-0001');
  const buyer = member('buyer');
  const pkg = (await ensurePackages(e2e.prisma, guild)).find((p) => p.quantity === 1)!;
  await ledger.transfer({ guildId: guild, key: `fund:${buyer}`, type: 'admin_adjust', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(buyer), amount: pkg.price });
  // DMs closed and nobody to answer: the delivery gives up and the order waits for an admin.
  e2e.discord.setDmsClosed(buyer, true);
  const orderId = '900000000000000778';
  const h = await e2e.temporal.workflow.start<typeof order>('order', {
    taskQueue: e2e.taskQueue,
    workflowId: `order:${orderId}`,
    args: [{ orderId, requestKey: `web:${orderId}`, guildId: guild, userId: buyer, packageId: pkg.id, reply: null, topupWaitSeconds: 10, fundsRetrySeconds: 5, deliveryTimeoutSeconds: 1, deliveryRetrySeconds: 1 }],
  });
  await until('the order needing an admin', async () => (await e2e.prisma.codeOrder.findUnique({ where: { id: orderId } }))?.status === 'needs_admin');

  const { page, problems } = await openAsAdmin(`/guilds/${guild}/orders`);
  const row = page.locator('tr', { hasText: buyer });
  await row.getByRole('button', { name: `refund order ${orderId}` }).waitFor();
  await page.getByRole('cell', { name: 'No top-up.' }).waitFor();
  await checkPage(page, problems, 'orders');
  await row.getByRole('button', { name: `refund order ${orderId}` }).click();
  expect(await h.result()).toMatchObject({ status: 'refunded' });
  await until('the refunded row', async () => (await e2e.prisma.codeOrder.findUnique({ where: { id: orderId } }))?.status === 'refunded');
  expect(await ledger.balance(guild, userAccount(buyer), 'currency')).toMatchObject({ balance: pkg.price, held: 0n });
  await page.close();
});

it('schedules an announcement from the composer (with its live preview); the worker posts it in Discord at that time', async () => {
  const { page, problems } = await openAsAdmin(`/guilds/${guild}/announcements`);
  const compose = page.getByRole('form', { name: 'New announcement' });
  const channel = e2e.demo.channels.general;
  await compose.getByLabel(/^Channel/).selectOption(channel);
  await compose.getByLabel('Title').fill('Double coins weekend');
  await compose.getByLabel('Text').fill('All /daily rewards are doubled\nuntil Sunday.');
  await compose.getByLabel('Colour (#rrggbb)').fill('#ff8800');
  const preview = page.getByRole('figure', { name: 'Preview of the announcement' });
  await preview.getByText('Double coins weekend').waitFor();
  expect(await preview.locator('.embed-text').textContent()).toBe('All /daily rewards are doubled\nuntil Sunday.');
  expect(await preview.locator('rect').getAttribute('fill')).toBe('#ff8800');
  await checkPage(page, problems, 'announcements');
  // The picker has minute steps: the next whole minute at least 20 s away, in the browser's own time zone.
  const sendAt = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
  const local = await page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, sendAt);
  await compose.getByLabel('Send at (empty: now)').fill(local);
  await compose.getByRole('button', { name: 'Schedule' }).click();
  await compose.getByText(/^Scheduled for/).waitFor();
  const row = await until('the scheduled announcement', () => e2e.prisma.announcement.findFirst({ where: { guildId: guild, title: 'Double coins weekend' } }));
  expect(row).toMatchObject({ status: 'scheduled', channelId: channel, createdBy: `discord:${admin}` });
  expect(row.sendAt?.getTime()).toBe(sendAt);
  await page.locator('tr', { hasText: 'Double coins weekend' }).filter({ hasText: 'scheduled' }).waitFor();
  // Posted at the fake Discord, not before its time.
  const posted = await e2e.discord.waitFor(
    () => e2e.discord.messages(channel).find((m) => m.embeds[0]?.title === 'Double coins weekend'),
    150_000,
    'the announcement in the channel',
  );
  expect(Date.now()).toBeGreaterThanOrEqual(sendAt);
  expect(posted.embeds[0]).toMatchObject({ description: 'All /daily rewards are doubled\nuntil Sunday.', color: 0xff8800 });
  await until('the announcement sent', () => e2e.prisma.announcement.findFirst({ where: { id: row.id, status: 'sent' } }));
  await page.reload();
  await page.locator('tr', { hasText: 'Double coins weekend' }).filter({ hasText: 'sent' }).waitFor();
  await page.close();
}, 240_000);

it('gives a member (not staff) the member pages only, and the API refuses them the staff routes (403)', async () => {
  memberBrowser = await launchBrowser();
  const { page, problems } = await memberBrowser.page();
  await page.goto(`${base}/guilds/${guild}/`);
  const refreshed = page.waitForResponse((r) => r.url() === `${base}/api/auth/refresh` && r.status() === 200);
  await logIn(page, e2e.demo.member.id);
  const { accessToken } = (await (await refreshed).json()) as { accessToken: string };
  await page.getByRole('heading', { name: e2e.demo.guild.name, level: 1 }).waitFor({ timeout: 15_000 }).catch(async (err: unknown) => {
    throw new Error(`${String(err)}\nat ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 800)}`);
  });
  const nav = page.getByRole('navigation', { name: 'Dashboard pages' });
  expect(await nav.getByRole('link').allTextContents()).toEqual(['Home', 'All servers']);
  await checkPage(page, problems, 'member-home');
  await page.goto(`${base}/guilds/${guild}/ledger`);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base.replace('localhost', '127.0.0.1')}/api/guilds/${guild}${path}`, { method, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect((await call('GET', '/orders')).status).toBe(403);
  expect((await call('POST', '/announcements', { channelId: e2e.demo.channels.general, title: 'Hi', body: 'From a member.' })).status).toBe(403);
  expect((await call('POST', '/economy/adjustments', { userId: e2e.demo.member.id, amount: '1000', reason: 'mine', idempotencyKey: 'member-try' })).status).toBe(403);
  expect(await e2e.prisma.announcement.count({ where: { guildId: guild, title: 'Hi' } })).toBe(0);
  await page.close();
});
