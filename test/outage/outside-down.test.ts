import type { Client } from '@temporalio/client';
import type { APIEmbed } from 'discord-api-types/v10';
import { depositFlow, depositId } from '../../lib/flows/trades';
import { orderAdminSignal } from '../../lib/flows/orders';
import { taskClaimFlow, type TaskClaimInput } from '../../lib/flows/tasks';
import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { verifyWorkflowId } from '../../lib/flows/verify';
import { waitFor } from '../../lib/wait';
import type { taskClaim } from '../../workflows/task';
import type { FakeDiscord, MessageRecord } from '../fakes/discord';
import { addCodes, fund, packageOf, startOrder, uniqueCodes } from '../orders/helpers';
import { newMember as newPayer, newPaymentId, startPaymentsEnv, startTopup, type PaymentsEnv } from '../payments/helpers';
import { balance, item, startPurchase } from '../shop/helpers';
import { answer, createTaskRow, newMember as newTasker, postedTask, reviewPost, startTasksEnv, waitForClaim, type TasksEnv } from '../tasks/helpers';
import { member as newTrader, newId, startTradeEnv, type TradeEnv } from '../trades/helpers';
import { boundRole, linkedMember } from '../verify-binds/helpers';
import { embedOf, messageWhere, newMember as newVerifier, slashVerify, startVerifyEnv, type VerifyEnv } from '../verify/helpers';

/**
 * Business outcome vs. execution failure: an outside system (Roblox, Discord, the payment gateway) that
 * stays away past a non-money step's retries ends the flow in its own state — `failed` with a plain reason,
 * the member told, the admin log told where admins can act — and the workflow COMPLETES. FAILED in the
 * Temporal UI is kept for bugs. Each case forces the dependency down for longer than the step's budget
 * (the production profiles: a few seconds each; the top-up's charge keeps the `db` profile, about two
 * minutes) and checks the Temporal status, the flow's own row, what the member got and the admin log.
 */

/** Until clearFaults(): longer than any budget below. */
const FOREVER = 1000;
/** A Discord step's budget is ~8 s (5 attempts), a delivery attempt's ~2 s; the flows around them add seconds. */
const FLOW_MS = 60_000;

async function completed(client: Client, workflowId: string, timeoutMs = FLOW_MS): Promise<void> {
  await waitFor(
    async () => {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      if (status.name === 'FAILED' || status.name === 'TERMINATED') throw new Error(`${workflowId} ended ${status.name}`);
      return status.name === 'COMPLETED' || undefined;
    },
    { timeoutMs, intervalMs: 200, what: `${workflowId} to complete` },
  );
}

const text = (m: MessageRecord | undefined): string => [m?.content, ...(m?.embeds ?? []).flatMap((e: APIEmbed) => [e.title, e.description])].filter(Boolean).join('\n');

/** The admin log's messages about one flow (every notice carries the flow id in its footer). */
const adminNotices = (discord: FakeDiscord, channelId: string, workflowId: string): MessageRecord[] =>
  discord.messages(channelId).filter((m) => m.embeds.some((e) => e.footer?.text?.includes(workflowId)));

const waitForDm = (discord: FakeDiscord, userId: string, what: string, match: (m: MessageRecord) => boolean): Promise<MessageRecord> =>
  discord.waitFor(() => discord.dms(userId).find(match), 20_000, what);

