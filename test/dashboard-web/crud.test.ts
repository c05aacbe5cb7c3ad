import type { Page } from 'playwright-core';
import { apiRequestsOf, startDashboard, until, type Dashboard } from './stack';

/**
 * The dashboard's editing pages in Chromium against the whole stack (see ./stack.ts): each change is made
 * through the page as an admin would make it, after the real Discord login, and read back from the
 * database; each page passes axe and is saved as a screenshot.
 */

// A browser on a loaded two-core machine: each step may wait, so each test gets two minutes.
jest.setTimeout(120_000);

let dashboard: Dashboard;
let guild: string;

const db = () => dashboard.e2e.prisma;
const open = (slug: string) => dashboard.openAsAdmin(`/guilds/${guild}/${slug}`);
/** Accepts the page's next confirm() (a removal asks first). */
const acceptNextDialog = (page: Page) => page.once('dialog', (d) => void d.accept());

beforeAll(async () => {
  dashboard = await startDashboard();
  guild = dashboard.guild;
  const { page } = await dashboard.browser.page();
  await page.goto(`${dashboard.base}/guilds/${guild}/`);
  await dashboard.logIn(page, dashboard.admin);
  await page.close();
}, 240_000);

afterAll(async () => {
  await dashboard?.close();
});

it('creates a shop item with a role and stock, edits it, removes it: the rows say so, and the API’s refusal is shown as it says it', async () => {
  const { page, problems } = await open('shop');
  const verified = dashboard.e2e.demo.roles.verified;
  const form = page.getByRole('form', { name: 'New item' });
  await form.getByLabel('Role the item gives').locator(`option[value="${verified.id}"]`).waitFor({ state: 'attached' });
  const sent = apiRequestsOf(page);
  await form.getByLabel('Name').fill('Golden badge');
  await form.getByLabel('Price').fill('-5');
  await form.getByLabel('Category').fill('!gifts');
  await form.getByRole('button', { name: 'Add item' }).click();
  // Checked in the page with the API's own schema: nothing sent, and the words are the API's.
  const refusal = await form.getByRole('alert').textContent();
  const answer = await dashboard.callApi('POST', `/api/guilds/${guild}/shop/items`, { name: 'Golden badge', price: '-5', category: '!gifts' });
  expect(answer).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: refusal } } });
  expect(refusal).toMatch(/^price: The price must be between 0 and .*; category: A category is 1–32 letters/);
  // The rule across fields the API applies after its schema, checked in the page too.
  await form.getByLabel('Category').fill('');
  await form.getByLabel('Price').fill('120');
  await form.getByLabel('Role lasts (seconds; empty: for good)').fill('60');
  await form.getByRole('button', { name: 'Add item' }).click();
  await form.getByRole('alert').filter({ hasText: 'A role duration needs a role: set the role the item gives, or clear the duration.' }).waitFor();
  expect(sent).toEqual([]);
  expect(await db().shopItem.count({ where: { guildId: guild, name: 'Golden badge' } })).toBe(0);
  await form.getByLabel('Role lasts (seconds; empty: for good)').fill('');

  await form.getByLabel('Price').fill('120');
  await form.getByLabel('Stock (empty: unlimited)').fill('5');
  await form.getByLabel('Role the item gives').selectOption({ label: `@${verified.name}` });
  await form.getByRole('button', { name: 'Add item' }).click();
  const created = await until('the new item', () => db().shopItem.findFirst({ where: { guildId: guild, name: 'Golden badge', deletedAt: null } }));
  expect(created).toMatchObject({ price: 120n, stock: 5, roleId: verified.id, active: true });
  const row = page.locator(`tr[data-item-id="${created.id}"]`);
  await row.filter({ hasText: `@${verified.name}` }).waitFor();
  await dashboard.checkPage(page, problems, 'shop-items');

  await row.getByRole('button', { name: 'Edit Golden badge' }).click();
  const edit = page.getByRole('form', { name: 'Edit Golden badge' });
  expect(await edit.getByLabel('Stock (empty: unlimited)').inputValue()).toBe('5');
  await edit.getByLabel('Stock (empty: unlimited)').fill('3');
  await edit.getByLabel('On sale (unticked: hidden from members)').uncheck();
  await edit.getByRole('button', { name: 'Save item' }).click();
  await page.getByText('Saved “Golden badge”.').waitFor();
  await until('the edited item', () => db().shopItem.findFirst({ where: { id: created.id, stock: 3, active: false } }));
  expect(await db().shopItem.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ price: 120n, roleId: verified.id });

  acceptNextDialog(page);
  await row.getByRole('button', { name: 'Remove Golden badge' }).click();
  await until('the removed item', () => db().shopItem.findFirst({ where: { id: created.id, deletedAt: { not: null } } }));
  await row.waitFor({ state: 'detached' });
  expect(problems).toEqual([]);
  await page.close();
});

