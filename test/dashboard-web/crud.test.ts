import type { Page } from 'playwright-core';
import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { apiRequestsOf, startDashboardAsAdmin, until, type Dashboard } from './stack';

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
  dashboard = await startDashboardAsAdmin();
  guild = dashboard.guild;
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

it('posts a task, announces it in a channel and closes it from the Tasks page; refused input is the API’s refusal, unsent', async () => {
  const { page, problems } = await open('tasks');
  const form = page.getByRole('form', { name: 'New task' });
  const sent = apiRequestsOf(page);
  await form.getByLabel('Task name').fill('Write a beginners’ guide');
  await form.getByLabel('What to do').fill('One page, with pictures.');
  await form.getByLabel('Reward', { exact: true }).fill('-5');
  await form.getByLabel('Only for members (ids, comma-separated; empty: everyone)').fill('carol');
  await form.getByRole('button', { name: 'Post task' }).click();
  // Checked in the page with the API's own schema: nothing sent, and the words are the API's.
  const refusal = await form.getByRole('alert').textContent();
  const answer = await dashboard.callApi('POST', `/api/guilds/${guild}/tasks`, { name: 'Write a beginners’ guide', description: 'One page, with pictures.', reward: '-5', assignedUserIds: ['carol'] });
  expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', message: refusal } } });
  expect(refusal).toMatch(/^reward: The reward must be between 0 and .*; assignedUserIds\.0: must be a Discord id/);
  // The rule the API applies after its schema (the expiry is in the future), checked in the page too.
  await form.getByLabel('Reward', { exact: true }).fill('30');
  await form.getByLabel('Only for members (ids, comma-separated; empty: everyone)').fill('');
  await form.getByLabel('Closes at (empty: never)').fill('2020-01-01T12:00');
  await form.getByRole('button', { name: 'Post task' }).click();
  await form.getByRole('alert').filter({ hasText: /^The task’s expiry must be in the future\.$/ }).waitFor();
  const late = await dashboard.callApi('POST', `/api/guilds/${guild}/tasks`, { name: 'Write a beginners’ guide', reward: '30', expiresAt: '2020-01-01T12:00:00.000Z' });
  expect(late).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: 'The task’s expiry must be in the future.' } } });
  expect(sent).toEqual([]);
  expect(await db().task.count({ where: { guildId: guild, name: 'Write a beginners’ guide' } })).toBe(0);

  await form.getByLabel('Closes at (empty: never)').fill('');
  await form.getByRole('button', { name: 'Post task' }).click();
  const task = await until('the new task', () => db().task.findFirst({ where: { guildId: guild, name: 'Write a beginners’ guide' } }));
  expect(task).toMatchObject({ reward: 30n, description: 'One page, with pictures.', status: 'active', createdBy: `discord:${dashboard.admin}` });
  const row = page.locator(`tr[data-task-id="${task.id}"]`);
  await row.waitFor();

  const announce = page.getByRole('form', { name: 'Announce a task' });
  await announce.getByLabel('Task to announce').selectOption(String(task.id));
  // No channel chosen: refused in the page as the API refuses it.
  const announced = sent.length;
  await announce.getByRole('button', { name: 'Announce' }).click();
  const noChannel = await announce.getByRole('alert').textContent();
  expect(await dashboard.callApi('POST', `/api/guilds/${guild}/tasks/${task.id}/announce`, { channelId: '' })).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: noChannel } } });
  expect(noChannel).toBe('channelId: must be a Discord id (digits)');
  expect(sent.slice(announced)).toEqual([]);
  await announce.getByLabel('Announce in').selectOption(dashboard.e2e.demo.channels.general);
  await announce.getByRole('button', { name: 'Announce' }).click();
  await announce.getByText(/^Announced/).waitFor();
  await until('the task’s announcement', () => db().announcement.findFirst({ where: { guildId: guild, channelId: dashboard.e2e.demo.channels.general } }));
  await dashboard.checkPage(page, problems, 'tasks-editor');

  await row.getByRole('button', { name: 'Close Write a beginners’ guide' }).click();
  await until('the closed task', () => db().task.findFirst({ where: { id: task.id, status: 'closed' } }));
  await page.close();
});