describe('verification flows with Roblox or Discord away', () => {
  let env: VerifyEnv;
  beforeAll(async () => {
    env = await startVerifyEnv();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });
  afterEach(() => {
    env.roblox.clearFaults();
    env.discord.clearFaults();
  });
  const adminLog = (workflowId: string) => adminNotices(env.discord, env.demo.channels.adminLog.id, workflowId);

  it('verify: Roblox not answering the lookup → failed with a plain reason, the member told, the run recorded, COMPLETED', async () => {
    const user = newVerifier(env, 'lookup-down');
    env.roblox.inject({ route: /^\/v1\/usernames\/users/, status: 503 });
    const { message } = await slashVerify(env, user, 'builderman');

    expect(embedOf(message).title).toBe('Verification failed');
    expect(embedOf(message).description).toContain('Roblox is not answering right now, so Guildflow could not look up **builderman**');
    expect(embedOf(message).description).toContain('try /verify again in a few minutes');
    const workflowId = verifyWorkflowId(env.guildId, user);
    await completed(env.temporal.client, workflowId);
    expect(await env.prisma.verification.findFirst({ where: { guildId: env.guildId, userId: user } })).toMatchObject({ status: 'failed', reason: expect.stringContaining('Roblox is not answering') });
    expect(await env.prisma.robloxLink.count({ where: { guildId: env.guildId, userId: user } })).toBe(0);
    // Nothing an admin can do about Roblox being away: the member alone hears of it.
    expect(adminLog(workflowId)).toEqual([]);
  }, FLOW_MS);

  it('unverify: Discord not answering the member read → link removed, the problem reported to the member and the admins, COMPLETED', async () => {
    const { userId } = await linkedMember(env, 'UnverifyDown', { roles: [env.demo.roles.verified.id] });
    env.discord.inject({ method: 'GET', route: new RegExp(`^/guilds/${env.guildId}/members/${userId}$`), status: 503, times: FOREVER });
    const h = env.discord.slash(env.guildId, userId, 'unverify');
    const shown = await messageWhere(env, h, (m) => (embedOf(m).description ?? '').startsWith('Unlinked'), 'the unverify answer');

    expect(embedOf(shown).description).toContain(`Could not read <@${userId}> from Discord`);
    expect(embedOf(shown).description).toContain('change them by hand');
    expect(embedOf(shown).description).toContain('The admins were told.');
    const workflowId = `unverify:${env.guildId}:${userId}`;
    await completed(env.temporal.client, workflowId);
    expect(await env.prisma.robloxLink.count({ where: { guildId: env.guildId, userId } })).toBe(0);
    const [notice] = adminLog(workflowId);
    expect(embedOf(notice)).toMatchObject({ title: 'Unverify incomplete', description: expect.stringContaining('Could not read') });
    // Left as it was, for the admins to change by hand.
    expect(env.discord.member(env.guildId, userId)?.roles).toContain(env.demo.roles.verified.id);
  }, FLOW_MS);

  it('member roles (/update): Roblox not answering the groups read → failed, the member told, COMPLETED', async () => {
    // A bind makes the flow read the member's Roblox groups.
    await boundRole(env, 'Recruit (outage)', 6060, 1, 255);
    const { userId } = await linkedMember(env, 'UpdateDown');
    env.roblox.inject({ route: /^\/v2\/users\/\d+\/groups\/roles/, status: 503 });
    const h = env.discord.slash(env.guildId, userId, 'update');
    const shown = await messageWhere(env, h, (m) => (embedOf(m).description ?? '').length > 0, 'the /update answer');

    expect(embedOf(shown).description).toMatch(/^Nothing was changed: Roblox answered 503 .*\nTry again in a moment\.$/s);
    const workflowId = await waitFor(async () => {
      for await (const w of env.temporal.client.workflow.list({ query: `WorkflowId STARTS_WITH 'member-roles:${env.guildId}:${userId}:update-'` })) return w.workflowId;
      return undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'the /update flow in the visibility list' });
    await completed(env.temporal.client, workflowId);
    expect(await env.temporal.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'failed', added: [], removed: [] });
    // The member asked and was answered: the admins are not told (a rejoin tells them, below).
    expect(adminLog(workflowId)).toEqual([]);
  }, FLOW_MS);

  it('member roles (rejoin): Discord not answering the member read → failed, nothing changed, the admins told, COMPLETED', async () => {
    const { userId } = await linkedMember(env, 'RejoinDown');
    env.discord.inject({ method: 'GET', route: new RegExp(`^/guilds/${env.guildId}/members/${userId}$`), status: 503, times: FOREVER });
    const workflowId = `member-roles:${env.guildId}:${userId}:join-1`;
    await env.temporal.client.workflow.start('memberRoles', { taskQueue: env.taskQueue, workflowId, args: [{ guildId: env.guildId, userId, trigger: 'join', actorId: null }] });

    await completed(env.temporal.client, workflowId);
    expect(await env.temporal.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'failed', added: [], removed: [], reason: expect.stringContaining('Discord answered 503') });
    const notice = await env.discord.waitFor(() => adminLog(workflowId)[0], 10_000, 'the admin log notice');
    expect(embedOf(notice).description).toContain(`Guildflow could not give <@${userId}> everything their Roblox link gives`);
    expect(env.discord.member(env.guildId, userId)?.roles).toEqual([env.demo.roles.unverified.id]);
  }, FLOW_MS);
});

