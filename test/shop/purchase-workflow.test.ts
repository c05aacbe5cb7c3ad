import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createDiscordActivities } from '../../activities/discord';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { purchaseStatusQuery, type PurchaseState } from '../../lib/flows/shop';
import {
  balance,
  fund,
  inventoryOf,
  item,
  memberHasRole,
  newPurchaseId,
  sinkBalance,
  startPurchase,
  startShopEnv,
  type RunningTestWorker,
  type ShopEnv,
} from './helpers';
import { domainMismatches } from '../../activities/ledger/consistency';
import { poolOf } from '../../prisma/transactions';

/**
 * The purchase workflow at worker level: real workflow bundle, real activities, test database, fake
 * Discord. Every compensation path forces its failure and checks that nothing was lost.
 */
describe('purchase workflow', () => {
  let env: ShopEnv;
  let worker: RunningTestWorker;
  let guildId: string;
  let users: string[];

  beforeAll(async () => {
    env = await startShopEnv();
    worker = await env.startWorker();
    guildId = env.demo.guild.id;
    users = [];
  });
  afterAll(() => env?.close());

  /** A fresh member of the demo guild, so tests do not share balances or roles. */
  function newMember(): string {
    const u = env.discord.createUser({ username: `buyer-${users.length}` });
    env.discord.addMember(guildId, u.id);
    users.push(u.id);
    return u.id;
  }
  const purchaseRow = (id: string) => env.prisma.purchase.findUniqueOrThrow({ where: { id } });
  const stockOf = async (itemId: number) => (await env.prisma.shopItem.findUniqueOrThrow({ where: { id: itemId } })).stock;
  const holdOf = (purchaseId: string) => env.prisma.journalEntry.findUnique({ where: { idempotencyKey: `purchase:${purchaseId}:hold` } });
  const adminLog = () => env.discord.messages(env.demo.channels.adminLog.id);

  it('happy path: holds, takes stock, adds to the inventory, posts the hold, tells the member; search attributes and status query', async () => {
    const user = newMember();
    await fund(env, user, 1000n);
    const it = await item(env, { name: 'Sword', emoji: '🗡️', price: 300n, stock: 5 });
    const sinkBefore = await sinkBalance(env);
    const handle = await startPurchase(env, { itemId: it.id, userId: user, quantity: 2 });
    const result = await handle.result();
    const purchaseId = result.purchaseId;

    expect(result).toEqual({ purchaseId, status: 'completed', step: 'done', failureReason: null, roleExpiresAt: null });
    expect(await balance(env, user)).toEqual({ balance: 400n, held: 0n, available: 400n });
    expect((await sinkBalance(env)) - sinkBefore).toBe(600n);
    expect(await stockOf(it.id)).toBe(3);
    expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(2);
    expect(await purchaseRow(purchaseId)).toMatchObject({ status: 'completed', stockTaken: true, total: 600n, unitPrice: 300n, failureReason: null });
    expect((await holdOf(purchaseId))?.status).toBe('posted');
    expect(await handle.query(purchaseStatusQuery)).toMatchObject({ status: 'completed', step: 'done' });

    const d = await handle.describe();
    expect(d.typedSearchAttributes.get({ name: 'FlowKind', type: 'KEYWORD' } as never)).toBe('purchase');
    expect(d.searchAttributes).toMatchObject({ GuildId: [guildId], DiscordUserId: [user], FlowKind: ['purchase'] });

    // No confirm message to edit here: the member hears by DM.
    const dm = await env.discord.waitFor(() => env.discord.dms(user).at(-1), 5000, 'the DM');
    expect(dm.embeds[0]).toMatchObject({ title: 'Purchase complete', footer: { text: `Guildflow · purchase:${purchaseId}` } });
    expect(dm.embeds[0]?.description).toContain('2 × 🗡️ Sword** for **🪙 600 Coins**');
  });

  it('starting the same purchase twice finds the first flow: one purchase, one hold', async () => {
    const user = newMember();
    await fund(env, user, 500n);
    const it = await item(env, { price: 100n });
    const purchaseId = newPurchaseId();
    const first = await startPurchase(env, { purchaseId, itemId: it.id, userId: user });
    await expect(startPurchase(env, { purchaseId, itemId: it.id, userId: user })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await first.result();
    expect(await env.prisma.purchase.count({ where: { userId: user } })).toBe(1);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `purchase:${purchaseId}` } } })).toBe(1);
    expect((await balance(env, user)).balance).toBe(400n);
  });

  it('gives the item’s role (permanent)', async () => {
    const user = newMember();
    await fund(env, user, 100n);
    const role = env.discord.createRole(guildId, { name: 'Supporter' });
    const it = await item(env, { price: 100n, roleId: role.id });
    const result = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
    expect(result.status).toBe('completed');
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(true);
    expect((await purchaseRow(result.purchaseId)).roleGrantedAt).not.toBeNull();
  });

  describe('role cannot be given → hold voided, stock back, failed, member and admin log told', () => {
    async function expectNothingLost(opts: { user: string; itemId: number; stock: number | null; purchaseId: string; reason: RegExp; roleId: string }) {
      const { user, itemId, stock, purchaseId, reason, roleId } = opts;
      expect(await balance(env, user)).toEqual({ balance: 500n, held: 0n, available: 500n });
      expect(await stockOf(itemId)).toBe(stock);
      expect(await inventoryOf(env.prisma, guildId, user, itemId)).toBe(0);
      expect(memberHasRole(env.discord, guildId, user, roleId)).toBe(false);
      const row = await purchaseRow(purchaseId);
      expect(row).toMatchObject({ status: 'failed', stockTaken: false, roleGrantedAt: null });
      expect(row.failureReason).toMatch(reason);
      expect((await holdOf(purchaseId))?.status).toBe('voided');
      const dm = await env.discord.waitFor(() => env.discord.dms(user).find((m) => m.embeds[0]?.footer?.text?.includes(purchaseId)), 5000, 'the DM');
      expect(dm.embeds[0]?.title).toMatch(/^Purchase failed/);
      expect(dm.embeds[0]?.description).toMatch(reason);
      expect(dm.embeds[0]?.description).toContain('Nothing was charged');
      const notice = await env.discord.waitFor(() => adminLog().find((m) => m.embeds[0]?.footer?.text?.includes(purchaseId)), 5000, 'the admin log notice');
      expect(notice.embeds[0]?.description).toMatch(reason);
      expect(notice.embeds[0]?.description).toContain(`<@${user}>`);
    }

    it('the item’s role is above the bot’s highest role', async () => {
      const user = newMember();
      await fund(env, user, 500n);
      const botTop = env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position;
      const role = env.discord.createRole(guildId, { name: 'Legend', position: botTop + 1 });
      expect(role.position).toBeGreaterThan(env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position);
      const it = await item(env, { price: 200n, stock: 3, roleId: role.id });
      const result = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
      expect(result.status).toBe('failed');
      await expectNothingLost({ user, itemId: it.id, stock: 3, purchaseId: result.purchaseId, reason: /@Legend is not below Guildflow's highest role/, roleId: role.id });
    });

    it('the bot is missing the permission (50013 on the role change)', async () => {
      const user = newMember();
      await fund(env, user, 500n);
      const role = env.discord.createRole(guildId, { name: 'Gold' });
      const it = await item(env, { price: 50n, stock: 10, roleId: role.id, roleDurationSeconds: 60 });
      env.discord.denyPermission({ guildId, method: 'PUT', route: /^\/guilds\/\d+\/members\/\d+\/roles\/\d+$/ });
      try {
        const result = await (await startPurchase(env, { itemId: it.id, userId: user, quantity: 2 })).result();
        expect(result).toMatchObject({ status: 'failed', roleExpiresAt: null });
        await expectNothingLost({ user, itemId: it.id, stock: 10, purchaseId: result.purchaseId, reason: /Guildflow could not give .* the role/, roleId: role.id });
      } finally {
        env.discord.clearFaults();
      }
      // One attempt: a refusal is not retried.
      const puts = env.discord.requests().filter((r) => r.method === 'PUT' && r.route.endsWith(`/roles/${role.id}`));
      expect(puts.map((r) => r.code)).toEqual([50013]);
    });

    it('the role was deleted (unknown role)', async () => {
      const user = newMember();
      await fund(env, user, 500n);
      const it = await item(env, { price: 80n, stock: null, roleId: '123456789012345678' });
      const result = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
      await expectNothingLost({ user, itemId: it.id, stock: null, purchaseId: result.purchaseId, reason: /the role no longer exists/, roleId: '123456789012345678' });
    });
  });

  describe('a step after the role fails → every compensation runs: inventory back, role removed, stock back, hold voided', () => {
    it('the inventory add is refused (its key already used for something else)', async () => {
      const user = newMember();
      await fund(env, user, 500n);
      const role = env.discord.createRole(guildId, { name: 'Inventory clash' });
      const it = await item(env, { price: 120n, stock: 4, roleId: role.id });
      const purchaseId = newPurchaseId();
      // Someone else's movement already holds this purchase's inventory key: the add is an IdempotencyConflict.
      await env.prisma.inventoryMovement.create({
        data: { guildId, ownerId: '100000000000000001', itemId: it.id, delta: 9, idempotencyKey: `purchase:${purchaseId}:inventory`, type: 'test', actorType: 'system', actorId: 'test' },
      });
      const result = await (await startPurchase(env, { purchaseId, itemId: it.id, userId: user })).result();
      expect(result.status).toBe('failed');
      const changes = env.discord.roleChanges().filter((c) => c.userId === user && c.roleId === role.id).map((c) => c.action);
      expect(changes).toEqual(['add', 'remove']);
      expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(false);
      expect(await balance(env, user)).toEqual({ balance: 500n, held: 0n, available: 500n });
      expect(await stockOf(it.id)).toBe(4);
      expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(0);
      expect((await holdOf(purchaseId))?.status).toBe('voided');
      expect(await purchaseRow(purchaseId)).toMatchObject({ status: 'failed', stockTaken: false, roleGrantedAt: null });
      // Not the member's doing: they get a reference, the admins the details.
      expect((await purchaseRow(purchaseId)).failureReason).toBe(`Something went wrong on our side (reference purchase:${purchaseId}). An admin was told.`);
      const notice = await env.discord.waitFor(() => adminLog().find((m) => m.embeds[0]?.footer?.text?.includes(purchaseId)), 5000, 'the admin log notice');
      expect(notice.embeds[0]?.description).toContain(`Inventory key purchase:${purchaseId}:inventory was already used`);
    });

    it('the hold cannot be posted (voided behind the flow’s back while the role was being given)', async () => {
      const user = newMember();
      await fund(env, user, 500n);
      const role = env.discord.createRole(guildId, { name: 'Slow role' });
      const it = await item(env, { price: 200n, stock: 2, roleId: role.id, perUserLimit: 3 });
      env.discord.setLatency({ route: new RegExp(`/roles/${role.id}$`), ms: 1500 });
      try {
        const handle = await startPurchase(env, { itemId: it.id, userId: user, quantity: 2 });
        const purchaseId = handle.workflowId.split(':')[1]!;
        // Void the hold as soon as it exists (what voidHold needs), while the slow role call holds the flow back.
        await waitFor(async () => (await holdOf(purchaseId))?.status === 'pending', { timeoutMs: 10_000, what: 'the pending hold' });
        await env.ledger.voidHold({ key: `purchase:${purchaseId}:hold` });
        const result = await handle.result();
        expect(result.status).toBe('failed');
        expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(0);
        const moves = await env.prisma.inventoryMovement.findMany({ where: { idempotencyKey: { startsWith: `purchase:${purchaseId}:` } }, orderBy: { id: 'asc' } });
        expect(moves.map((m) => [m.idempotencyKey, m.delta])).toEqual([
          [`purchase:${purchaseId}:inventory`, 2],
          [`purchase:${purchaseId}:inventory:revert`, -2],
        ]);
        expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(false);
        expect(await stockOf(it.id)).toBe(2);
        expect(await balance(env, user)).toEqual({ balance: 500n, held: 0n, available: 500n });
        expect(await purchaseRow(purchaseId)).toMatchObject({ status: 'failed', stockTaken: false });
      } finally {
        env.discord.clearFaults();
      }
    });
  });

  it('Discord 5xx on the role grant is retried, then the purchase completes', async () => {
    const user = newMember();
    await fund(env, user, 100n);
    const role = env.discord.createRole(guildId, { name: 'Retry' });
    const it = await item(env, { price: 100n, roleId: role.id });
    env.discord.inject({ method: 'PUT', route: new RegExp(`/roles/${role.id}$`), status: 503, times: 2 });
    const result = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
    expect(result.status).toBe('completed');
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(true);
    const puts = env.discord.requests().filter((r) => r.method === 'PUT' && r.route.endsWith(`/roles/${role.id}`));
    expect(puts.map((r) => r.status)).toEqual([503, 503, 204]);
  });

  it('Discord 429 on the role grant: retried after Discord’s retry-after, then the purchase completes', async () => {
    const user = newMember();
    await fund(env, user, 100n);
    const role = env.discord.createRole(guildId, { name: 'Rate limited' });
    const it = await item(env, { price: 100n, roleId: role.id });
    env.discord.inject({ method: 'PUT', route: new RegExp(`/roles/${role.id}$`), status: 429, retryAfterSeconds: 1 });
    const result = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
    expect(result.status).toBe('completed');
    const puts = env.discord.requests().filter((r) => r.method === 'PUT' && r.route.endsWith(`/roles/${role.id}`));
    expect(puts.map((r) => r.status)).toEqual([429, 204]);
    expect(puts[1]!.at - puts[0]!.at).toBeGreaterThanOrEqual(900);
  });

  describe('refusals change nothing', () => {
    it('insufficient funds', async () => {
      const user = newMember();
      await fund(env, user, 100n);
      const it = await item(env, { price: 300n, stock: 2 });
      const result = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
      expect(result).toMatchObject({ status: 'failed', failureReason: 'You need 🪙 300 Coins but have 🪙 100 Coins available.' });
      expect(await balance(env, user)).toEqual({ balance: 100n, held: 0n, available: 100n });
      expect(await stockOf(it.id)).toBe(2);
      expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(0);
      expect(await holdOf(result.purchaseId)).toBeNull();
      expect((await purchaseRow(result.purchaseId)).status).toBe('failed');
      // The member's own refusal is not an admin matter.
      expect(adminLog().some((m) => m.embeds[0]?.footer?.text?.includes(result.purchaseId))).toBe(false);
    });

    it('out of stock', async () => {
      const user = newMember();
      await fund(env, user, 1000n);
      const it = await item(env, { price: 10n, stock: 1 });
      const result = await (await startPurchase(env, { itemId: it.id, userId: user, quantity: 2 })).result();
      expect(result).toMatchObject({ status: 'failed', failureReason: `Only 1 × ${it.name} left in stock.` });
      expect(await balance(env, user)).toEqual({ balance: 1000n, held: 0n, available: 1000n });
      expect(await stockOf(it.id)).toBe(1);
    });

    it('the last unit, two buyers at once: one gets it, the other’s hold is voided', async () => {
      const [a, b] = [newMember(), newMember()];
      await fund(env, a, 100n);
      await fund(env, b, 100n);
      const it = await item(env, { price: 100n, stock: 1 });
      const results = await Promise.all([a, b].map(async (u) => (await startPurchase(env, { itemId: it.id, userId: u })).result()));
      expect(results.map((r) => r.status).sort()).toEqual(['completed', 'failed']);
      const winner = results[0]!.status === 'completed' ? a : b;
      const loser = winner === a ? b : a;
      expect(await stockOf(it.id)).toBe(0);
      expect(await balance(env, winner)).toEqual({ balance: 0n, held: 0n, available: 0n });
      expect(await balance(env, loser)).toEqual({ balance: 100n, held: 0n, available: 100n });
      expect(await inventoryOf(env.prisma, guildId, winner, it.id)).toBe(1);
      expect(await inventoryOf(env.prisma, guildId, loser, it.id)).toBe(0);
      expect(results.find((r) => r.status === 'failed')?.failureReason).toBe(`${it.name} is out of stock.`);
    });

    it('per-member limit counts what they own', async () => {
      const user = newMember();
      await fund(env, user, 1000n);
      const it = await item(env, { price: 100n, perUserLimit: 2 });
      expect((await (await startPurchase(env, { itemId: it.id, userId: user, quantity: 2 })).result()).status).toBe('completed');
      const again = await (await startPurchase(env, { itemId: it.id, userId: user })).result();
      expect(again).toMatchObject({ status: 'failed', failureReason: `You can own at most 2 × ${it.name}; you have 2.` });
      expect(await balance(env, user)).toEqual({ balance: 800n, held: 0n, available: 800n });
      expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(2);
    });

    it('missing required role; with it the same purchase goes through', async () => {
      const user = newMember();
      await fund(env, user, 100n);
      const it = await item(env, { price: 100n, requiredRoleId: env.demo.roles.verified.id, stock: 4 });
      const refused = await (await startPurchase(env, { itemId: it.id, userId: user, memberRoleIds: [env.demo.roles.unverified.id] })).result();
      expect(refused).toMatchObject({ status: 'failed', failureReason: `Only members with the role <@&${env.demo.roles.verified.id}> can buy ${it.name}.` });
      expect(await balance(env, user)).toEqual({ balance: 100n, held: 0n, available: 100n });
      expect(await stockOf(it.id)).toBe(4);
      const ok = await (await startPurchase(env, { itemId: it.id, userId: user, memberRoleIds: [env.demo.roles.verified.id] })).result();
      expect(ok.status).toBe('completed');
    });
  });

  it('Discord activities without DISCORD_TOKEN fail non-retryably and say so', async () => {
    const acts = createDiscordActivities({ prisma: env.prisma, log: createLogger({ level: 'silent' }), discord: null });
    const err = await acts.discordAddRole({ guildId, userId: '1', roleId: '2', reason: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ nonRetryable: true, type: 'DiscordNotConfigured' });
    expect((err as Error).message).toMatch(/DISCORD_TOKEN is not set/);
  });

  it('a timed role is removed by the workflow’s timer when it ends; the member is told', async () => {
    const user = newMember();
    await fund(env, user, 100n);
    const role = env.discord.createRole(guildId, { name: 'VIP 3s' });
    const it = await item(env, { price: 100n, roleId: role.id, roleDurationSeconds: 3 });
    const handle = await startPurchase(env, { itemId: it.id, userId: user });
    const purchaseId = handle.workflowId.split(':')[1]!;
    // What is asserted first: the completed row with its role's end, and the role at Discord.
    await waitFor(async () => ((await purchaseRow(purchaseId)).status === 'completed' ? true : undefined), { timeoutMs: 15_000, what: 'the purchase completed' });
    await env.discord.waitFor(() => (memberHasRole(env.discord, guildId, user, role.id) ? true : undefined), 5000, 'the role at Discord');
    const active = await waitFor(async () => {
      const s = await handle.query(purchaseStatusQuery);
      return s.step === 'role_active' ? s : undefined;
    }, { timeoutMs: 15_000, what: 'the role to be active' });
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(true);
    // What the Temporal UI shows as the flow's current details.
    const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(meta.currentDetails).toContain('**completed** · role active');
    expect(meta.currentDetails).toContain(`1 × ${it.name} (item #${it.id}) for 100 currency, bought by <@${user}>`);
    const row = await purchaseRow(purchaseId);
    expect(row.roleExpiresAt!.getTime() - row.roleGrantedAt!.getTime()).toBe(3000);
    expect(active.roleExpiresAt).toBe(row.roleExpiresAt!.toISOString());
    expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(1);

    const result: PurchaseState = await handle.result();
    expect(result).toMatchObject({ status: 'role_expired', step: 'done' });
    const removal = env.discord.roleChanges().find((c) => c.userId === user && c.roleId === role.id && c.action === 'remove');
    expect(removal).toBeDefined();
    // On time: not before it ends, and by the flow's own timer of exactly the role's duration (read from
    // the history, so a loaded machine that runs the removal late does not fail it).
    expect(removal!.at).toBeGreaterThanOrEqual(row.roleExpiresAt!.getTime() - 50);
    const events = (await handle.fetchHistory()).events ?? [];
    const timers = events.flatMap((e) => {
      const t = e.timerStartedEventAttributes?.startToFireTimeout;
      return t ? [Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6)] : [];
    });
    expect(timers).toEqual([3000]);
    const fired = events.findIndex((e) => e.timerFiredEventAttributes);
    const removeStep = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'discordRemoveRole');
    expect(fired).toBeGreaterThan(0);
    expect(removeStep).toBeGreaterThan(fired);
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(false);
    expect(await purchaseRow(purchaseId)).toMatchObject({ status: 'role_expired' });
    expect((await purchaseRow(purchaseId)).roleRemovedAt).not.toBeNull();
    expect(await inventoryOf(env.prisma, guildId, user, it.id)).toBe(0);
    // The money stays spent.
    expect((await balance(env, user)).balance).toBe(0n);
    const dm = await env.discord.waitFor(() => env.discord.dms(user).find((m) => m.embeds[0]?.title === 'Your role has ended'), 5000, 'the DM');
    expect(dm.embeds[0]?.description).toContain(`<@&${role.id}>`);
  });

  it('a role the member already had is left alone when the bought time ends (patched: keep-preexisting-role)', async () => {
    const role = env.discord.createRole(guildId, { name: 'Given by an admin' });
    const u = env.discord.createUser({ username: 'already-has-it' });
    env.discord.addMember(guildId, u.id, { roles: [role.id] });
    await fund(env, u.id, 100n);
    const it = await item(env, { price: 100n, roleId: role.id, roleDurationSeconds: 2 });
    const result = await (await startPurchase(env, { itemId: it.id, userId: u.id })).result();
    expect(result.status).toBe('role_expired');
    expect(memberHasRole(env.discord, guildId, u.id, role.id)).toBe(true);
    expect(env.discord.roleChanges().filter((c) => c.userId === u.id && c.action === 'remove')).toEqual([]);
    expect((await purchaseRow(result.purchaseId)).roleRemovedAt).toBeNull();
    const dm = await env.discord.waitFor(() => env.discord.dms(u.id).find((m) => m.embeds[0]?.title === 'Your role has ended'), 5000, 'the DM');
    expect(dm.embeds[0]?.description).toBe(`The time of **${it.name}** is over.`);
  });

  it('a timed role bought again while it is on stays until the later purchase ends, then goes (patched: timed-role-shared-by-purchases)', async () => {
    const user = newMember();
    await fund(env, user, 200n);
    const role = env.discord.createRole(guildId, { name: 'VIP twice' });
    const first = await item(env, { price: 100n, roleId: role.id, roleDurationSeconds: 8 });
    const firstHandle = await startPurchase(env, { itemId: first.id, userId: user });
    const firstId = firstHandle.workflowId.split(':')[1]!;
    const firstGranted = await waitFor(async () => {
      const row = await purchaseRow(firstId);
      return row.roleExpiresAt ? row : undefined;
    }, { timeoutMs: 15_000, what: 'the first purchase’s role' });

    // Bought again (another pass for the same role) while the first is on: this one ends later.
    const second = await item(env, { price: 100n, roleId: role.id, roleDurationSeconds: 8 });
    const secondHandle = await startPurchase(env, { itemId: second.id, userId: user });
    const secondId = secondHandle.workflowId.split(':')[1]!;
    const secondGranted = await waitFor(async () => {
      const row = await purchaseRow(secondId);
      return row.roleExpiresAt ? row : undefined;
    }, { timeoutMs: 15_000, what: 'the second purchase’s role' });
    expect(secondGranted.roleGrantedAt!.getTime()).toBeLessThan(firstGranted.roleExpiresAt!.getTime());

    // The first one's end leaves the role: the second still holds it.
    expect(await firstHandle.result()).toMatchObject({ status: 'role_expired' });
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(true);
    expect((await purchaseRow(firstId)).roleRemovedAt).toBeNull();
    expect(env.discord.roleChanges().filter((c) => c.userId === user && c.action === 'remove')).toEqual([]);

    // The second one's end removes it, on time.
    expect(await secondHandle.result()).toMatchObject({ status: 'role_expired' });
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(false);
    const removals = env.discord.roleChanges().filter((c) => c.userId === user && c.roleId === role.id && c.action === 'remove');
    expect(removals).toHaveLength(1);
    expect(removals[0]!.at).toBeGreaterThanOrEqual(secondGranted.roleExpiresAt!.getTime() - 50);
    expect((await purchaseRow(secondId)).roleRemovedAt).not.toBeNull();
    expect(await inventoryOf(env.prisma, guildId, user, first.id)).toBe(0);
    expect(await inventoryOf(env.prisma, guildId, user, second.id)).toBe(0);
  });

  it('a purchase that shares a timed role and then fails leaves the role with the other purchase; its money and stock come back', async () => {
    const user = newMember();
    await fund(env, user, 300n);
    const role = env.discord.createRole(guildId, { name: 'VIP shared then failed' });
    const pass = await item(env, { price: 100n, roleId: role.id, roleDurationSeconds: 60 });
    const holder = await startPurchase(env, { itemId: pass.id, userId: user });
    const holderId = holder.workflowId.split(':')[1]!;
    await waitFor(async () => (await purchaseRow(holderId)).roleExpiresAt ?? undefined, { timeoutMs: 15_000, what: 'the role' });

    // The second pass fails after the role step: its inventory key is already used for something else.
    const again = await item(env, { price: 100n, stock: 3, roleId: role.id, roleDurationSeconds: 60 });
    const purchaseId = newPurchaseId();
    await env.prisma.inventoryMovement.create({
      data: { guildId, ownerId: '100000000000000001', itemId: again.id, delta: 1, idempotencyKey: `purchase:${purchaseId}:inventory`, type: 'test', actorType: 'system', actorId: 'test' },
    });
    const failed = await (await startPurchase(env, { purchaseId, itemId: again.id, userId: user })).result();
    expect(failed.status).toBe('failed');
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(true);
    expect(env.discord.roleChanges().filter((c) => c.userId === user && c.action === 'remove')).toEqual([]);
    expect(await balance(env, user)).toEqual({ balance: 200n, held: 0n, available: 200n });
    expect(await stockOf(again.id)).toBe(3);
    expect((await holdOf(purchaseId))?.status).toBe('voided');
    await holder.cancel();
  });

  it('a timed role is still removed after a worker restart during the timer', async () => {
    const user = newMember();
    await fund(env, user, 100n);
    const role = env.discord.createRole(guildId, { name: 'VIP restart' });
    // Long enough that the worker is surely gone before the timer is due, even on a loaded machine.
    const it = await item(env, { price: 100n, roleId: role.id, roleDurationSeconds: 8 });
    const handle = await startPurchase(env, { itemId: it.id, userId: user });
    // The flow sleeping on its timer (its state), then what is asserted: the role's end recorded, the role at Discord.
    await waitFor(async () => (await handle.query(purchaseStatusQuery)).step === 'role_active', { timeoutMs: 15_000, what: 'the role to be active' });
    const row = await waitFor(async () => {
      const r = await purchaseRow(handle.workflowId.split(':')[1]!);
      return r.status === 'completed' && r.roleExpiresAt ? r : undefined;
    }, { timeoutMs: 15_000, what: 'the purchase completed with its role’s end' });
    await env.discord.waitFor(() => (memberHasRole(env.discord, guildId, user, role.id) ? true : undefined), 5000, 'the role at Discord');
    const expiresAt = row.roleExpiresAt!.getTime();

    // The worker goes away (a deploy) while the timer runs; nobody polls the queue when it fires.
    await worker.stop();
    expect(Date.now()).toBeLessThan(expiresAt);
    await waitFor(async () => (await handle.fetchHistory()).events?.some((e) => e.timerFiredEventAttributes), { timeoutMs: 20_000, what: 'the timer to fire with no worker' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(true);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // A new worker (new process in production) picks the flow up from its history.
    worker = await env.startWorker();
    const result = await handle.result();
    expect(result.status).toBe('role_expired');
    expect(memberHasRole(env.discord, guildId, user, role.id)).toBe(false);
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.timerFiredEventAttributes)).toBe(true);
  });
  it('afterwards, every finished purchase and order of the guild agrees with its hold (none charged for nothing, none delivered unpaid)', async () => {
    expect(await domainMismatches(poolOf(env.prisma), guildId)).toEqual([]);
  });
});
