import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import { randomUUID } from 'node:crypto';
import { importCodes } from '../activities/codes/stock';
import { createLedger, systemAccount, userAccount } from '../activities/ledger';
import { addItem } from '../activities/shop/items';
import { registerGame, upsertSpecies } from '../activities/trades';
import { topupPaymentId } from '../bot/commands/payments/topup';
import { createCodeKeyring } from '../lib/crypto/codes';
import { verifyWorkflowId } from '../lib/flows/verify';
import { requestTaskMessageSync } from '../lib/flows/tasks.client';
import { waitFor } from '../lib/wait';
import { CODE_ENCRYPTION_KEY, type E2E } from '../test/e2e/harness';
import type { InteractionHandle, MessageRecord } from '../test/fakes/discord';
import { createGameServerClient } from '../test/fakes/game-server-client';
import { answer, clickClaim, createTaskRow, postedTask, reviewPost } from '../test/tasks/helpers';
import { phraseOf } from '../test/verify/helpers';

/**
 * The six flows a member or a game server waits on, each driven through Guildflow's real entry points (the
 * bot behind the fake Discord, the signed game API, the payment webhook) on the end-to-end stack, and
 * timed from the one action the person takes to the condition they then see — polled tightly, so the
 * figure is the flow's latency, not the poll's.
 */
export interface FlowRun {
  ms: number;
  workflowId: string;
  /** The action and the condition on the wall clock (the history's event times are compared with them). */
  fromMs: number;
  toMs: number;
}

export interface FlowProbe {
  name: string;
  /** What is timed, in words for the table's notes. */
  timed: string;
  /** A p50 the flow must also stay under, beside the ratio to its floor. */
  maxP50Ms?: number;
  /** Sets up what `runs` iterations need (untimed) and returns one timed run. */
  prepare(e2e: E2E, runs: number): Promise<() => Promise<FlowRun>>;
}

const POLL_MS = Number(process.env.BENCH_LATENCY_POLL_MS ?? 2);

/** Takes the action, then polls until the condition holds; times the whole. */
async function timeUntil(workflowId: string, act: () => Promise<unknown>, seen: () => unknown, what: string): Promise<FlowRun> {
  const fromMs = Date.now();
  const t0 = performance.now();
  await act();
  await waitFor(seen, { timeoutMs: 30_000, intervalMs: POLL_MS, what: `${what} (${workflowId})` });
  return { ms: performance.now() - t0, workflowId, fromMs, toMs: Date.now() };
}

/**
 * Waits until a running flow has nothing in flight (no activity, no workflow task), so the timed action
 * meets a flow that is only waiting for it — not one still finishing an earlier step (e.g. the top-up
 * asking the gateway after its `pending` notification, which would then see the payment first).
 */
async function idle(e2e: E2E, workflowId: string): Promise<void> {
  await waitFor(
    async () => {
      const { raw } = await e2e.temporal.workflow.getHandle(workflowId).describe();
      return !raw.pendingActivities?.length && !raw.pendingWorkflowTask;
    },
    { timeoutMs: 15_000, intervalMs: POLL_MS, what: `${workflowId} to be idle` },
  );
}

const buttons = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);

/** The Confirm button of a command's confirm message (after its first answer). */
async function confirmButton(h: InteractionHandle, e2e: E2E): Promise<{ message: MessageRecord; customId: string }> {
  await h.waitForResponse(15_000);
  const message = await e2e.discord.waitFor(() => (buttons(h.original()).some((b) => b.label === 'Confirm') ? h.original() : undefined), 15_000, 'the Confirm button');
  return { message, customId: buttons(message).find((b) => b.label === 'Confirm')!.custom_id };
}

