import { WorkflowNotFoundError } from '@temporalio/client';
import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import { waitFor } from '../../lib/wait';
import { purchaseFlow } from '../../lib/flows/shop';
import type { ShopItem } from '../../prisma/client';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { logLine, startEntry, type RunningEntry } from '../helpers/entry-point';
import { startGateProxy, type GateProxy } from '../helpers/gate-proxy';
import { testTemporalAddress } from '../helpers/temporal';
import { balance, fund, inventoryOf, item, sinkBalance, startShopEnv, type ShopEnv } from '../shop/helpers';

/**
 * A member's Confirm click while the production bot (`bot/main.ts`, its own process) is killed with
 * SIGKILL — no shutdown code runs. The bot starts the purchase first and acknowledges the click after,
 * so a kill either leaves the click unanswered with nothing started (the member sees "interaction
 * failed" and clicks again) or lets the started purchase run to its end on the worker (here, in the test
 * process); never a click acknowledged with no purchase behind it.
 */
/** Longer than the test: a held acknowledgement never reaches the fake's handler while the test looks. */
const HOLD_MS = 5 * 60_000;
/** More than any keepalive ping (17 bytes), less than a StartWorkflowExecution request (headers, input, search attributes). */
const START_REQUEST_BYTES = 300;



describe('Confirm, then the bot is killed (kill -9 of bot/main.ts)', () => {
  let env: ShopEnv;
  let gate: GateProxy;
  const bots: RunningEntry[] = [];

  beforeAll(async () => {
    env = await startShopEnv();
    await env.startWorker();
    const [host, port] = testTemporalAddress().split(':');
    gate = await startGateProxy({ host: host!, port: Number(port) });
  });
  afterAll(async () => {
    for (const bot of bots) bot.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    await gate?.stop();
    await env?.close();
  });

  /** `npm run bot`'s entry point with production settings, logged in once it deployed its commands. */
  async function startBot(temporalAddress: string): Promise<RunningEntry> {
    const bot = startEntry('bot/main.ts', {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: env.db.url,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: env.taskQueue,
      DISCORD_TOKEN: env.discord.token,
      DISCORD_API_URL: env.discord.restUrl,
    });
    bots.push(bot);
    await logLine(bot, 'bot logged in', 60_000);
    return bot;
  }

  async function kill(bot: RunningEntry): Promise<void> {
    bot.child.kill('SIGKILL');
    await bot.exited;
    expect(bot.child.signalCode).toBe('SIGKILL');
  }

  const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
  const workflowExists = (workflowId: string) =>
    env.temporal.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );
  const callbackRoute = (click: InteractionHandle) => `/interactions/${click.id}/${click.token}/callback`;
  const heldCallback = (click: InteractionHandle) => env.discord.pendingRequests().find((r) => r.method === 'POST' && r.route === callbackRoute(click));
  const answeredCallbacks = (click: InteractionHandle) => env.discord.requests().filter((r) => r.route === callbackRoute(click));

  /** A member with 100 coins runs /buy for a 40-coin item (3 in stock) and gets the confirm message. */
  async function buyShown(name: string): Promise<{ member: string; lantern: ShopItem; buy: InteractionHandle; confirmMessage: MessageRecord; confirmId: string }> {
    const guildId = env.demo.guild.id;
    const member = env.discord.createUser({ username: name }).id;
    env.discord.addMember(guildId, member);
    await fund(env, member, 100n);
    const lantern = await item(env, { name: `Lantern ${name}`, price: 40n, stock: 3 });
    const buy = env.discord.slash(guildId, member, 'buy', { item: lantern.name });
    await buy.waitForResponse(15_000);
    const confirmMessage = buy.original()!;
    expect(embedOf(confirmMessage).title).toBe(`Buy 1 × ${lantern.name}?`);
    const buttons = confirmMessage.components.flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components);
    const confirmId = buttons.find((b) => b.label === 'Confirm')!.custom_id;
    return { member, lantern, buy, confirmMessage, confirmId };
  }

  async function expectPurchasedOnce(s: { member: string; lantern: ShopItem; buy: InteractionHandle }, sinkBefore: bigint): Promise<void> {
    const guildId = env.demo.guild.id;
    const purchase = await env.prisma.purchase.findUniqueOrThrow({ where: { id: s.buy.id } });
    expect(purchase).toMatchObject({ status: 'completed', userId: s.member, quantity: 1, total: 40n });
    expect(await env.prisma.purchase.count({ where: { userId: s.member } })).toBe(1);
    expect(await balance(env, s.member)).toEqual({ balance: 60n, held: 0n, available: 60n });
    expect((await sinkBalance(env)) - sinkBefore).toBe(40n);
    expect((await env.prisma.shopItem.findUniqueOrThrow({ where: { id: s.lantern.id } })).stock).toBe(2);
    expect(await inventoryOf(env.prisma, guildId, s.member, s.lantern.id)).toBe(1);
  }

  it('killed while the acknowledgement is in flight: the purchase exists, runs to its end on the worker, and the member is told by DM', async () => {
    const bot = await startBot(testTemporalAddress());
    const s = await buyShown('kira');
    const workflowId = purchaseFlow.id(s.buy.id);
    const sinkBefore = await sinkBalance(env);

    const click = env.discord.clickButton(s.confirmMessage, s.confirmId, s.member);
    // Discord holds this click's acknowledgement (the rule is in place before the bot can receive the
    // click): once it is held, the bot has sent it and waits for the answer.
    env.discord.setLatency({ route: new RegExp(`^/interactions/${click.id}/`), ms: HOLD_MS });
    const held = await env.discord.waitFor(() => heldCallback(click), 15_000, 'the bot to send the Confirm click’s acknowledgement');
    expect(await workflowExists(workflowId)).toBe(true);
    const { startTime } = await env.temporal.client.workflow.getHandle(workflowId).describe();
    // The flow was started before the acknowledgement was sent.
    expect(held.at).toBeGreaterThanOrEqual(startTime.getTime());
    await kill(bot);

    expect((await env.temporal.client.workflow.getHandle(workflowId).result()).status).toBe('completed');
    await expectPurchasedOnce(s, sinkBefore);
    // The click was never acknowledged: the confirm message could not be edited, so the flow sent a DM.
    expect(click.responses()).toEqual([]);
    expect(answeredCallbacks(click)).toEqual([]);
    const dm = await env.discord.waitFor(() => env.discord.dms(s.member).find((m) => embedOf(m).title === 'Purchase complete'), 5000, 'the DM with the outcome');
    expect(embedOf(dm).description).toContain(s.lantern.name);
    expect(embedOf(s.buy.original()).title).toBe(`Buy 1 × ${s.lantern.name}?`);
    expect(env.discord.internalErrors()).toEqual([]);
  });

  it('killed before the start reached Temporal: nothing started, nothing acknowledged; the member clicks again and buys once', async () => {
    const bot = await startBot(gate.address);
    const s = await buyShown('lior');
    const workflowId = purchaseFlow.id(s.buy.id);
    const sinkBefore = await sinkBalance(env);

    // From now on the bot's requests to Temporal are held back (the test still reaches Temporal directly).
    gate.close();
    const click = env.discord.clickButton(s.confirmMessage, s.confirmId, s.member);
    // Were the start to outlast the bot's acknowledgement deadline, that acknowledgement would be held too.
    env.discord.setLatency({ route: new RegExp(`^/interactions/${click.id}/`), ms: HOLD_MS });
    await waitFor(() => gate.heldBytes() >= START_REQUEST_BYTES, { timeoutMs: 15_000, intervalMs: 5, what: 'the bot’s start request to Temporal' });
    // The bot is inside the start: it has not tried to acknowledge the click (that comes after the start).
    expect(heldCallback(click)).toBeUndefined();
    expect(answeredCallbacks(click)).toEqual([]);
    await kill(bot);

    // The start request died with the bot: there is no purchase, and the member was charged nothing.
    expect(await workflowExists(workflowId)).toBe(false);
    expect(await env.prisma.purchase.count({ where: { userId: s.member } })).toBe(0);
    expect(await balance(env, s.member)).toEqual({ balance: 100n, held: 0n, available: 100n });
    expect(click.responses()).toEqual([]);

    // Discord showed "interaction failed"; the member clicks Confirm again once the bot is back.
    await startBot(testTemporalAddress());
    const again = env.discord.clickButton(s.confirmMessage, s.confirmId, s.member);
    expect((await again.waitForResponse(10_000)).type).toBe(6); // deferred update
    expect((await env.temporal.client.workflow.getHandle(workflowId).result()).status).toBe('completed');
    await expectPurchasedOnce(s, sinkBefore);
    const shown = await env.discord.waitFor(() => (embedOf(s.buy.original()).title === 'Purchase complete' ? s.buy.original() : undefined), 5000, 'the edited confirm message');
    expect(shown?.components).toEqual([]);
    expect(env.discord.internalErrors()).toEqual([]);
  });
});
