import { randomUUID } from 'node:crypto';
import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed, APIStringSelectComponent } from 'discord-api-types/v10';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { ESCROW_OWNER, movePets, upsertSpecies } from '../../activities/trades';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';
import type { WithdrawState } from '../../lib/flows/trades';
import { waitFor } from '../../lib/wait';

/**
 * The trade commands as members and admins use them, through the fake Discord, the bot, Temporal and the
 * database: /withdraw (select menu → escrow → Cancel button → released), /inventory's pets-and-gems
 * addition, /tip, /history, /trades view|adjust|pet|release.
 */
describe('trade commands', () => {
  let e2e: E2E;
  let guildId: string;
  const ledger = () => createLedger(e2e.prisma);
  let seq = 0;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
  });
  afterAll(() => e2e?.close());

  const embedOf = (m: MessageRecord | undefined, i = 0): APIEmbed => m?.embeds[i] ?? {};
  const components = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId | APIStringSelectComponent>).components ?? []);
  const reply = async (h: InteractionHandle) => {
    const r = await h.waitForResponse();
    return { response: r, message: h.original(), content: (r.data as { content?: string; embeds?: APIEmbed[] }) };
  };
  async function linked(name: string, gems = 0n): Promise<string> {
    const u = e2e.discord.createUser({ username: `${name}${++seq}` });
    e2e.discord.addMember(guildId, u.id);
    await e2e.prisma.robloxLink.create({
      data: { guildId, userId: u.id, robloxId: BigInt(8_000_000_000 + Math.floor(Math.random() * 1e9)), robloxName: name, robloxDisplayName: name, method: 'admin', linkedBy: 'discord:test', verifiedAt: new Date(), workflowId: `link:${u.id}`, runId: randomUUID() },
    });
    if (gems > 0n) await ledger().transfer({ guildId, key: `fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'gems', from: systemAccount('issuance'), to: userAccount(u.id), amount: gems });
    return u.id;
  }
  const pets = async (owner: string, speciesId: number, variant = 'normal') =>
    (await e2e.prisma.petHolding.findUnique({ where: { guildId_ownerId_speciesId_variant: { guildId, ownerId: owner, speciesId, variant } } }))?.quantity ?? 0;

  it('registers /withdraw, /tip, /history and /trades (admins only, hidden from members)', () => {
    const cmds = e2e.discord.commands(guildId).length ? e2e.discord.commands(guildId) : e2e.discord.commands();
    const names = cmds.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['withdraw', 'tip', 'history', 'trades', 'inventory']));
    expect(cmds.filter((c) => c.name === 'inventory')).toHaveLength(1);
    expect(cmds.find((c) => c.name === 'trades')?.default_member_permissions).toBeTruthy();
  });

  it('/withdraw: a select menu of pet stacks → escrow; Cancel → everything back; /history shows it', async () => {
    const sp = await upsertSpecies(e2e.prisma, guildId, { key: `owl${seq}`, name: 'Owl', rarity: 'epic', value: 30n }, { actorType: 'user', actorId: 'test' });
    const alice = await linked('alice', 100n);
    await movePets(e2e.prisma, { guildId, key: `give:${alice}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, moves: [{ ownerId: alice, speciesId: sp.id, variant: 'shiny', delta: 2 }] });

    const inv = await reply(e2e.discord.slash(guildId, alice, 'inventory'));
    expect(inv.response.ephemeral).toBe(true);
    expect(embedOf(inv.message, 1).title).toBe('Pets and gems');
    expect(embedOf(inv.message, 1).description).toContain('**2 ×** Shiny Owl');
    expect(embedOf(inv.message, 1).description).toContain('Pets: **2**');

    const cmd = e2e.discord.slash(guildId, alice, 'withdraw', { gems: 40 });
    const { message } = await reply(cmd);
    const menu = components(message).find((c) => 'options' in c) as APIStringSelectComponent;
    expect(menu.options.map((o) => o.label)).toEqual(['2 × Shiny Owl']);
    const pick = e2e.discord.selectMenu(message!, menu.custom_id, alice, [`${sp.id}:shiny`]);
    await pick.waitForResponse();
    const workflowId = `withdraw:${pick.id}`;
    await e2e.waitForWorkflow(workflowId, 'RUNNING');
    const row = await waitRow(pick.id);
    expect(row).toMatchObject({ status: 'escrowed', gems: 40n, userId: alice });
    expect(await pets(alice, sp.id, 'shiny')).toBe(0);
    expect(await pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(2);
    expect(await ledger().balance(guildId, userAccount(alice), 'gems')).toEqual({ balance: 100n, held: 40n, available: 60n });

    // Someone else cannot cancel it; the member can.
    const after = pick.original() ?? message!;
    const cancelBtn = components(after).find((c) => 'label' in c && c.label === 'Cancel withdrawal') as APIButtonComponentWithCustomId;
    expect(cancelBtn).toBeDefined();
    const bob = await linked('bob');
    const denied = await reply(e2e.discord.clickButton(after, cancelBtn.custom_id, bob));
    expect(JSON.stringify(denied.content)).toContain('Only the member who asked');
    await reply(e2e.discord.clickButton(after, cancelBtn.custom_id, alice));
    const result = await e2e.workflowResult<WithdrawState>(workflowId);
    expect(result.status).toBe('cancelled');
    expect(await pets(alice, sp.id, 'shiny')).toBe(2);
    expect(await ledger().balance(guildId, userAccount(alice), 'gems')).toEqual({ balance: 100n, held: 0n, available: 100n });

    const hist = await reply(e2e.discord.slash(guildId, alice, 'history'));
    expect(JSON.stringify(hist.content)).toContain('**cancelled**');
  });

  const waitRow = (id: string) => waitFor(() => e2e.prisma.withdrawal.findUnique({ where: { id } }), { timeoutMs: 10_000, intervalMs: 50, what: `the withdrawal row ${id}` });

  it('/tip moves gems and a pet between linked members once; an unlinked member or too many pets is refused with nothing moved', async () => {
    const sp = await upsertSpecies(e2e.prisma, guildId, { key: `fox${seq}`, name: 'Fox', rarity: 'common', value: 5n }, { actorType: 'user', actorId: 'test' });
    const carol = await linked('carol', 50n);
    const dave = await linked('dave');
    await movePets(e2e.prisma, { guildId, key: `give:${carol}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, moves: [{ ownerId: carol, speciesId: sp.id, variant: 'normal', delta: 1 }] });
    await reply(e2e.discord.slash(guildId, carol, 'tip', { user: dave, gems: 20, pet: sp.key }));
    expect((await ledger().balance(guildId, userAccount(dave), 'gems')).balance).toBe(20n);
    expect(await pets(dave, sp.id)).toBe(1);
    expect(await pets(carol, sp.id)).toBe(0);
    // Carol has no Fox left: refused, and her gems stay (all or nothing).
    const refused = await reply(e2e.discord.slash(guildId, carol, 'tip', { user: dave, gems: 10, pet: sp.key }));
    expect(JSON.stringify(refused.content)).toContain('You have 0 × Fox, not 1');
    expect((await ledger().balance(guildId, userAccount(carol), 'gems')).balance).toBe(30n);
    const stranger = e2e.discord.createUser({ username: `stranger${++seq}` });
    e2e.discord.addMember(guildId, stranger.id);
    const notLinked = await reply(e2e.discord.slash(guildId, carol, 'tip', { user: stranger.id, gems: 1 }));
    expect(JSON.stringify(notLinked.content)).toContain('has no Roblox account linked');
    expect((await ledger().balance(guildId, userAccount(carol), 'gems')).balance).toBe(30n);
  });

  it('/trades pet sets a value, /trades adjust changes pets with an audited reason, /trades view lists, a member is refused', async () => {
    const admin = e2e.demo.admin.id;
    await reply(e2e.discord.slash(guildId, admin, 'trades', { key: `yeti${seq}`, name: 'Yeti', rarity: 'mythic', value: 900 }, { subcommand: 'pet' }));
    const yeti = await e2e.prisma.petSpecies.findUniqueOrThrow({ where: { guildId_key: { guildId, key: `yeti${seq}` } } });
    expect(yeti).toMatchObject({ name: 'Yeti', rarity: 'mythic', value: 900n });
    const erin = await linked('erin');
    await reply(e2e.discord.slash(guildId, admin, 'trades', { user: erin, pet: yeti.key, delta: 3, reason: 'lost in a game crash', variant: 'rainbow' }, { subcommand: 'adjust' }));
    expect(await pets(erin, yeti.id, 'rainbow')).toBe(3);
    const audit = await e2e.prisma.auditEvent.findFirstOrThrow({ where: { guildId, action: 'pets.adjust', targetId: erin } });
    expect(audit.data).toMatchObject({ delta: 3, reason: 'lost in a game crash', variant: 'rainbow' });
    const tooMany = await reply(e2e.discord.slash(guildId, admin, 'trades', { user: erin, pet: yeti.key, delta: -4, reason: 'oops', variant: 'rainbow' }, { subcommand: 'adjust' }));
    expect(JSON.stringify(tooMany.content)).toContain('You have 3 × Rainbow Yeti, not 4');
    expect(await pets(erin, yeti.id, 'rainbow')).toBe(3);
    const view = await reply(e2e.discord.slash(guildId, admin, 'trades', {}, { subcommand: 'view' }));
    expect(JSON.stringify(view.content)).toContain('Pending withdrawals');
    const member = await reply(e2e.discord.slash(guildId, erin, 'trades', {}, { subcommand: 'view', ignoreCommandPermissions: true }));
    expect(JSON.stringify(member.content)).toContain('Only a server admin');
  });
  it('/inventory pages pets 20 at a time with totals; Next shows the rest', async () => {
    const frank = await linked('frank', 5n);
    const moves = [];
    for (let i = 0; i < 25; i++) {
      const sp = await upsertSpecies(e2e.prisma, guildId, { key: `pg${seq}x${i}`, name: `Pager${String(i).padStart(2, '0')}`, rarity: 'common', value: BigInt(100 - i) }, { actorType: 'user', actorId: 'test' });
      moves.push({ ownerId: frank, speciesId: sp.id, variant: 'normal' as const, delta: 1 });
    }
    await movePets(e2e.prisma, { guildId, key: `give-pages:${frank}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, moves });
    const inv = await reply(e2e.discord.slash(guildId, frank, 'inventory'));
    const first = embedOf(inv.message, 1).description ?? '';
    expect(first).toContain('Pets: **25**');
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain('Pager00');
    expect(first).not.toContain('Pager24');
    const next = components(inv.message).find((c) => 'label' in c && c.label === 'Next pets ▶') as APIButtonComponentWithCustomId;
    const page2 = await reply(e2e.discord.clickButton(inv.message!, next.custom_id, frank));
    const second = JSON.stringify(page2.content);
    expect(second).toContain('Pager24');
    expect(second).toContain('Page 2 of 2');
    expect(second).not.toContain('Pager00');
  });
  it('/trades settings changes the withdraw timeout and limits (audited) and the next withdrawal uses them', async () => {
    const admin = e2e.demo.admin.id;
    await reply(e2e.discord.slash(guildId, admin, 'trades', { withdraw_timeout_minutes: 90, max_withdraw_gems: 30 }, { subcommand: 'settings' }));
    expect(await e2e.prisma.tradeSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ withdrawTimeoutSeconds: 5400, maxWithdrawGems: 30n });
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'trade_settings.update' } })).toBe(1);
    const gail = await linked('gail', 100n);
    const over = e2e.discord.slash(guildId, gail, 'withdraw', { gems: 31 });
    await reply(over);
    const result = await e2e.workflowResult<WithdrawState>(`withdraw:${over.id}`);
    expect(result).toMatchObject({ status: 'refused', reason: expect.stringContaining('at most 30 gems per withdrawal') });
    expect(await ledger().balance(guildId, userAccount(gail), 'gems')).toEqual({ balance: 100n, held: 0n, available: 100n });
    const ok = e2e.discord.slash(guildId, gail, 'withdraw', { gems: 30 });
    await reply(ok);
    const row = await waitRow(ok.id);
    expect(row.expiresAt!.getTime() - row.createdAt.getTime()).toBeGreaterThan(5300_000);
    await e2e.prisma.tradeSettings.delete({ where: { guildId } });
  });
});
