import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { taskClaimWorkflowId } from '../../lib/flows/tasks';
import { verifyWorkflowId } from '../../lib/flows/verify';
import { depositId } from '../../lib/flows/trades';
import { waitFor } from '../../lib/wait';
import { buttonId } from '../../scripts/playground-examples/transcript';
import type { InteractionHandle } from '../fakes/discord';
import { createGameServerClient } from '../fakes/game-server-client';
import type { NotificationMode } from '../fakes/midtrans';
import type { ChaosGuild } from './guild';
import { type Operation, type OperationKind, type OperationLog } from './operations';
import type { Topology } from './topology';

/**
 * Many concurrent clients doing what members, admins, the payment gateway and game servers do, while
 * faults hit the processes. Each operation is recorded with its key and whether it was acknowledged; an
 * answer that never came (the process died under it) is "unanswered" and owed nothing.
 */
export interface WorkloadOptions {
  clients: number;
  until: number;
  random: () => number;
}

/** How long a client waits for an answer: a restart (~10 s on a busy machine) plus Discord's retries. */
const ANSWER_TIMEOUT_MS = 30_000;
/** Relative frequency of each operation. */
const WEIGHTS: Record<OperationKind, number> = { daily: 2, give: 2, adjust: 2, purchase: 2, timedRole: 1, order: 1, topup: 1, deposit: 2, withdraw: 2, task: 1, verify: 1 };
const PAYMENT_NOTIFICATIONS: NotificationMode[] = ['normal', 'duplicate', 'drop'];
/** How the game handles a withdrawal: claim and confirm once, both twice (to both API processes at once), or claim after it expired. */
const GAME_DELIVERIES = ['once', 'twice', 'late'] as const;
const PET_VARIANTS = ['normal', 'shiny'] as const;

export async function runWorkload(topology: Topology, guild: ChaosGuild, log: OperationLog, opts: WorkloadOptions): Promise<void> {
  const ops = operations(topology, guild, log, opts.random);
  const pick = <T>(list: readonly T[]) => list[Math.floor(opts.random() * list.length)]!;
  const weighted = Object.entries(WEIGHTS).flatMap(([kind, w]) => Array<OperationKind>(w).fill(kind as OperationKind));
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (Date.now() < opts.until) {
        const kind = pick(weighted);
        log.record(await ops[kind]().catch((err: Error): Operation => ({ kind, key: '?', outcome: 'unanswered', detail: err.message.split('\n')[0] })));
        await delay(50 + opts.random() * 200);
      }
    }),
  );
}

