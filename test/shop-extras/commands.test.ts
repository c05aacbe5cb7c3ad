import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import { REST, Routes } from 'discord.js';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { addItem, applyInventoryMovement, buyFromPostRow } from '../../activities/shop';
import { createApiToken } from '../../lib/api-tokens';
import { closeDiscordRest } from '../../lib/discord/rest';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';
import { createGuild } from '../helpers/ledger';

/**
 * The shop's extras as members and admins use them, through the fake Discord, the bot, Temporal, the API
 * and the database: the Buy button on an item's post, categories, /use and /sell.
 */
describe('shop extras', () => {
  let e2e: E2E;
  let guildId: string;
  let shopChannel: string;
  let seq = 0;
  const ledger = () => createLedger(e2e.prisma);

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    shopChannel = e2e.demo.channels.shop.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    await e2e.prisma.syncChannel.create({ data: { guildId, entityType: 'shop_item', channelId: shopChannel } });
  });
  afterAll(async () => {
    // The item posts' sync flows wait for changes forever: end them with the run.
    const flows = e2e?.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "sync:shop_item:" AND ExecutionStatus = "Running" AND TaskQueue = "${e2e.taskQueue}"` });
    if (flows) for await (const f of flows) await e2e.temporal.workflow.getHandle(f.workflowId).terminate('test over').catch(() => undefined);
    await e2e?.close();
  });

  const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
  const buttons = (m: MessageRecord | undefined) =>
    (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
  const reply = async (h: InteractionHandle) => {
    const r = await h.waitForResponse();
    return { response: r, message: h.original(), embed: embedOf(h.original()), content: (r.data as { content?: string }).content };
  };
  async function newMember(balance: bigint): Promise<string> {
    const u = e2e.discord.createUser({ username: `extras-${(seq += 1)}` });
    e2e.discord.addMember(guildId, u.id);
    if (balance > 0n) {
      await ledger().transfer({ guildId, key: `fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u.id), amount: balance });
    }
    return u.id;
  }
  const balanceOf = async (userId: string) => (await ledger().balance(guildId, userAccount(userId), 'currency')).balance;
  const adminAdd = (options: Record<string, unknown>) => reply(e2e.discord.slash(guildId, e2e.demo.admin.id, 'shop-admin', options, { subcommand: 'add' }));
  const itemNamed = (name: string) => e2e.prisma.shopItem.findFirstOrThrow({ where: { guildId, name, deletedAt: null } });
  const ownedOf = async (userId: string, itemId: number) => (await e2e.prisma.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId, ownerId: userId, itemId } } }))?.quantity ?? 0;
  const buyId = (itemId: number) => `gf:shop-item-buy:${itemId}`;
  /** The item's post in the shop channel once it shows the Buy button. */
  const postOf = (itemId: number) =>
    e2e.discord.waitFor(() => e2e.discord.messages(shopChannel).find((m) => buttons(m).some((b) => b.custom_id === buyId(itemId) && !b.disabled)), 15_000, `the post of item ${itemId}`);
  const confirmOf = (m: MessageRecord | undefined) => buttons(m).find((b) => b.label === 'Confirm')!;

  it('Buy on the post → the /buy confirm → one purchase, even with Buy and Confirm each clicked twice', async () => {
    expect((await adminAdd({ name: 'Post sword', price: 40, stock: 5 })).embed.title).toBe('Added Post sword to the shop');
    const sword = await itemNamed('Post sword');
    const post = await postOf(sword.id);
    expect(embedOf(post).title).toBe('Post sword');
    const alice = await newMember(100n);

    const buys = [e2e.discord.clickButton(post, buyId(sword.id), alice), e2e.discord.clickButton(post, buyId(sword.id), alice)];
    const confirms = await Promise.all(buys.map(reply));
    for (const c of confirms) {
      expect(c.response.ephemeral).toBe(true);
      expect(c.embed.title).toBe('Buy 1 × Post sword?');
    }
    // Both confirm messages name the same purchase.
    expect(confirmOf(confirms[0]!.message).custom_id).toBe(confirmOf(confirms[1]!.message).custom_id);
    const clicks = [
      e2e.discord.clickButton(confirms[0]!.message!, confirmOf(confirms[0]!.message).custom_id, alice),
      e2e.discord.clickButton(confirms[0]!.message!, confirmOf(confirms[0]!.message).custom_id, alice),
      e2e.discord.clickButton(confirms[1]!.message!, confirmOf(confirms[1]!.message).custom_id, alice),
    ];
    await Promise.all(clicks.map((c) => c.waitForResponse()));
    const purchaseId = `post-${sword.id}-${alice}-0`;
    await e2e.waitForWorkflow(`purchase:${purchaseId}`, 'COMPLETED');
    await e2e.discord.waitFor(() => clicks.filter((c) => c.responses().some((r) => r.kind === 'followup' && /already confirmed/.test(JSON.stringify(r.data)))).length === 2 || undefined, 5000, 'the later clicks’ answers');

    expect(await e2e.prisma.purchase.findMany({ where: { guildId, userId: alice }, select: { id: true, status: true } })).toEqual([{ id: purchaseId, status: 'completed' }]);
    expect(await e2e.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `purchase:${purchaseId}:` } } })).toBe(1);
    expect(await balanceOf(alice)).toBe(60n);
    expect((await itemNamed('Post sword')).stock).toBe(4);
    expect(await ownedOf(alice, sword.id)).toBe(1);
    // The post follows the stock; a later Buy is a new purchase.
    await e2e.discord.waitFor(() => embedOf(e2e.discord.message(post.id)).fields?.find((f) => f.name === 'Stock')?.value === '4' || undefined, 15_000, 'the post’s stock');
    const later = await reply(e2e.discord.clickButton(post.id, buyId(sword.id), alice));
    expect(confirmOf(later.message).custom_id).toBe(`gf:shop-buy:${sword.id}.1.40.${sword.id}n1`);
  });

  it('a Buy button naming an item of another server, a removed or a paused one, is refused and changes nothing', async () => {
    const otherGuild = await createGuild(e2e.prisma);
    const foreign = await addItem(e2e.prisma, otherGuild, { name: 'Foreign gem', price: 1n }, { actorType: 'system', actorId: 'test' });
    await adminAdd({ name: 'Old lamp', price: 10 });
    const lamp = await itemNamed('Old lamp');
    await reply(e2e.discord.slash(guildId, e2e.demo.admin.id, 'shop-admin', { item: 'Old lamp' }, { subcommand: 'remove' }));
    await adminAdd({ name: 'Paused cup', price: 10 });
    await reply(e2e.discord.slash(guildId, e2e.demo.admin.id, 'shop-admin', { item: 'Paused cup', active: false }, { subcommand: 'edit' }));
    const cup = await itemNamed('Paused cup');
    // A message in this server carrying Buy buttons it should not (a stale post, a tampered client).
    const rest = new REST({ api: e2e.discord.restUrl, retries: 0 }).setToken(e2e.discord.token);
    const forged = (await rest.post(Routes.channelMessages(shopChannel), {
      body: { content: 'stale', components: [foreign, lamp, cup].map((i) => buyFromPostRow({ ...i, active: true })) },
    })) as { id: string };
    closeDiscordRest(rest);
    const bob = await newMember(100n);
    const before = { purchases: await e2e.prisma.purchase.count(), entries: await e2e.prisma.journalEntry.count() };
    for (const id of [foreign.id, lamp.id]) {
      const refused = await reply(e2e.discord.clickButton(forged.id, buyId(id), bob));
      expect(refused.response.ephemeral).toBe(true);
      expect(refused.content).toBe(`There is no item "${id}" in this server's shop.`);
    }
    expect((await reply(e2e.discord.clickButton(forged.id, buyId(cup.id), bob))).content).toBe('Paused cup is not on sale right now.');
    expect({ purchases: await e2e.prisma.purchase.count(), entries: await e2e.prisma.journalEntry.count() }).toEqual(before);
    expect(await balanceOf(bob)).toBe(100n);
  });

  it('categories: /shop category:… lists only that category (pages keep it), the listing names them; the API filters and validates', async () => {
    await adminAdd({ name: 'Green tea', price: 5, category: 'Drinks' });
    await adminAdd({ name: 'Cold brew', price: 7, category: 'drinks' });
    await adminAdd({ name: 'Bagel', price: 3, category: 'Food' });
    const drinks = await reply(e2e.discord.slash(guildId, e2e.demo.member.id, 'shop', { category: 'DRINKS' }));
    expect(drinks.embed.title).toBe('Shop — drinks');
    expect(drinks.embed.description).toContain('Green tea');
    expect(drinks.embed.description).toContain('Cold brew');
    expect(drinks.embed.description).not.toContain('Bagel');
    expect(drinks.embed.description).toContain('**Categories:** drinks · food');
    expect(buttons(drinks.message).map((b) => b.custom_id)).toEqual(['gf:shop-page:0.drinks', 'gf:shop-page:1.drinks']);
    const none = await reply(e2e.discord.slash(guildId, e2e.demo.member.id, 'shop', { category: 'toys' }));
    expect(none.embed.description).toContain('No item on sale in the category *toys*.');

    const token = (await createApiToken(e2e.prisma, { guildId, name: 'extras', level: 'admin', createdBy: 'test', creatorLevel: 'owner' })).token;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}/shop${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as { items?: { name: string; category: string | null }[]; error?: { message: string } } & Record<string, unknown> };
    };
    const created = await api('POST', '/items', { name: 'Elixir', price: '30', category: 'Drinks', usable: true, sellBackPercent: 50 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ category: 'drinks', usable: true, sellBackPercent: 50 });
    const listed = await api('GET', '/items?category=Drinks');
    expect(listed.body.items!.map((i) => i.name).sort()).toEqual(['Cold brew', 'Elixir', 'Green tea']);
    const role = await api('PATCH', `/items/${created.body.id as number}`, { roleId: e2e.demo.roles.verified.id });
    expect(role.status).toBe(400);
    expect(role.body.error!.message).toMatch(/An item that gives a role cannot be usable or sold back/);
    expect((await api('PATCH', `/items/${created.body.id as number}`, { sellBackPercent: 120 })).status).toBe(400);
    expect(await e2e.prisma.shopItem.findUniqueOrThrow({ where: { id: created.body.id as number } })).toMatchObject({ roleId: null, sellBackPercent: 50 });
  });

  it('/use consumes and /sell credits floor(price × pct / 100) per unit; not usable, not sellable and not owned are refused', async () => {
    await adminAdd({ name: 'Potion', price: 25, usable: true, sell_back_percent: 30 });
    await adminAdd({ name: 'Statue', price: 25 });
    const potion = await itemNamed('Potion');
    const statue = await itemNamed('Statue');
    const carol = await newMember(0n);
    for (const item of [potion, statue]) {
      await applyInventoryMovement(e2e.prisma, { guildId, ownerId: carol, itemId: item.id, delta: 3, key: `gift:${carol}:${item.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' } });
    }

    const used = await reply(e2e.discord.slash(guildId, carol, 'use', { item: 'potion' }));
    expect(used.response.ephemeral).toBe(true);
    expect(used.embed).toMatchObject({ title: 'Used 1 × Potion', description: 'You have 2 × Potion left.' });
    expect(await ownedOf(carol, potion.id)).toBe(2);
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'shop_item.used', actorId: `discord:${carol}` } })).toBe(1);

    const sold = await reply(e2e.discord.slash(guildId, carol, 'sell', { item: `#${potion.id}`, quantity: 2 }));
    expect(sold.embed.title).toBe('Sold 2 × Potion');
    expect(sold.embed.description).toContain('You have no Potion left.');
    expect(await balanceOf(carol)).toBe(((25n * 30n) / 100n) * 2n);
    expect(await ownedOf(carol, potion.id)).toBe(0);

    const before = { balance: await balanceOf(carol), statue: await ownedOf(carol, statue.id), movements: await e2e.prisma.inventoryMovement.count({ where: { guildId, ownerId: carol } }) };
    expect((await reply(e2e.discord.slash(guildId, carol, 'sell', { item: 'Potion' }))).content).toBe('You do not own any Potion.');
    expect((await reply(e2e.discord.slash(guildId, carol, 'use', { item: 'Statue' }))).content).toBe('Statue cannot be used: it is kept in your inventory.');
    expect((await reply(e2e.discord.slash(guildId, carol, 'sell', { item: 'Statue' }))).content).toBe('Statue cannot be sold back to the shop.');
    expect((await reply(e2e.discord.slash(guildId, carol, 'use', { item: 'Statue', quantity: 0 }))).content).toBe('The quantity must be from 1 to 100.');
    expect({ balance: await balanceOf(carol), statue: await ownedOf(carol, statue.id), movements: await e2e.prisma.inventoryMovement.count({ where: { guildId, ownerId: carol } }) }).toEqual(before);
  });
});
