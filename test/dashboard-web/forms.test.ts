import type { Locator, Page } from 'playwright-core';
import { apiRequestsOf, startDashboardAsAdmin, until, type Dashboard } from './stack';

/**
 * The admin forms check input with the API's own schemas and rules before sending: refused input shows
 * the very words the API answers the same body with, nothing is sent and no row changes; valid input
 * then saves. Chromium against the whole stack (see ./stack.ts), one stack and one login for the file.
 */

// A browser on a loaded two-core machine: each step may wait, so each test gets two minutes.
jest.setTimeout(120_000);

let dashboard: Dashboard;
let guild: string;

const db = () => dashboard.e2e.prisma;
const open = (slug: string) => dashboard.openAsAdmin(`/guilds/${guild}/${slug}`);
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the API answers `body` with: a 400 `invalid_input`, whose message is returned. */
async function apiRefusal(method: string, path: string, body: unknown): Promise<string> {
  const answer = await dashboard.callApi(method, path, body);
  expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
  return (answer.body as { error: { message: string } }).error.message;
}

/** Submits the form and waits for its alert to say exactly `message`. */
async function refusedWith(form: Locator, button: string, message: string): Promise<void> {
  await form.getByRole('button', { name: button }).click();
  await form.getByRole('alert').filter({ hasText: new RegExp(`^${escaped(message)}$`) }).waitFor();
}

/** Waits for a form's input to show the stored value (loaded after the page), so typing is not overwritten. */
async function loaded(input: Locator, value: string): Promise<void> {
  await until(`the stored ${value} in the form`, async () => (await input.inputValue()) === value);
}

/**
 * Puts a long text in a field as a paste does, at once (typing 10,000 lines through fill() outlasts the
 * timeout on a loaded machine); React reads it from the input event like any edit.
 */