function operations(topology: Topology, guild: ChaosGuild, log: OperationLog, random: () => number): Record<OperationKind, () => Promise<Operation>> {
  const { discord, midtrans, apiUrls } = topology;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const member = () => pick(guild.members);
  const slash = (userId: string, name: string, options: Record<string, unknown> = {}) => discord.slash(guild.guildId, userId, name, options);
  const newcomers = [...guild.newcomers];
  // Each member claims each task once: the pairs not yet tried.
  const unclaimed = guild.tasks.flatMap((task) => guild.members.map((m) => ({ task, userId: m.user.id })));
  const games = apiUrls.map((baseUrl) => createGameServerClient({ baseUrl, gameId: guild.game.id, secret: guild.game.secret }));
  // Members with no timed-role purchase running: overlapping purchases share the role (it goes at the
  // latest end), which the per-purchase "timed roles ended" check does not model, so they do not overlap here.
  const timedRoleBuyers = guild.members.map((m) => m.user.id);

  /** /buy an item and Confirm: acknowledged once the click is (the purchase flow then runs). */
  const buy = async (kind: 'purchase' | 'timedRole', buyer: string, item: string): Promise<Operation> => {
    const h = slash(buyer, 'buy', { item });
    const confirm = await waitFor(() => h.original()?.components.length && h.original(), { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the confirm message' }).catch(() => undefined);
    if (!confirm) return { kind, key: h.id, ...(await refusalOf(h)) };
    const click = discord.clickButton(confirm, buttonId(confirm, 'Confirm'), buyer);
    // The purchase flow, once started, edits the confirm message with its outcome (its buttons gone).
    return flowStarted(kind, h, click, () => h.original()?.components.length === 0);
  };

  /** A game request sent again while the API does not answer (no answer, a 5xx), as the game's script does: the status it got. */
  const gameSend = (i: number, path: string, body?: unknown) =>
    waitFor(
      async () => {
        const status = await games[i % games.length]!.request('POST', path, body).then(
          (r) => r.status,
          () => 0,
        );
        return status !== 0 && status < 500 ? status : undefined;
      },
      { timeoutMs: ANSWER_TIMEOUT_MS, intervalMs: 500, what: `an answer to ${path}` },
    ).catch(() => 0);

  /**
   * The QR answer of a top-up (from /topup or an order's Top up button), then the member pays at the
   * gateway — whose notifications for it are normal, doubled or lost: the flow's status poll must find it.
   */
  const payTopup = async (h: InteractionHandle, key: string): Promise<Operation> => {
    const paymentId = await waitFor(() => /topup:(\S+)/.exec(h.original()?.embeds[0]?.footer?.text ?? '')?.[1], { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the QR answer' }).catch(() => undefined);
    if (!paymentId) return { kind: 'topup', key, ...(await refusalOf(h)) };
    const mode = pick(PAYMENT_NOTIFICATIONS);
    midtrans.setNotificationMode(mode, paymentId);
    await midtrans.pay(paymentId);
    return { kind: 'topup', key: paymentId, outcome: 'acknowledged', detail: mode };
  };

  return {
    async daily() {
      const h = slash(member().user.id, 'daily');
      return interactionOutcome('daily', h.id, h, 'Daily reward claimed');
    },

    async give() {
      const from = member().user.id;
      const to = pick(guild.members.filter((m) => m.user.id !== from)).user.id;
      const h = slash(from, 'give', { user: to, amount: 1 + Math.floor(random() * 20) });
      return interactionOutcome('give', `give:${h.id}`, h, 'Gift sent');
    },

    /** One adjustment, its key sent to both API processes at once and sometimes once more. */
    async adjust() {
      const idempotencyKey = `chaos-${randomBytes(6).toString('hex')}`;
      const body = JSON.stringify({ userId: member().user.id, amount: String(200 + Math.floor(random() * 800)), reason: 'Chaos test funds', idempotencyKey });
      const send = (base: string) =>
        fetch(`${base}/api/guilds/${guild.guildId}/economy/adjustments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${guild.adminToken}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
        }).then(
          async (res) => ({ status: res.status, replayed: res.ok ? ((await res.json()) as { replayed: boolean }).replayed : undefined }),
          () => ({ status: 0, replayed: undefined }),
        );
      const answers = await Promise.all(apiUrls.map(send));
      if (random() < 0.3) answers.push(await send(pick(apiUrls)));
      const applied = answers.filter((a) => a.replayed === false).length;
      const key = `admin_adjust:${guild.guildId}:token:${guild.adminTokenId}:${idempotencyKey}`;
      const acknowledged = answers.some((a) => a.status >= 200 && a.status < 300);
      return {
        kind: 'adjust',
        key,
        outcome: acknowledged ? 'acknowledged' : answers.some((a) => a.status === 0 || a.status >= 500) ? 'unanswered' : 'refused',
        detail: answers.map((a) => a.status).join(','),
        sends: answers.length,
        firstApplications: applied,
      };
    },

    /** /buy the limited item and Confirm. */
    async purchase() {
      return buy('purchase', member().user.id, guild.item.name);
    },

    /** /buy the timed-role item; its buyer buys it again only once this purchase has ended (or failed). */
    async timedRole() {
      const buyer = timedRoleBuyers.splice(Math.floor(random() * timedRoleBuyers.length), 1)[0];
      if (!buyer) return { kind: 'timedRole', key: '-', outcome: 'refused', detail: 'every buyer has a timed role running' };
      const bought = await buy('timedRole', buyer, guild.timedRoleItem.name);
      // An acknowledged purchase names its buyer (whose roles the check reads at the fake Discord).
      const op = bought.outcome === 'acknowledged' ? { ...bought, detail: buyer } : bought;
      const ended =
        op.outcome === 'refused' ||
        (op.outcome === 'acknowledged' &&
          (await waitFor(async () => ['role_expired', 'failed'].includes((await topology.db.prisma.purchase.findUnique({ where: { id: op.key } }))?.status ?? ''), {
            timeoutMs: guild.timedRoleItem.seconds * 1000 + ANSWER_TIMEOUT_MS,
            what: 'the timed role to end',
          }).catch(() => false)));
      // A purchase that may still run (unanswered, or not ended in time) keeps its buyer out.
      if (ended) timedRoleBuyers.push(buyer);
      return op;
    },

    /** /topup, then the member pays at the gateway. */
    async topup() {
      const h = slash(member().user.id, 'topup', { amount: 10_000 });
      return payTopup(h, h.id);
    },

    /**
     * /order a code and Confirm (acknowledged once the click is); when the balance is short the order
     * offers Top up, which the member takes and pays — the top-up then wakes the order.
     */
    async order() {
      const buyer = member().user.id;
      const h = slash(buyer, 'order', { package: 1 });
      const confirm = await waitFor(() => h.original()?.components.length && h.original(), { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the order confirm message' }).catch(() => undefined);
      if (!confirm) return { kind: 'order', key: h.id, ...(await refusalOf(h)) };
      const click = discord.clickButton(confirm, buttonId(confirm, 'Confirm'), buyer);
      // The order flow, once started, edits the confirm message: complete, failed, or short of funds.
      const started = await flowStarted('order', h, click, () => !/^Order \d+ code/.test(h.original()?.embeds[0]?.title ?? ''));
      if (started.outcome !== 'acknowledged') return started;
      const shown = h.original();
      const short = shown?.embeds[0]?.title?.startsWith('Not enough balance') ? shown : undefined;
      if (short) {
        const topup = discord.clickButton(short, buttonId(short, 'Top up'), buyer);
        log.record(await payTopup(topup, `order-topup:${topup.id}`));
      }
      return { kind: 'order', key: h.id, outcome: 'acknowledged', detail: short ? 'paid by a top-up' : 'paid from the balance' };
    },

    /**
     * Claim a task on its post, send proof in the form, and the admin accepts it on the review post:
     * acknowledged when the Accept click's answer says Accepted (the award is then owed, once).
     */
    async task() {
      const { task, userId } = unclaimed.splice(Math.floor(random() * unclaimed.length), 1)[0] ?? {};
      if (!task || !userId) return { kind: 'task', key: '-', outcome: 'refused', detail: 'every member claimed every task' };
      const key = taskClaimWorkflowId(task.id, userId);
      const post = discord.message(task.messageId)!;
      const claim = discord.clickButton(post, buttonId(post, 'Claim'), userId);
      const claimed = await waitFor(() => claim.original()?.components.length && claim.original(), { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the claim answer' }).catch(() => undefined);
      if (!claimed) return { kind: 'task', key, ...(await refusalOf(claim)) };
      const form = discord.clickButton(claimed, buttonId(claimed, 'Submit proof'), userId);
      const modal = await waitFor(() => form.modal(), { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the proof form' }).catch(() => undefined);
      if (!modal) return { kind: 'task', key, ...(await refusalOf(form)) };
      discord.submitModal(form, modal.customId, userId, { proof: `Done under chaos: https://example.com/${key}` });
      const reviewId = await waitFor(async () => (await topology.db.prisma.taskClaim.findUnique({ where: { taskId_userId: { taskId: task.id, userId } } }))?.reviewMessageId, {
        timeoutMs: ANSWER_TIMEOUT_MS,
        what: 'the review post',
      }).catch(() => undefined);
      const review = reviewId ? await discord.waitFor(() => discord.message(reviewId), ANSWER_TIMEOUT_MS, 'the review message').catch(() => undefined) : undefined;
      if (!review) return { kind: 'task', key, outcome: 'unanswered', detail: 'no review post' };
      // The click is deferred, then its answer edited: 'Accepted' once the claim's flow took the decision.
      const accept = discord.clickButton(review, buttonId(review, 'Accept'), topology.demo.admin.id);
      return interactionOutcome('task', key, accept, 'Accepted');
    },

    /**
     * A newcomer runs /verify, puts the phrase in their Roblox profile and presses Check: acknowledged
     * when the message says they are verified (then the link, the roles and the nickname are owed).
     */
    async verify() {
      const newcomer = newcomers.shift();
      if (!newcomer) return { kind: 'verify', key: '-', outcome: 'refused', detail: 'every newcomer tried' };
      const userId = newcomer.user.id;
      const key = verifyWorkflowId(guild.guildId, userId);
      const h = slash(userId, 'verify', { username: newcomer.robloxName });
      const phrase = await waitFor(() => /```\n([a-z ]+)\n```/.exec(h.original()?.embeds[0]?.description ?? '')?.[1], { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the phrase' }).catch(() => undefined);
      const shown = h.original();
      if (!phrase || !shown) return { kind: 'verify', key, ...(await refusalOf(h)) };
      topology.roblox.setDescription(newcomer.robloxId, phrase);
      discord.clickButton(shown, buttonId(shown, 'Check'), userId);
      const outcome = await waitFor(() => /^Verified as|^Verification (failed|expired|cancelled)/.exec(discord.message(shown.id)?.embeds[0]?.title ?? '')?.[0], { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the verification outcome' }).catch(
        () => undefined,
      );
      if (!outcome) return { kind: 'verify', key, outcome: 'unanswered' };
      return outcome === 'Verified as' ? { kind: 'verify', key, outcome: 'acknowledged', detail: `${userId}:${newcomer.robloxId}` } : { kind: 'verify', key, outcome: 'refused', detail: outcome };
    },

    /** A signed deposit; its tradeId sometimes reported again, to the other API process. */
    async deposit() {
      const m = member();
      const tradeId = `t-${randomBytes(6).toString('hex')}`;
      const pets = random() < 0.5 ? [{ species: guild.pet.key, variant: pick(PET_VARIANTS), quantity: 1 + Math.floor(random() * 3) }] : [];
      const report = { tradeId, robloxUserId: String(m.robloxId), serverId: 'chaos-server', gems: 10 + Math.floor(random() * 90), pets };
      const send = (i: number) =>
        games[i % games.length]!.request('POST', '/roblox/v1/deposits', report).then(
          (r) => r.status,
          () => 0,
        );
      const first = Math.floor(random() * games.length);
      const statuses = [await send(first)];
      if (random() < 0.5) statuses.push(await send(first + 1));
      const key = `deposit:${depositId(guild.game.id, tradeId)}:gems`;
      const outcome = statuses.includes(200) ? 'acknowledged' : statuses.some((s) => s === 422 || s === 409) ? 'refused' : 'unanswered';
      return { kind: 'deposit', key, outcome, detail: statuses.join(','), sends: statuses.length };
    },

    /**
     * /withdraw some gems (and, when the member has pets, one stack of them or none): acknowledged once the
     * flow says it started. Then the game, seeing the withdrawal listed for its player, claims it and
     * confirms delivering everything — once, twice at once through both API processes, or only after it
     * expired. Each confirmation answered 200 told the game to deliver: more than one is a violation.
     */
    async withdraw() {
      const m = member();
      const userId = m.user.id;
      const h = slash(userId, 'withdraw', { gems: 1 + Math.floor(random() * 30) });
      const answer = await waitFor(() => h.original(), { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the withdraw answer' }).catch(() => undefined);
      if (!answer) return { kind: 'withdraw', key: h.id, ...(await refusalOf(h)) };
      const menu = (answer.components as { components?: { custom_id: string; options?: { value: string }[] }[] }[]).flatMap((row) => row.components ?? []).find((c) => c.options?.length);
      const picked = menu && discord.selectMenu(answer, menu.custom_id, userId, random() < 0.5 ? [pick(menu.options!).value] : []);
      // Started: the answer names the flow. Refused: the answer is something else, or the pick is answered with an error.
      const seen = await waitFor(
        () => {
          const shown = discord.message(answer.id)?.embeds[0];
          const flowId = /withdraw:(\S+)/.exec(shown?.footer?.text ?? '')?.[1];
          const refused = picked ? picked.responses().some((r) => r.kind === 'callback' && r.type === 4) : shown !== undefined;
          return flowId ? { flowId } : refused && { flowId: undefined };
        },
        { timeoutMs: ANSWER_TIMEOUT_MS, what: 'the withdrawal to start' },
      ).catch(() => undefined);
      const started = seen?.flowId;
      if (!started) return { kind: 'withdraw', key: h.id, ...(await refusalOf(picked || h)) };

      const mode = pick(GAME_DELIVERIES);
      const first = Math.floor(random() * games.length);
      const listed = await waitFor(
        async () => {
          const row = await topology.db.prisma.withdrawal.findUnique({ where: { id: started } });
          if (row?.status !== 'escrowed') return row ? { status: row.status } : undefined;
          const r = await games[first]!.request('GET', `/roblox/v1/withdrawals?players=${m.robloxId}`).catch(() => undefined);
          const offer = (r?.json as { withdrawals?: { id: string; gems: string; pets: { species: string; variant: string; quantity: number }[] }[] } | undefined)?.withdrawals?.find((w) => w.id === started);
          return offer && { status: row.status, offer };
        },
        { timeoutMs: ANSWER_TIMEOUT_MS, intervalMs: 250, what: 'the withdrawal to reach the game' },
      ).catch(() => undefined);
      const acknowledged = { kind: 'withdraw' as const, key: started, outcome: 'acknowledged' as const };
      if (!listed?.offer) return { ...acknowledged, detail: listed?.status ?? 'never listed' };
      if (mode === 'late') await delay((guild.game.withdrawTimeoutSeconds + 2) * 1000);
      const senders = mode === 'twice' ? [first, first + 1] : [first];
      const path = `/roblox/v1/withdrawals/${started}`;
      const claims = await Promise.all(senders.map((i) => gameSend(i, `${path}/claim`)));
      const delivered = { gems: Number(listed.offer.gems), pets: listed.offer.pets.map(({ species, variant, quantity }) => ({ species, variant, quantity })) };
      const confirms = claims.includes(200) ? await Promise.all(senders.map((i) => gameSend(i, `${path}/confirm`, { delivered }))) : [];
      return { ...acknowledged, detail: `${mode}: claim ${claims.join(',')}, confirm ${confirms.join(',') || '-'}`, sends: senders.length, firstApplications: confirms.filter((s) => s === 200).length };
    },
  };
}

/**
 * A Confirm click that starts a flow: acknowledged once the flow shows itself on the confirm message;
 * refused when the click is answered with an error (at once, or in a follow-up after a slow start).
 */
async function flowStarted(kind: OperationKind, h: InteractionHandle, click: InteractionHandle, flowSpoke: () => boolean): Promise<Operation> {
  const error = () => click.responses().find((r) => (r.kind === 'callback' && r.type === 4) || r.kind === 'followup');
  const seen = await waitFor(() => (flowSpoke() ? 'flow' : error() ? 'error' : undefined), { timeoutMs: ANSWER_TIMEOUT_MS, what: `the ${kind} flow` }).catch(() => undefined);
  if (seen === 'flow') return { kind, key: h.id, outcome: 'acknowledged' };
  const data = error()?.data as { content?: string } | undefined;
  return seen === 'error' ? { kind, key: h.id, outcome: 'refused', detail: titleOf(data) ?? data?.content } : { kind, key: h.id, outcome: 'unanswered' };
}

/** The success title, a refusal (another title), or nothing within the time. */
async function interactionOutcome(kind: OperationKind, key: string, h: InteractionHandle, success: string): Promise<Operation> {
  const title = await waitFor(() => h.original()?.embeds[0]?.title ?? titleOf(h.responses().find((r) => r.kind === 'callback')?.data), {
    timeoutMs: ANSWER_TIMEOUT_MS,
    what: `an answer to /${kind}`,
  }).catch(() => undefined);
  if (title === undefined) return { kind, key, outcome: 'unanswered' };
  return title === success ? { kind, key, outcome: 'acknowledged' } : { kind, key, outcome: 'refused', detail: title };
}

async function refusalOf(h: InteractionHandle): Promise<Pick<Operation, 'outcome' | 'detail'>> {
  const title = h.original()?.embeds[0]?.title ?? titleOf(h.responses()[0]?.data);
  return title === undefined ? { outcome: 'unanswered' } : { outcome: 'refused', detail: title };
}

function titleOf(data: unknown): string | undefined {
  return (data as { embeds?: { title?: string }[] } | undefined)?.embeds?.[0]?.title;
}