it('accepts a claim and revokes it from the Tasks page; a rejection or a revoke without a reason is refused in the page as the API refuses it', async () => {
  // A claim as a member makes it in Discord: Claim on the task's post, then /task submit with the proof.
  const { e2e } = dashboard;
  const carol = dashboard.member('carol');
  const tasksChannel = e2e.demo.channels.tasks.id;
  await db().taskSettings.upsert({ where: { guildId: guild }, create: { guildId: guild, taskChannelId: tasksChannel }, update: { taskChannelId: tasksChannel } });
  const task = await db().task.create({ data: { guildId: guild, name: 'Film the raid', reward: 40n, claimDurationSeconds: 86_400, createdBy: dashboard.admin } });
  await requestTaskMessageSync({ temporal: e2e.temporal, taskQueue: e2e.taskQueue }, guild, task.id);
  const posted = await until('the task’s post', async () => (await db().task.findUniqueOrThrow({ where: { id: task.id } })).messageId ?? null);
  await e2e.discord.clickButton(e2e.discord.message(posted)!, `gf:task-claim:${task.id}`, carol).waitForResponse();
  await until('the claim', () => db().taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'claimed' } }));
  await e2e.discord.slash(guild, carol, 'task', { task: `#${task.id}`, proof: 'The raid, filmed from the roof.' }, { subcommand: 'submit' }).waitForResponse();
  await until('the submitted claim', () => db().taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'submitted' } }));
  const claimPath = `/api/guilds/${guild}/tasks/${task.id}/claims/${carol}`;

  const { page } = await open('tasks');
  const sent = apiRequestsOf(page);
  const claim = page.locator('li.claim').filter({ hasText: 'The raid, filmed from the roof.' });
  await claim.getByRole('button', { name: 'Reject' }).click();
  const noReason = await claim.getByRole('alert').textContent();
  expect(await dashboard.callApi('POST', `${claimPath}/review`, { decision: 'reject' })).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: noReason } } });
  expect(noReason).toBe('reason: A rejection needs a reason.');
  expect(sent).toEqual([]);
  expect(await db().taskClaim.count({ where: { taskId: task.id, userId: carol, status: 'submitted' } })).toBe(1);
  await claim.getByRole('button', { name: 'Accept' }).click();
  await until('the accepted claim', () => db().taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'completed' } }));

  await page.getByLabel('Claim status').selectOption('completed');
  const completed = page.locator('li.claim').filter({ hasText: 'The raid, filmed from the roof.' });
  await completed.getByRole('button', { name: 'Revoke' }).click();
  const noRevokeReason = await completed.getByRole('alert').textContent();
  expect(await dashboard.callApi('POST', `${claimPath}/revoke`, { reason: '' })).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: noRevokeReason } } });
  expect(noRevokeReason).toBe('reason: A revoke needs a reason.');
  expect(sent).toEqual([`POST ${claimPath}/review`]);
  await completed.getByLabel('Reason (needed to reject or revoke)').fill('Filmed another server’s raid.');
  await completed.getByRole('button', { name: 'Revoke' }).click();
  const revoked = await until('the revoked claim', () => db().taskClaim.findFirst({ where: { taskId: task.id, userId: carol, status: 'revoked' } }));
  expect(revoked.revokeReason).toBe('Filmed another server’s raid.');
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

it('gives a role a grant and removes it from the Grants page; a member id that is not one is refused in the page as the API refuses it', async () => {
  const { page, problems } = await open('grants');
  const { mod } = dashboard.e2e.demo.roles;
  const form = page.getByRole('form', { name: 'Give a grant' });
  await form.getByLabel('Permission').selectOption({ label: 'Manage shop' });
  // A member id that is not one: refused in the page, in the API's words, and nothing sent.
  const sent = apiRequestsOf(page);
  await form.getByLabel('One member').check();
  await form.getByLabel('Member id').fill('carol');
  await form.getByRole('button', { name: 'Give grant' }).click();
  const refusal = await form.getByRole('alert').textContent();
  expect(await dashboard.callApi('POST', `/api/guilds/${guild}/grants`, { permission: 'manage_shop', subjectType: 'user', subjectId: 'carol' })).toEqual({
    status: 400,
    body: { error: { code: 'invalid_input', message: refusal } },
  });
  expect(refusal).toBe('subjectId: must be a Discord id (digits)');
  expect(sent).toEqual([]);
  expect(await db().memberGrant.count({ where: { guildId: guild, permission: 'manage_shop' } })).toBe(0);
  await form.getByLabel('Everyone with a role').check();
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

it('sends an announcement from the Announcements page; refused input is the API’s refusal, unsent', async () => {
  const { page, problems } = await open('announcements');
  const { general } = dashboard.e2e.demo.channels;
  const form = page.getByRole('form', { name: 'New announcement' });
  await form.getByLabel('Channel').locator(`option[value="${general}"]`).waitFor({ state: 'attached' });
  const sent = apiRequestsOf(page);
  await form.getByLabel('Channel').selectOption(general);
  await form.getByLabel('Title').fill('Season two');
  await form.getByLabel('Text', { exact: true }).fill('It starts on Monday.');
  await form.getByLabel('Colour (#rrggbb)').fill('red');
  await form.getByLabel('Image URL').fill('ftp://example.com/banner.png');
  await form.getByRole('button', { name: 'Send now' }).click();
  const refusal = await form.getByRole('alert').textContent();
  const body = { channelId: general, title: 'Season two', body: 'It starts on Monday.', colour: 'red', imageUrl: 'ftp://example.com/banner.png' };
  expect(await dashboard.callApi('POST', `/api/guilds/${guild}/announcements`, body)).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: refusal } } });
  expect(refusal).toBe('colour: A colour is six hex digits, such as #5865F2.; imageUrl: The image must be an http(s):// URL.');
  // The rule the API applies after its schema (a send time not passed), checked in the page too.
  await form.getByLabel('Colour (#rrggbb)').fill('#5865f2');
  await form.getByLabel('Image URL').fill('');
  await form.getByLabel('Send at (empty: now)').fill('2020-01-01T12:00');
  await form.getByRole('button', { name: 'Schedule' }).click();
  const passed = 'sendAt: that time has passed (leave it empty to send now).';
  await form.getByRole('alert').filter({ hasText: passed }).waitFor();
  const late = await dashboard.callApi('POST', `/api/guilds/${guild}/announcements`, { ...body, colour: '#5865f2', imageUrl: null, sendAt: '2020-01-01T12:00:00.000Z' });
  expect(late).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: passed } } });
  expect(sent).toEqual([]);
  expect(await db().announcement.count({ where: { guildId: guild, title: 'Season two' } })).toBe(0);

  await form.getByLabel('Send at (empty: now)').fill('');
  await form.getByRole('button', { name: 'Send now' }).click();
  const created = await until('the announcement', () => db().announcement.findFirst({ where: { guildId: guild, title: 'Season two' } }));
  expect(created).toMatchObject({ channelId: general, body: 'It starts on Monday.', colour: 0x5865f2, imageUrl: null });
  await form.getByRole('status').waitFor();
  await dashboard.checkPage(page, problems, 'announcements-compose');
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
