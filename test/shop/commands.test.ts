import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';
import type { PurchaseState } from '../../lib/flows/shop';

/**
 * The shop as members and admins use it: slash commands and buttons through the fake Discord, the bot,
 * Temporal and the database (startE2E, the production stack in-process).
 */
describe('shop commands', () => {
  let e2e: E2E;
  let guildId: string;
  const ledger = () => createLedger(e2e.prisma);

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({
      where: { guildId },
      data: { adminRoleIds: [e2e.demo.roles.admin.id], adminLogChannelId: e2e.demo.channels.adminLog.id },
    });
  });
  afterAll(() => e2e?.close());

  const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
  const buttons = (m: MessageRecord | undefined) =>
    (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
  const reply = async (h: InteractionHandle) => {
    const r = await h.waitForResponse();
    return { response: r, message: h.original(), embed: embedOf(h.original()), content: (r.data as { content?: string }).content };
  };
  async function newMember(name: string, balance: bigint, roles: string[] = []): Promise<string> {
    const u = e2e.discord.createUser({ username: name });
    e2e.discord.addMember(guildId, u.id, { roles });
    if (balance > 0n) {
      await ledger().transfer({ guildId, key: `fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u.id), amount: balance });
    }
    return u.id;
  }
  const balanceOf = async (userId: string) => ledger().balance(guildId, userAccount(userId), 'currency');
  const adminAdd = (options: Record<string, unknown>) => e2e.discord.slash(guildId, e2e.demo.admin.id, 'shop-admin', options, { subcommand: 'add' });
  const itemNamed = (name: string) => e2e.prisma.shopItem.findFirstOrThrow({ where: { guildId, name, deletedAt: null } });

  /** /buy → confirm message → Confirm click; returns both handles and the workflow id. */
  async function buyAndConfirm(userId: string, item: string, quantity?: number) {
    const buy = e2e.discord.slash(guildId, userId, 'buy', quantity ? { item, quantity } : { item });
    const { response, message } = await reply(buy);
    expect(response.ephemeral).toBe(true);
    const confirm = buttons(message).find((b) => b.label === 'Confirm')!;
    const click = e2e.discord.clickButton(message!, confirm.custom_id, userId);
    return { buy, click, workflowId: `purchase:${buy.id}` };
  }

  it('the bot registered /shop, /buy, /inventory and /shop-admin', () => {
    const names = e2e.discord.commands().map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['shop', 'buy', 'inventory', 'shop-admin']));
  });

  it('an admin adds an item (audited); /buy → Confirm: acked at once, money, stock, inventory and the confirm message change', async () => {
    const added = await reply(adminAdd({ name: 'Sword', price: 150, stock: 3, emoji: '🗡️', description: 'Sharp.' }));
    expect(added.embed.title).toBe('Added 🗡️ Sword to the shop');
    const sword = await itemNamed('Sword');
    expect(sword).toMatchObject({ price: 150n, stock: 3, active: true });
    const audit = await e2e.prisma.auditEvent.findFirstOrThrow({ where: { guildId, action: 'shop_item.created', targetId: String(sword.id) } });
    expect(audit).toMatchObject({ actorType: 'user', actorId: `discord:${e2e.demo.admin.id}` });

    const alice = await newMember('alice', 500n);
    const { buy, click, workflowId } = await buyAndConfirm(alice, 'sword', 2);
    expect(embedOf(buy.original()).title).toBe('Buy 2 × 🗡️ Sword?');
    expect(embedOf(buy.original()).description).toContain('total 🪙 300 Coins');
    const ack = await click.waitForResponse();
    expect(ack.type).toBe(6); // deferred update: acknowledged before the purchase runs
    expect(ack.at - click.rec.createdAt).toBeLessThan(3000);

    await e2e.waitForWorkflow(workflowId, 'COMPLETED');
    const result = await e2e.workflowResult<PurchaseState>(workflowId);
    expect(result.status).toBe('completed');
    // Operators find it in the Temporal UI by guild, member and kind, with a summary in words.
    const described = await e2e.temporal.workflow.getHandle(workflowId).describe();
    expect(await described.staticSummary()).toBe(`Shop purchase: 2 × item #${sword.id} by alice (${alice})`);
    expect(described.searchAttributes).toMatchObject({ GuildId: [guildId], DiscordUserId: [alice], FlowKind: ['purchase'] });
    // The confirm message now shows the outcome, without buttons.
    const shown = await e2e.discord.waitFor(() => (embedOf(buy.original()).title === 'Purchase complete' ? buy.original() : undefined), 5000, 'the edited confirm message');
    expect(buttons(shown)).toEqual([]);
    expect(embedOf(shown).description).toContain('2 × 🗡️ Sword** for **🪙 300 Coins**');
    expect(await balanceOf(alice)).toEqual({ balance: 200n, held: 0n, available: 200n });
    expect((await itemNamed('Sword')).stock).toBe(1);

    const inv = await reply(e2e.discord.slash(guildId, alice, 'inventory'));
    expect(inv.response.ephemeral).toBe(true);
    expect(inv.embed.description).toBe(`**2 ×** #${sword.id} 🗡️ Sword`);
  });

  it('a double click on Confirm runs one purchase with one hold', async () => {
    await reply(adminAdd({ name: 'Shield', price: 100 }));
    const bob = await newMember('bob', 1000n);
    const buy = e2e.discord.slash(guildId, bob, 'buy', { item: 'Shield' });
    const { message } = await reply(buy);
    const confirm = buttons(message).find((b) => b.label === 'Confirm')!;
    const clicks = [e2e.discord.clickButton(message!, confirm.custom_id, bob), e2e.discord.clickButton(message!, confirm.custom_id, bob)];
    await Promise.all(clicks.map((c) => c.waitForResponse()));
    await e2e.waitForWorkflow(`purchase:${buy.id}`, 'COMPLETED');
    const told = await e2e.discord.waitFor(
      () => clicks.filter((c) => c.responses().some((r) => r.kind === 'followup' && /already confirmed/.test(JSON.stringify(r.data)))),
      5000,
      'the second click’s answer',
    );
    expect(told).toHaveLength(1);
    expect(await e2e.prisma.purchase.count({ where: { guildId, userId: bob } })).toBe(1);
    expect(await e2e.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `purchase:${buy.id}:` } } })).toBe(1);
    expect(await balanceOf(bob)).toEqual({ balance: 900n, held: 0n, available: 900n });
  });

  it('role above the bot’s: the purchase fails, money and stock back, the member and the admin log are told', async () => {
    const botPosition = e2e.discord.roles(guildId).find((r) => r.id === e2e.demo.guild.botRoleId)!.position;
    const legend = e2e.discord.createRole(guildId, { name: 'Legend', position: botPosition + 1 });
    await reply(adminAdd({ name: 'Legend pass', price: 250, stock: 2, role: legend.id, role_duration: '1h' }));
    const item = await itemNamed('Legend pass');
    expect(item).toMatchObject({ roleId: legend.id, roleDurationSeconds: 3600 });
    const carol = await newMember('carol', 300n);
    const { buy, workflowId } = await buyAndConfirm(carol, 'Legend pass');
    await e2e.waitForWorkflow(workflowId, 'COMPLETED');
    expect(await e2e.workflowResult<PurchaseState>(workflowId)).toMatchObject({ status: 'failed' });

    expect(await balanceOf(carol)).toEqual({ balance: 300n, held: 0n, available: 300n });
    expect((await itemNamed('Legend pass')).stock).toBe(2);
    expect(e2e.discord.member(guildId, carol)?.roles).not.toContain(legend.id);
    const shown = await e2e.discord.waitFor(() => (embedOf(buy.original()).title?.startsWith('Purchase failed') ? buy.original() : undefined), 5000, 'the failure on the confirm message');
    expect(embedOf(shown).description).toMatch(/@Legend is not below Guildflow's highest role/);
    const log = await e2e.discord.waitFor(
      () => e2e.discord.messages(e2e.demo.channels.adminLog.id).find((m) => embedOf(m).footer?.text?.includes(workflowId)),
      5000,
      'the admin log notice',
    );
    expect(embedOf(log).description).toContain(`<@${carol}> tried to buy 1 × Legend pass`);
    expect(embedOf(log).description).toMatch(/nothing was lost/);
  });

  it('refusals through the bot change nothing: per-member limit, required role, unknown item, bad quantity', async () => {
    await reply(adminAdd({ name: 'Badge', price: 10, per_user_limit: 1, required_role: e2e.demo.roles.verified.id }));
    const dave = await newMember('dave', 100n, [e2e.demo.roles.verified.id]);
    const first = await buyAndConfirm(dave, 'Badge');
    await e2e.waitForWorkflow(first.workflowId, 'COMPLETED');
    const second = await buyAndConfirm(dave, 'Badge');
    await e2e.waitForWorkflow(second.workflowId, 'COMPLETED');
    const shown = await e2e.discord.waitFor(() => (embedOf(second.buy.original()).title?.startsWith('Purchase failed') ? second.buy.original() : undefined), 5000, 'refusal');
    expect(embedOf(shown).description).toContain('You can own at most 1 × Badge; you have 1.');
    expect(await balanceOf(dave)).toEqual({ balance: 90n, held: 0n, available: 90n });

    const erin = await newMember('erin', 100n);
    const noRole = await buyAndConfirm(erin, 'Badge');
    await e2e.waitForWorkflow(noRole.workflowId, 'COMPLETED');
    await e2e.discord.waitFor(() => embedOf(noRole.buy.original()).description?.includes(`Only members with the role <@&${e2e.demo.roles.verified.id}> can buy Badge.`), 5000, 'refusal');
    expect(await balanceOf(erin)).toEqual({ balance: 100n, held: 0n, available: 100n });

    expect((await reply(e2e.discord.slash(guildId, erin, 'buy', { item: 'Nope' }))).content).toBe('There is no item "Nope" in this server\'s shop.');
    expect((await reply(e2e.discord.slash(guildId, erin, 'buy', { item: 'Badge', quantity: 0 }))).content).toBe('The quantity must be from 1 to 100.');
  });

  it('Cancel closes the confirm message and charges nothing', async () => {
    const frank = await newMember('frank', 100n);
    const buy = e2e.discord.slash(guildId, frank, 'buy', { item: 'Shield' });
    const { message } = await reply(buy);
    const cancel = e2e.discord.clickButton(message!, buttons(message).find((b) => b.label === 'Cancel')!.custom_id, frank);
    expect((await cancel.waitForResponse()).type).toBe(7);
    expect(embedOf(buy.original()).title).toBe('Purchase cancelled');
    expect(await e2e.prisma.purchase.count({ where: { userId: frank } })).toBe(0);
  });

  it('/shop pages with Previous/Next (state in the custom id)', async () => {
    for (let i = 1; i <= 4; i += 1) await reply(adminAdd({ name: `Gem pack ${i}`, price: i * 10 }));
    const live = await e2e.prisma.shopItem.count({ where: { guildId, deletedAt: null, active: true } });
    expect(live).toBeGreaterThan(5);
    const shop = e2e.discord.slash(guildId, e2e.demo.member.id, 'shop');
    const first = await reply(shop);
    expect(first.embed.description).toContain(`Page 1 of ${Math.ceil(live / 5)}`);
    expect(buttons(first.message).map((b) => [b.label, b.custom_id, b.disabled])).toEqual([
      ['Previous', 'gf:shop-page:0', true],
      ['Next', 'gf:shop-page:1', false],
    ]);
    const next = e2e.discord.clickButton(first.message!, 'gf:shop-page:1', e2e.demo.member.id);
    expect((await next.waitForResponse()).type).toBe(7);
    expect(embedOf(shop.original()).description).toContain(`Page 2 of ${Math.ceil(live / 5)}`);
    expect(embedOf(shop.original()).description).toContain('Gem pack 4');
  });

  it('admin commands: edit and remove (audited); refused for members, changing nothing', async () => {
    const edited = await reply(e2e.discord.slash(guildId, e2e.demo.admin.id, 'shop-admin', { item: 'Shield', price: 120, stock: 5 }, { subcommand: 'edit' }));
    expect(edited.embed.title).toBe('Updated Shield');
    expect(await itemNamed('Shield')).toMatchObject({ price: 120n, stock: 5 });
    const removed = await reply(e2e.discord.slash(guildId, e2e.demo.admin.id, 'shop-admin', { item: 'Shield' }, { subcommand: 'remove' }));
    expect(removed.embed.title).toBe('Removed Shield from the shop');
    const row = await e2e.prisma.shopItem.findFirstOrThrow({ where: { guildId, name: 'Shield' } });
    expect(row.deletedAt).not.toBeNull();
    const actions = (await e2e.prisma.auditEvent.findMany({ where: { guildId, targetId: String(row.id) }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['shop_item.created', 'shop_item.updated', 'shop_item.removed']);

    const before = { items: await e2e.prisma.shopItem.count(), audit: await e2e.prisma.auditEvent.count() };
    const asMember = await reply(e2e.discord.slash(guildId, e2e.demo.member.id, 'shop-admin', { name: 'Free money', price: 0 }, { subcommand: 'add', ignoreCommandPermissions: true }));
    expect(asMember.content).toBe('Only a server admin or a member with the Manage shop grant can do this (you are user).');
    const asMod = await reply(e2e.discord.slash(guildId, e2e.demo.mod.id, 'shop-admin', { item: 'Sword' }, { subcommand: 'remove', ignoreCommandPermissions: true }));
    expect(asMod.content).toBe('Only a server admin or a member with the Manage shop grant can do this (you are user).');
    expect({ items: await e2e.prisma.shopItem.count(), audit: await e2e.prisma.auditEvent.count() }).toEqual(before);

    const invalid = await reply(adminAdd({ name: 'Bad', price: -5 }));
    expect(invalid.content).toMatch(/price/i);
    const duplicate = await reply(adminAdd({ name: 'sword', price: 5 }));
    expect(duplicate.content).toBe('The shop already has an item called "sword".');
  });
  it('Confirm is acknowledged only after the purchase exists: a bot stopped in between leaves the click unanswered, never "confirmed" with nothing started', async () => {
    await reply(adminAdd({ name: 'Lantern', price: 10 }));
    const dana = await newMember('dana', 100n);
    const { click, workflowId } = await buyAndConfirm(dana, 'Lantern');
    const ack = await click.waitForResponse();
    expect(ack.type).toBe(6); // deferred update
    const { startTime } = await e2e.temporal.workflow.getHandle(workflowId).describe();
    expect(ack.at).toBeGreaterThanOrEqual(startTime.getTime());
    await e2e.waitForWorkflow(workflowId, 'COMPLETED');
    expect(await balanceOf(dana)).toEqual({ balance: 90n, held: 0n, available: 90n });
  });
});