async function fundedMember(e2e: E2E, name: string, amount: bigint): Promise<string> {
  const guildId = e2e.demo.guild.id;
  const u = e2e.discord.createUser({ username: `${name}-${randomUUID().slice(0, 6)}` });
  e2e.discord.addMember(guildId, u.id);
  await createLedger(e2e.prisma).transfer({ guildId, key: `bench-fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'bench' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u.id), amount });
  return u.id;
}

const deposit: FlowProbe = {
  name: 'deposit answer',
  timed: 'signed POST /roblox/v1/deposits → its HTTP answer',
  maxP50Ms: 150,
  async prepare(e2e) {
    const guildId = e2e.demo.guild.id;
    const keyring = createCodeKeyring({ id: 'e2e', key: Buffer.from(CODE_ENCRYPTION_KEY, 'base64') });
    const actor = { actorType: 'system', actorId: 'bench' } as const;
    const game = await registerGame(e2e.prisma, keyring, { guildId, name: 'Bench game' }, actor);
    const species = await upsertSpecies(e2e.prisma, guildId, { key: 'dragon', name: 'Dragon', rarity: 'rare', value: 10n }, actor);
    const player = e2e.discord.createUser({ username: 'bench-player' });
    e2e.discord.addMember(guildId, player.id);
    const robloxId = 9_100_000n;
    await e2e.prisma.robloxLink.create({ data: { guildId, userId: player.id, robloxId, robloxName: 'benchplayer', robloxDisplayName: 'Bench', method: 'admin', linkedBy: 'bench', verifiedAt: new Date(), workflowId: 'bench', runId: randomUUID() } });
    const client = createGameServerClient({ baseUrl: e2e.apiUrl, gameId: game.id, secret: game.secret });
    return async () => {
      const tradeId = `l-${randomUUID().slice(0, 12)}`;
      const body = { tradeId, robloxUserId: String(robloxId), gems: 5, pets: [{ species: species.key, variant: 'shiny', quantity: 1 }] };
      let answered: { status: number; text: string } | undefined;
      return timeUntil(`deposit:${game.id}:${tradeId}`, async () => (answered = await client.request('POST', '/roblox/v1/deposits', body)), () => {
        if (answered?.status !== 200) throw new Error(`the deposit answered ${answered?.status}: ${answered?.text}`);
        return true;
      }, 'the answer');
    };
  },
};

const purchase: FlowProbe = {
  name: 'purchase completed',
  timed: "the member's Confirm → the purchase row completed",
  async prepare(e2e, runs) {
    const guildId = e2e.demo.guild.id;
    await addItem(e2e.prisma, guildId, { name: 'Potion', price: 10n }, { actorType: 'system', actorId: 'bench' });
    const buyer = await fundedMember(e2e, 'bench-buyer', BigInt(10 * (runs + 1)));
    return async () => {
      const buy = e2e.discord.slash(guildId, buyer, 'buy', { item: 'potion' });
      const { message, customId } = await confirmButton(buy, e2e);
      return timeUntil(`purchase:${buy.id}`, async () => e2e.discord.clickButton(message, customId, buyer), async () => (await e2e.prisma.purchase.findUnique({ where: { id: buy.id }, select: { status: true } }))?.status === 'completed', 'the completed purchase');
    };
  },
};

const order: FlowProbe = {
  name: 'order delivered',
  timed: "the member's Confirm → the code in their DMs",
  async prepare(e2e, runs) {
    const guildId = e2e.demo.guild.id;
    const keyring = createCodeKeyring({ id: 'e2e', key: Buffer.from(CODE_ENCRYPTION_KEY, 'base64') });
    await importCodes(e2e.prisma, keyring, guildId, Array.from({ length: runs }, (_, i) => `BENCH-${randomUUID()}-${i}`).join('\n'));
    const buyer = await fundedMember(e2e, 'bench-orderer', 10_000n * BigInt(runs));
    return async () => {
      const dmsBefore = e2e.discord.dms(buyer).length;
      const slash = e2e.discord.slash(guildId, buyer, 'order', { package: 1 });
      const { message, customId } = await confirmButton(slash, e2e);
      return timeUntil(`order:${slash.id}`, async () => e2e.discord.clickButton(message, customId, buyer), () => e2e.discord.dms(buyer).slice(dmsBefore).some((m) => m.embeds[0]?.title === 'Your 1 code'), 'the code by DM');
    };
  },
};

const topup: FlowProbe = {
  name: 'top-up credited',
  timed: "the gateway's signed notification → the ledger posting topup:{id}:credit",
  async prepare(e2e) {
    const guildId = e2e.demo.guild.id;
    return async () => {
      const slash = e2e.discord.slash(guildId, e2e.demo.member.id, 'topup', { amount: 75_000 });
      await slash.waitForResponse(15_000);
      const paymentId = topupPaymentId(slash.id);
      await e2e.discord.waitFor(() => slash.original()?.attachments.length, 15_000, 'the QR code');
      await e2e.midtrans.idle();
      await idle(e2e, `topup:${paymentId}`);
      return timeUntil(`topup:${paymentId}`, () => e2e.midtrans.pay(paymentId), () => e2e.prisma.journalEntry.findUnique({ where: { idempotencyKey: `topup:${paymentId}:credit` }, select: { id: true } }), 'the credit');
    };
  },
};

const verification: FlowProbe = {
  name: 'verification Check',
  timed: "the member's Check → the verified role on them",
  async prepare(e2e) {
    const guildId = e2e.demo.guild.id;
    const verified = e2e.demo.roles.verified.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { verifiedRoleId: verified, unverifiedRoleId: e2e.demo.roles.unverified.id } });
    let seq = 0;
    return async () => {
      seq += 1;
      const user = e2e.discord.createUser({ username: `bench-verify-${seq}` });
      e2e.discord.addMember(guildId, user.id, { roles: [e2e.demo.roles.unverified.id] });
      const rbx = e2e.roblox.addUser({ name: `BenchPlayer${seq}` });
      const slash = e2e.discord.slash(guildId, user.id, 'verify', { username: rbx.name });
      await slash.waitForResponse(15_000);
      const shown = await e2e.discord.waitFor(() => (buttons(slash.original()).some((b) => b.label === 'Check') ? slash.original() : undefined), 15_000, 'the phrase and Check');
      e2e.roblox.setDescription(rbx.id, phraseOf(shown));
      const check = buttons(shown).find((b) => b.label === 'Check')!.custom_id;
      await idle(e2e, verifyWorkflowId(guildId, user.id));
      return timeUntil(verifyWorkflowId(guildId, user.id), async () => e2e.discord.clickButton(shown, check, user.id), () => e2e.discord.member(guildId, user.id)?.roles.includes(verified), 'the verified role');
    };
  },
};

const taskAccept: FlowProbe = {
  name: 'task Accept',
  timed: "the admin's Accept → the reward's ledger posting",
  async prepare(e2e, runs) {
    const guildId = e2e.demo.guild.id;
    const admin = e2e.demo.admin.id;
    const reviewChannelId = e2e.discord.createChannel(guildId, { name: 'task-review', type: 0 }).id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    await e2e.prisma.taskSettings.upsert({ where: { guildId }, create: { guildId, taskChannelId: e2e.demo.channels.tasks.id, reviewChannelId, revokeWindowSeconds: 0 }, update: {} });
    const row = await createTaskRow({ prisma: e2e.prisma, guildId }, { reward: 25n, maxClaims: runs + 1 });
    await requestTaskMessageSync({ temporal: e2e.temporal, taskQueue: e2e.taskQueue }, guildId, row.id);
    const task = await postedTask(e2e, row.id);
    let seq = 0;
    return async () => {
      seq += 1;
      const member = e2e.discord.createUser({ username: `bench-tasker-${seq}` }).id;
      e2e.discord.addMember(guildId, member);
      await answer(clickClaim(e2e, task, member));
      await answer(e2e.discord.slash(guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
      const review = await reviewPost(e2e, task.id, member);
      const workflowId = `task:${task.id}:${member}`;
      await idle(e2e, workflowId);
      return timeUntil(workflowId, async () => e2e.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, admin), () => e2e.prisma.journalEntry.findFirst({ where: { idempotencyKey: { startsWith: `${workflowId}:award:` } }, select: { id: true } }), 'the reward posting');
    };
  },
};

export const latencyProbes: FlowProbe[] = [deposit, purchase, order, topup, verification, taskAccept];