describe('shop, code orders and top-ups with Discord or the gateway away', () => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    env = await startPaymentsEnv();
    await env.startWorker();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });
  afterEach(() => {
    env.discord.clearFaults();
    env.midtrans.clearFaults();
  });
  const adminLog = (workflowId: string) => adminNotices(env.discord, env.demo.channels.adminLog.id, workflowId);
  const guildId = () => env.demo.guild.id;

  it('purchase with a role: Discord failing the role grant → failed, compensated, the member and the admins told, COMPLETED', async () => {
    const user = newPayer(env, 'buyer');
    await fund(env, user, 500n);
    const role = env.discord.createRole(guildId(), { name: 'VIP (outage)' });
    const it_ = await item(env, { price: 200n, stock: 3, roleId: role.id });
    env.discord.inject({ method: 'PUT', route: new RegExp(`^/guilds/${guildId()}/members/${user}/roles/${role.id}$`), status: 503, times: FOREVER });
    const handle = await startPurchase(env, { itemId: it_.id, userId: user });

    await completed(env.temporal.client, handle.workflowId);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('Discord is not answering right now') });
    expect(await env.prisma.purchase.findUniqueOrThrow({ where: { id: result.purchaseId } })).toMatchObject({ status: 'failed' });
    expect((await env.prisma.shopItem.findUniqueOrThrow({ where: { id: it_.id } })).stock).toBe(3);
    expect((await balance(env, user)).available).toBe(500n);
    const dm = await waitForDm(env.discord, user, 'the failure DM', (m) => text(m).includes('Purchase failed'));
    expect(text(dm)).toContain('Discord is not answering right now, so Guildflow could not give you the role: try /buy again in a few minutes.');
    expect(text(dm)).toContain('Nothing was charged');
    expect(adminLog(handle.workflowId).map(text).join('\n')).toContain('Discord answered 503');
  }, FLOW_MS);

  it('code order: DMs failing past the delivery timeout → needs_admin, the admins told; refunded, the member told, COMPLETED', async () => {
    const user = newPayer(env, 'orderer');
    const pkg = await packageOf(env, 1);
    await fund(env, user, BigInt(pkg.price));
    await addCodes(env, uniqueCodes(1));
    env.discord.inject({ method: 'POST', route: /^\/users\/@me\/channels$/, status: 503, times: FOREVER });
    const handle = await startOrder(env, { userId: user, packageId: pkg.id, deliveryTimeoutSeconds: 3, deliveryRetrySeconds: 1 });
    const orderId = handle.workflowId.slice('order:'.length);

    const row = await waitFor(async () => {
      const o = await env.prisma.codeOrder.findUniqueOrThrow({ where: { id: orderId } });
      return o.status === 'needs_admin' ? o : undefined;
    }, { timeoutMs: FLOW_MS, intervalMs: 200, what: 'the order to need an admin' });
    expect(row.failureReason).toContain('Discord answered 503');
    const notice = await env.discord.waitFor(() => adminLog(handle.workflowId)[0], 10_000, 'the admin log notice');
    expect(text(notice)).toContain('could not be delivered');
    // An admin decides now: the flow is waiting for them, not failed.
    expect((await handle.describe()).status.name).toBe('RUNNING');

    env.discord.clearFaults();
    await handle.signal(orderAdminSignal, { action: 'refund', by: 'discord:test-admin' });
    await completed(env.temporal.client, handle.workflowId);
    expect(await handle.result()).toMatchObject({ status: 'refunded' });
    expect((await balance(env, user)).available).toBe(BigInt(pkg.price));
    await waitForDm(env.discord, user, 'the refund DM', (m) => text(m).includes('Refunded by an admin'));
  }, FLOW_MS);

  it('top-up: the gateway failing the charge past its retries → failed, the member told to try again, the admins told, COMPLETED', async () => {
    const user = newPayer(env, 'topper');
    const paymentId = newPaymentId();
    env.midtrans.inject({ route: /\/v2\/charge/, status: 503 });
    const handle = await startTopup(env, { paymentId, userId: user, amount: '25000' });

    // The charge keeps the `db` profile: 10 attempts, up to 30 s apart (about two minutes).
    await completed(env.temporal.client, handle.workflowId, 200_000);
    expect(await handle.result()).toMatchObject({ status: 'failed', credited: false });
    expect(await env.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ status: 'failed' });
    const dm = await waitForDm(env.discord, user, 'the failure DM', (m) => text(m).includes('Top-up failed'));
    expect(text(dm)).toContain('the payment provider is not answering right now; try /topup again in a few minutes');
    expect(text(dm)).toContain('Nothing was charged');
    expect(adminLog(handle.workflowId).map(text).join('\n')).toContain('The charge could not be created');
  }, 240_000);
});