async function pasted(field: Locator, text: string): Promise<void> {
  await field.evaluate((el, value) => {
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value')!.set!;
    setter.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

beforeAll(async () => {
  dashboard = await startDashboardAsAdmin();
  guild = dashboard.guild;
}, 240_000);

afterAll(async () => {
  await dashboard?.close();
});

let page: Page | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

it('Settings: the server and economy forms refuse what the API refuses, in its words, then save', async () => {
  const opened = await open('settings');
  page = opened.page;
  const sent = apiRequestsOf(page);

  const server = page.getByRole('form', { name: 'Server' });
  const locale = server.getByLabel('Locale');
  await loaded(locale, 'en');
  await locale.fill('english');
  const localeRefusal = await apiRefusal('PATCH', `/api/guilds/${guild}/settings`, { locale: 'english', disabledFeatures: [] });
  expect(localeRefusal).toBe('locale: must be a locale such as en or pt-BR');
  await refusedWith(server, 'Save server settings', localeRefusal);

  const economy = page.getByRole('form', { name: 'Economy' });
  const daily = economy.getByLabel('Daily reward');
  await loaded(daily, '100');
  await daily.fill('lots');
  const typeRefusal = await apiRefusal('PATCH', `/api/guilds/${guild}/economy/settings`, { dailyAmount: 'lots' });
  expect(typeRefusal).toMatch(/^dailyAmount: /);
  await refusedWith(economy, 'Save economy settings', typeRefusal);
  // The ranges the service checks after the route's schema (the bot's /economy shares them).
  await daily.fill('100');
  await economy.getByLabel('Daily cooldown (seconds)').fill('0');
  const rangeRefusal = await apiRefusal('PATCH', `/api/guilds/${guild}/economy/settings`, { dailyCooldownSeconds: 0 });
  expect(rangeRefusal).toBe('The daily cooldown must be a whole number from 1 to 31,536,000 seconds.');
  await refusedWith(economy, 'Save economy settings', rangeRefusal);

  expect(sent).toEqual([]);
  expect(await db().guildSettings.findUnique({ where: { guildId: guild } })).toMatchObject({ locale: 'en' });
  expect(await db().economySettings.findUnique({ where: { guildId: guild } })).toBeNull();

  await locale.fill('pt-BR');
  await server.getByRole('button', { name: 'Save server settings' }).click();
  await until('the new locale', () => db().guildSettings.findFirst({ where: { guildId: guild, locale: 'pt-BR' } }));
  await economy.getByLabel('Daily cooldown (seconds)').fill('3600');
  await daily.fill('250');
  await economy.getByRole('button', { name: 'Save economy settings' }).click();
  const saved = await until('the new economy settings', () => db().economySettings.findFirst({ where: { guildId: guild, dailyAmount: 250n } }));
  expect(saved.dailyCooldownSeconds).toBe(3600);
});

it('Orders: the package, limits and import forms refuse what the API refuses, in its words, then save', async () => {
  const opened = await open('orders');
  page = opened.page;
  const sent = apiRequestsOf(page);

  const limits = page.getByRole('form', { name: 'Limits' });
  const redeliveries = limits.getByLabel('Re-deliveries per member per day');
  const stored = await until('the stored limits', () => db().codeShopSettings.findUnique({ where: { guildId: guild } }));
  await loaded(redeliveries, String(stored.redeliveriesPerDay));
  await limits.getByLabel(/^Orders per member per hour/).fill('1001');
  await redeliveries.fill('101');
  const limitsRefusal = await apiRefusal('PATCH', `/api/guilds/${guild}/codes/settings`, { ordersPerMemberPerHour: 1001, topupsPerMemberPerHour: stored.topupsPerMemberPerHour, redeliveriesPerDay: 101 });
  expect(limitsRefusal).toMatch(/^ordersPerMemberPerHour: .*; redeliveriesPerDay: /);
  await refusedWith(limits, 'Save limits', limitsRefusal);

  const pkg = page.getByRole('form', { name: 'Package price' });
  const defaultPackage = await until('the default packages', () => db().codePackage.findFirst({ where: { guildId: guild, quantity: 10 } }));
  await pkg.getByLabel('Codes in the package').fill('10');
  await pkg.getByLabel('Package price').fill('12x');
  const priceRefusal = await apiRefusal('PUT', `/api/guilds/${guild}/codes/packages/10`, { price: '12x', active: true });
  expect(priceRefusal).toMatch(/^price: /);
  await refusedWith(pkg, 'Save package', priceRefusal);
  // The ceiling the package service checks after the route's schema.
  await pkg.getByLabel('Package price').fill('2000000000000000');
  const ceilingRefusal = await apiRefusal('PUT', `/api/guilds/${guild}/codes/packages/10`, { price: '2000000000000000', active: true });
  expect(ceilingRefusal).toBe('The price must be from 0 to 1,000,000,000,000,000.');
  await refusedWith(pkg, 'Save package', ceilingRefusal);

  // The import's size rule, checked before any line is read.
  const importer = page.getByRole('form', { name: 'Import codes' });
  const tooMany = Array.from({ length: 10_001 }, (_, i) => `FORMS-LINE-${i}`).join('\n');
  await pasted(importer.getByLabel('Codes, one a line'), tooMany);
  const importRefusal = await apiRefusal('POST', `/api/guilds/${guild}/codes/import`, { codes: tooMany });
  expect(importRefusal).toBe('At most 10,000 lines per import.');
  await refusedWith(importer, 'Import codes', importRefusal);

  expect(sent).toEqual([]);
  expect(await db().code.count({ where: { guildId: guild } })).toBe(0);
  const limitsOf = (s: typeof stored | null) => s && { orders: s.ordersPerMemberPerHour, topups: s.topupsPerMemberPerHour, redeliveries: s.redeliveriesPerDay };
  expect(limitsOf(await db().codeShopSettings.findUnique({ where: { guildId: guild } }))).toEqual(limitsOf(stored));
  expect(await db().codePackage.findFirst({ where: { guildId: guild, quantity: 10 } })).toMatchObject({ price: defaultPackage.price });

  await limits.getByLabel(/^Orders per member per hour/).fill('4');
  await redeliveries.fill('6');
  await limits.getByRole('button', { name: 'Save limits' }).click();
  await until('the new limits', () => db().codeShopSettings.findFirst({ where: { guildId: guild, ordersPerMemberPerHour: 4, redeliveriesPerDay: 6 } }));
  await pkg.getByLabel('Package price').fill('900');
  await pkg.getByRole('button', { name: 'Save package' }).click();
  await until('the new price', () => db().codePackage.findFirst({ where: { guildId: guild, quantity: 10, price: 900n } }));
  await importer.getByLabel('Codes, one a line').fill('FORMS-CODE-0001');
  await importer.getByRole('button', { name: 'Import codes' }).click();
  await until('the imported code', async () => ((await db().code.count({ where: { guildId: guild } })) === 1 ? true : null));
});

it('Members: the balance adjustment refuses what the API refuses, in its words, then applies', async () => {
  const opened = await open('members');
  page = opened.page;
  const sent = apiRequestsOf(page);
  const member = dashboard.e2e.demo.member.id;

  const form = page.getByRole('form', { name: 'Adjust a balance' });
  await form.getByLabel('Member id').fill('12345');
  await form.getByLabel('Amount (negative removes)').fill('0');
  await form.getByLabel('Reason').fill('   ');
  const refusal = await apiRefusal('POST', `/api/guilds/${guild}/economy/adjustments`, { userId: '12345', amount: '0', reason: '   ', idempotencyKey: 'forms-test' });
  expect(refusal).toMatch(/^userId: .*; amount: must not be 0.*; reason: is required/);
  await refusedWith(form, 'Apply adjustment', refusal);

  expect(sent).toEqual([]);
  expect(await db().journalEntry.count({ where: { guildId: guild, type: 'admin_adjust' } })).toBe(0);

  await form.getByLabel('Member id').fill(member);
  await form.getByLabel('Amount (negative removes)').fill('40');
  await form.getByLabel('Reason').fill('Welcome gift');
  await form.getByRole('button', { name: 'Apply adjustment' }).click();
  const entry = await until('the adjustment', () => db().journalEntry.findFirst({ where: { guildId: guild, reason: 'Welcome gift' }, include: { postings: { include: { account: true } } } }));
  expect(entry.postings.find((p) => p.account.ownerId === member)).toMatchObject({ amount: 40n, balanceAfter: 40n });
});

it('API tokens: the new-token form refuses what the API refuses, in its words, then mints', async () => {
  const opened = await open('api-tokens');
  page = opened.page;
  const sent = apiRequestsOf(page);
  const before = await db().apiToken.count({ where: { guildId: guild } });

  const form = page.getByRole('form', { name: 'New token' });
  await form.getByLabel('Name').fill('   ');
  await form.getByLabel('Expires in days (empty: never)').fill('0');
  const refusal = await apiRefusal('POST', `/api/guilds/${guild}/api-tokens`, { name: '   ', level: 'mod', expiresInDays: 0 });
  expect(refusal).toMatch(/^name: .*; expiresInDays: /);
  await refusedWith(form, 'Create token', refusal);

  expect(sent).toEqual([]);
  expect(await db().apiToken.count({ where: { guildId: guild } })).toBe(before);

  await form.getByLabel('Name').fill('Forms bot');
  await form.getByLabel('Expires in days (empty: never)').fill('30');
  await form.getByRole('button', { name: 'Create token' }).click();
  await form.getByRole('status').filter({ hasText: /^The token \(shown this once/ }).waitFor();
  const token = await until('the new token', () => db().apiToken.findFirst({ where: { guildId: guild, name: 'Forms bot' } }));
  expect(token).toMatchObject({ level: 'mod', revokedAt: null });
  expect(token.expiresAt!.getTime() - token.createdAt.getTime()).toBeCloseTo(30 * 86_400_000, -5);
});