it('posts a task, announces it in a channel and closes it from the Tasks page', async () => {
  const { page, problems } = await open('tasks');
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Task name').fill('Write a beginners’ guide');
  await form.getByLabel('What to do').fill('One page, with pictures.');
  await form.getByLabel('Reward', { exact: true }).fill('30');
  await form.getByRole('button', { name: 'Post task' }).click();
  const task = await until('the new task', () => db().task.findFirst({ where: { guildId: guild, name: 'Write a beginners’ guide' } }));
  expect(task).toMatchObject({ reward: 30n, description: 'One page, with pictures.', status: 'active', createdBy: `discord:${dashboard.admin}` });
  const row = page.locator(`tr[data-task-id="${task.id}"]`);
  await row.waitFor();

  const announce = page.getByRole('form', { name: 'Announce a task' });
  await announce.getByLabel('Task to announce').selectOption(String(task.id));
  await announce.getByLabel('Announce in').selectOption(dashboard.e2e.demo.channels.general);
  await announce.getByRole('button', { name: 'Announce' }).click();
  await announce.getByText(/^Announced/).waitFor();
  await until('the task’s announcement', () => db().announcement.findFirst({ where: { guildId: guild, channelId: dashboard.e2e.demo.channels.general } }));
  await dashboard.checkPage(page, problems, 'tasks-editor');

  await row.getByRole('button', { name: 'Close Write a beginners’ guide' }).click();
  await until('the closed task', () => db().task.findFirst({ where: { id: task.id, status: 'closed' } }));
  await page.close();
});

it('imports pasted codes and sets a package price from the Orders page: the stock count follows', async () => {
  const { page, problems } = await open('orders');
  const available = page.getByTestId('codes-available');
  await available.getByText('0', { exact: true }).waitFor();
  const importer = page.getByRole('form', { name: 'Import codes' });
  await importer.getByLabel('Codes, one a line').fill('CRUD-CODE-0001\nCRUD-CODE-0002\nCRUD-CODE-0003\nCRUD-CODE-0001');
  await importer.getByRole('button', { name: 'Import codes' }).click();
  await importer.getByText(/^Added 3, 1 duplicate/).waitFor();
  await until('the imported codes', async () => ((await db().code.count({ where: { guildId: guild, status: 'available' } })) === 3 ? true : null));
  await available.getByText('3', { exact: true }).waitFor();

  const pkg = page.getByRole('form', { name: 'Package price' });
  await pkg.getByLabel('Codes in the package').fill('5');
  await pkg.getByLabel('Package price').fill('450');
  await pkg.getByRole('button', { name: 'Save package' }).click();
  await until('the package', () => db().codePackage.findFirst({ where: { guildId: guild, quantity: 5, price: 450n, active: true } }));
  await page.locator('tr', { hasText: '450' }).first().waitFor();
  await dashboard.checkPage(page, problems, 'orders-codes');
  await page.close();
});

it('sets the admin log channel and the verified role through the pickers: the guild’s settings change', async () => {
  const { page, problems } = await open('settings');
  const server = page.getByRole('form', { name: 'Server' });
  const { shop } = dashboard.e2e.demo.channels;
  const { verified } = dashboard.e2e.demo.roles;
  const channel = server.getByLabel('Admin log channel');
  await channel.locator(`option[value="${shop.id}"]`).waitFor({ state: 'attached' });
  // The stored channel is the one shown, once the settings are in.
  await until('the stored channel in the picker', async () => (await channel.inputValue()) === dashboard.e2e.demo.channels.adminLog.id);
  await channel.selectOption({ label: '#shop' });
  await server.getByLabel(/^Verified role/).selectOption({ label: `@${verified.name}` });
  await dashboard.checkPage(page, problems, 'settings-pickers');
  await server.getByRole('button', { name: 'Save server settings' }).click();
  await server.getByText('Saved.').waitFor();
  const settings = await until('the new settings', () => db().guildSettings.findFirst({ where: { guildId: guild, adminLogChannelId: shop.id } }));
  expect(settings).toMatchObject({ verifiedRoleId: verified.id, adminRoleIds: [dashboard.e2e.demo.roles.admin.id] });
  await page.close();
});

it('gives a role a grant and removes it from the Grants page', async () => {
  const { page, problems } = await open('grants');
  const { mod } = dashboard.e2e.demo.roles;
  const form = page.getByRole('form', { name: 'Give a grant' });
  await form.getByLabel('Permission').selectOption({ label: 'Manage shop' });
  const role = form.getByRole('combobox', { name: /^Role/ });
  await role.locator(`option[value="${mod.id}"]`).waitFor({ state: 'attached' });
  await role.selectOption(mod.id);
  await form.getByRole('button', { name: 'Give grant' }).click();
  await form.getByText('Granted Manage shop.').waitFor();
  const grant = await until('the grant', () => db().memberGrant.findFirst({ where: { guildId: guild, permission: 'manage_shop', subjectType: 'role', subjectId: mod.id } }));
  expect(grant.grantedBy).toBe(`discord:${dashboard.admin}`);
  const row = page.locator(`tr[data-grant-id="${grant.id}"]`);
  await row.getByText(`role @${mod.name}`).waitFor();
  await dashboard.checkPage(page, problems, 'grants');

  acceptNextDialog(page);
  await row.getByRole('button', { name: /^Remove Manage shop/ }).click();
  await until('the grant removed', async () => ((await db().memberGrant.count({ where: { id: grant.id } })) === 0 ? true : null));
  await row.waitFor({ state: 'detached' });
  await page.close();
});

it('lists the audit trail, newest first, with the changes made above', async () => {
  const events = await db().auditEvent.findMany({ where: { guildId: guild }, orderBy: { id: 'desc' } });
  expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['shop_item.created', 'task.created', 'codes.imported', 'grant.added']));
  const { page, problems } = await open('audit');
  const rows = page.locator('tbody tr[data-event-id]');
  await rows.first().waitFor();
  expect(await rows.first().getAttribute('data-event-id')).toBe(events[0]!.id.toString());
  expect(await rows.count()).toBe(Math.min(events.length, 50));
  await page.locator('tr', { hasText: 'shop_item.created' }).first().waitFor();
  await dashboard.checkPage(page, problems, 'audit');
  await page.close();
});