describe('a task award with Discord away', () => {
  let env: TasksEnv;
  beforeAll(async () => {
    env = await startTasksEnv();
    await env.startWorker();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  it('the role grant failing → award_failed: nothing paid, the reviewer told, the claim open; Accept again later → COMPLETED', async () => {
    const role = env.discord.createRole(env.guildId, { name: 'Helper (outage)' });
    const row = await createTaskRow(env, { name: 'Outage reward', reward: 20n, roleId: role.id });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
    const task = await postedTask(env, row.id);
    const member = newTasker(env, 'award-down');
    const handle = await env.temporal.client.workflow.start<typeof taskClaim>(taskClaimFlow.type, {
      taskQueue: env.taskQueue,
      workflowId: taskClaimFlow.id(task.id, member),
      args: [{ guildId: env.guildId, taskId: task.id, userId: member, reply: null } satisfies TaskClaimInput],
    });
    await waitForClaim(env, task.id, member, 'claimed');
    await answer(env.discord.slash(env.guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
    const review = await reviewPost(env, task.id, member);

    env.discord.inject({ method: 'PUT', route: new RegExp(`^/guilds/${env.guildId}/members/${member}/roles/${role.id}$`), status: 503, times: FOREVER });
    const refused = await answer(env.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, env.demo.admin.id));
    expect(refused).toContain('The award failed and nothing was paid: Discord answered 503');
    const claim = await waitForClaim(env, task.id, member, 'submitted');
    expect(claim.awardFailure).toContain('Discord answered 503');
    expect(claim.rewardPaid).toBeNull();
    await env.discord.waitFor(() => (embedOf(env.discord.message(review.id)).title ?? '').startsWith('Accepted but not paid') || undefined, 10_000, 'the review post to say so');
    // The claim waits for the reviewers' next decision: running, not failed.
    expect((await handle.describe()).status.name).toBe('RUNNING');

    env.discord.clearFaults();
    const again = await answer(env.discord.clickButton(env.discord.message(review.id)!, `gf:task-accept:${task.id}.${member}`, env.demo.admin.id));
    expect(again).toContain('Accepted');
    await completed(env.temporal.client, handle.workflowId);
    expect(await waitForClaim(env, task.id, member, 'completed')).toMatchObject({ rewardPaid: 20n });
    expect(env.discord.member(env.guildId, member)?.roles).toContain(role.id);
  }, FLOW_MS);

  it('the task post refused by Discord (no permission in the task channel) → the admin log told, COMPLETED', async () => {
    env.discord.denyPermission({ channelId: env.demo.channels.tasks.id, method: 'POST' });
    try {
      const row = await createTaskRow(env, { name: 'Refused post', reward: 1n });
      await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
      const workflowId = `task-message:${env.guildId}:${row.id}`;
      await completed(env.temporal.client, workflowId);
      expect(await env.temporal.client.workflow.getHandle(workflowId).result()).toMatchObject({ problem: expect.stringContaining('missing a permission') });
      expect((await env.prisma.task.findUniqueOrThrow({ where: { id: row.id } })).messageId).toBeNull();
      const notice = await env.discord.waitFor(
        () => env.discord.messages(env.demo.channels.adminLog.id).find((m) => m.content.includes(`The post of task #${row.id} could not be updated`)),
        10_000,
        'the admin log notice',
      );
      expect(notice.content).toContain('It is drawn again at the task\'s next change.');
    } finally {
      env.discord.clearFaults();
    }
  }, FLOW_MS);
});

describe('trades with Discord away', () => {
  let env: TradeEnv;
  beforeAll(async () => {
    env = await startTradeEnv();
    await env.startWorker();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });
  afterEach(() => env.discord.clearFaults());
  const adminLog = (workflowId: string) => adminNotices(env.discord, env.demo.channels.adminLog.id, workflowId);

  it('deposit: the receipt DM failing → credited all the same, the game answered, COMPLETED', async () => {
    const user = newTrader(env, 'depositor');
    const robloxId = await env.link(user);
    env.discord.inject({ method: 'POST', route: /^\/users\/@me\/channels$/, status: 503, times: FOREVER });
    const tradeId = `down-${newId()}`;
    const res = await env.client().request('POST', '/roblox/v1/deposits', { tradeId, robloxUserId: String(robloxId), gems: 40 });

    // What the player sees comes from the game: the deposit is credited.
    expect(res.json).toMatchObject({ status: 'credited', discordUserId: user });
    const workflowId = depositFlow.id(depositId(env.game.id, tradeId));
    await completed(env.temporal.client, workflowId);
    expect(await env.prisma.gameDeposit.findUniqueOrThrow({ where: { id: depositId(env.game.id, tradeId) } })).toMatchObject({ status: 'credited' });
    expect(await env.gems(user)).toMatchObject({ balance: 40n });
    expect(env.discord.dms(user)).toEqual([]);
    // A missing receipt is not the admins' to fix: the deposit tells nobody else.
    expect(adminLog(workflowId)).toEqual([]);
  }, FLOW_MS);

  it('withdrawal: the outcome message failing → expired and released all the same, COMPLETED', async () => {
    const user = newTrader(env, 'withdrawer');
    await env.link(user);
    await env.giveGems(user, 60n);
    env.discord.inject({ method: 'POST', route: /^\/users\/@me\/channels$/, status: 503, times: FOREVER });
    const handle = await env.startWithdraw({ userId: user, gems: '60', timeoutSeconds: 2 });

    await completed(env.temporal.client, handle.workflowId);
    expect(await handle.result()).toMatchObject({ status: 'expired', outcome: 'expired' });
    expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id: handle.workflowId.slice('withdraw:'.length) } })).toMatchObject({ status: 'expired' });
    expect(await env.gems(user)).toEqual({ balance: 60n, held: 0n, available: 60n });
    // The member could not be told (Discord is what is away); the outcome is on /withdraw's status.
    expect(env.discord.dms(user)).toEqual([]);
    expect(adminLog(handle.workflowId)).toEqual([]);
  }, FLOW_MS);
});
