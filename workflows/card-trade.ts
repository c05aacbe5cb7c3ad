import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CARD_TRADE_FAILURES,
  CARD_TRADE_REFUSALS,
  cardTradeConfirmUpdate,
  cardTradeDisputeUpdate,
  cardTradeFlow,
  cardTradeMessageSignal,
  cardTradeOpenedUpdate,
  cardTradeResolveUpdate,
  cardTradeRespondUpdate,
  cardTradeStatusQuery,
  escrowChangedSignal,
  type CardEscrowActivities,
  type CardTradeInput,
  type CardTradeNoticeKind,
  type CardTradeResolution,
  type CardTradeResponse,
  type CardTradeResult,
  type CardTradeState,
} from '../lib/flows/card-trades';
import { atLeast } from '../lib/permissions';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, showDetails, tagFlow, tell } from './common';
import { persistentSteps } from './persistent-steps';

/**
 * A card trade proposal, workflow id `card-trade:{proposalId}` (lib/flows/card-trades.ts):
 *
 *   open (proposal recorded, the proposer's offered cards reserved — or refused: not enough free copies,
 *   cash while escrow is not available) → the recipient is told → wait for the party whose turn it is
 *   (updates, validated): accept (their asked cards reserved too) / decline / counter (a new version: the
 *   old terms' reservations released, the counterer's cards reserved, the turn passes) / the proposer's
 *   cancel; a reminder `reminderSeconds` before the expiry; the expiry ends it, releasing everything →
 *   accepted: [cash: escrow opened (its refund pushed first), wait for `escrowChanged` or a timer, then
 *   cardsEscrowCheck — only our check says the money is held] → both confirm receipt → cards moved
 *   between the collections (one transaction) → [cash released to the payee] → completed, both told.
 *   A dispute (either party, after accept) stops completion until a moderator resolves it: the trade
 *   stands (completes) or is cancelled (reservations released, cash refunded); the loser is recorded.
 *   Receipts not both confirmed `confirmSeconds` after the receipts phase began (the guild's confirm_days):
 *   both parties are reminded once and the admin log told; nothing is cancelled (cards may be in the post).
 *   A message a party posts (`messagePosted` signal) is relayed to the other party, once per message.
 *
 * Compensations: every reservation is released when the proposal does not complete (declined, cancelled,
 * expired, a dispute lost, the flow cancelled); cash is refunded then (the refund copes with nothing paid).
 * Steps that move cards or reservations and every compensation never give up on a transient failure
 * (persistentSteps, `patience` from the input). Durations (expiry, reminder, escrow checks) come from the
 * input: the guild's card settings in production, seconds in tests.
 *
 * Updates are validated at once (who, whose turn, the state, the expiry) and applied one at a time: the
 * first of two answers sent together wins, the second is refused as busy or by the new state.
 */

const profiles = activityProfiles(CARD_TRADE_REFUSALS);
/** Telling people: a few retries, never the flow's outcome. */
const quick = proxyActivities<Activities>(profiles.discord);
/** The escrow's outside calls (open, check): finite, then a business outcome (the trade is cancelled). */
const escrow = proxyActivities<CardEscrowActivities>(profiles.discord);

const CANCELLED = { type: 'Cancelled', message: 'The trade was cancelled.' };
const DEFAULT_ESCROW_CHECK_SECONDS = 300;

type Action =
  | { kind: 'respond'; id: number; input: CardTradeResponse }
  | { kind: 'confirm'; id: number; userId: string }
  | { kind: 'dispute'; id: number; userId: string; reason: string }
  | { kind: 'resolve'; id: number; input: CardTradeResolution };
type NewAction = Action extends infer A ? (A extends Action ? Omit<A, 'id'> : never) : never;

export async function cardTrade(input: CardTradeInput): Promise<CardTradeState> {
  const workflowId = workflowInfo().workflowId;
  const { proposalId } = input;
  tagFlow(cardTradeFlow.kind, input.guildId, input.proposerId);
  const state: CardTradeState = {
    proposalId,
    status: 'opening',
    version: 1,
    offererId: input.proposerId,
    turnUserId: input.recipientId,
    expiresAt: null,
    received: { proposer: false, recipient: false },
    escrow: 'none',
    payUrl: null,
    dispute: null,
    reason: null,
  };
  const what = () => `trade ${proposalId} between <@${input.proposerId}> and <@${input.recipientId}> (v${state.version})`;
  const show = () => showDetails(state.status, what(), state.turnUserId && state.status === 'proposed' && `Turn: <@${state.turnUserId}>`, state.reason);
  show();
  const steady = persistentSteps({ guildId: input.guildId, describe: () => `Card trade: ${what()}`, refusals: CARD_TRADE_REFUSALS, patience: input.patience });
  const dbStep = <T>(step: string, call: (a: Activities) => Promise<T>) => steady.run(step, call);
  const mustStep = <T>(step: string, call: (a: Activities) => Promise<T>) => CancellationScope.nonCancellable(() => steady.run(step, call));
  const parties = [input.proposerId, input.recipientId];
  const other = (userId: string) => (userId === input.proposerId ? input.recipientId : input.proposerId);
  const cash = { cents: 0, payerId: null as string | null };

  // ─── Requests from people: validated at once, applied one at a time below ─────────────────────────
  const queue: Action[] = [];
  const results = new Map<number, CardTradeResult>();
  let nextId = 0;
  let busy = false;
  let escrowWoken = false;
  let opened: CardTradeResult | null = null;
  const enqueue = async (action: NewAction): Promise<CardTradeResult> => {
    const id = ++nextId;
    busy = true;
    queue.push({ ...action, id } as Action);
    await condition(() => results.has(id));
    const result = results.get(id)!;
    results.delete(id);
    return result;
  };
  const reply = (action: Action, ok: boolean, message: string) => {
    results.set(action.id, { ok, status: state.status, message });
    busy = false;
  };
  const refuseIf = (cond: boolean, message: string) => {
    if (cond) throw ApplicationFailure.nonRetryable(message, CARD_TRADE_FAILURES.refused);
  };
  const refuseUnlessParty = (userId: string) => refuseIf(!parties.includes(userId), 'Only the two members of this trade can do that.');
  const refuseIfBusy = () => refuseIf(busy || state.status === 'opening', 'This trade is busy with another answer; try again in a moment.');
  const expired = () => state.expiresAt !== null && nowMs() >= Date.parse(state.expiresAt);

  setHandler(cardTradeStatusQuery, () => ({ ...state, received: { ...state.received }, dispute: state.dispute && { ...state.dispute } }));
  setHandler(cardTradeOpenedUpdate, async () => {
    await condition(() => opened !== null);
    return opened!;
  });
  setHandler(cardTradeRespondUpdate, (r) => enqueue({ kind: 'respond', input: r }), {
    validator: (r) => {
      refuseUnlessParty(r.userId);
      refuseIfBusy();
      refuseIf(state.status !== 'proposed', `This proposal is ${state.status}: it takes no more answers.`);
      refuseIf(expired(), 'This proposal has expired.');
      if (r.action === 'cancel') {
        refuseIf(r.userId !== input.proposerId, 'Only the member who proposed this trade can cancel it.');
      } else {
        refuseIf(r.userId !== state.turnUserId, `It is not your turn: <@${state.turnUserId}> must answer these terms.`);
      }
      if (r.action === 'counter') refuseIf(!r.terms || (r.terms.offered.length === 0 && r.terms.asked.length === 0), 'A counter needs terms with at least one card.');
      refuseIf(!['accept', 'decline', 'counter', 'cancel'].includes(r.action), 'Unknown answer.');
    },
  });
  setHandler(cardTradeConfirmUpdate, (c) => enqueue({ kind: 'confirm', userId: c.userId }), {
    validator: (c) => {
      refuseUnlessParty(c.userId);
      refuseIfBusy();
      refuseIf(state.status === 'disputed', 'This trade is disputed: a moderator decides it.');
      refuseIf(state.status !== 'accepted', `This trade is ${state.status}: there is no receipt to confirm.`);
      refuseIf(state.escrow !== 'none' && state.escrow !== 'held', 'The cash of this trade is not paid yet: ship once the payment is held.');
      refuseIf(c.userId === input.proposerId ? state.received.proposer : state.received.recipient, 'You already confirmed receipt.');
    },
  });
  setHandler(cardTradeDisputeUpdate, (d) => enqueue({ kind: 'dispute', userId: d.userId, reason: d.reason }), {
    validator: (d) => {
      refuseUnlessParty(d.userId);
      refuseIfBusy();
      refuseIf(state.status === 'disputed', 'This trade is already disputed.');
      refuseIf(state.status !== 'accepted', `This trade is ${state.status}: only an accepted trade can be disputed.`);
      refuseIf(!d.reason?.trim(), 'A dispute needs a reason.');
    },
  });
  setHandler(cardTradeResolveUpdate, (r) => enqueue({ kind: 'resolve', input: r }), {
    validator: (r) => {
      refuseIf(r.guildId !== input.guildId, 'This trade belongs to another server: only its own moderators resolve it.');
      refuseIf(!atLeast(r.level, 'mod'), 'Only moderators and admins resolve trade disputes.');
      refuseIf(parties.includes(r.moderatorId), 'You cannot resolve a dispute of your own trade.');
      refuseIfBusy();
      refuseIf(state.status !== 'disputed', `This trade is ${state.status}: there is no dispute to resolve.`);
      refuseIf(r.outcome !== 'complete' && r.outcome !== 'cancel', 'A resolution completes or cancels the trade.');
      refuseIf(r.loserId !== null && !parties.includes(r.loserId), 'The party a dispute goes against is one of its two members.');
    },
  });
  setHandler(escrowChangedSignal, () => {
    escrowWoken = true;
  });
  setHandler(cardTradeMessageSignal, async ({ messageId, authorId }) => {
    // Guarded: a flow whose old worker received this signal without relaying must replay the same way.
    if (!patched('card-trade-message-relay') || !parties.includes(authorId)) return;
    const to = other(authorId);
    await tell(`relay message ${messageId} to <@${to}>`, () => quick.cardTradeNotify({ proposalId, userId: to, kind: 'message', key: `${workflowId}:message:${messageId}:${to}`, messageId }));
  });

  const notify = (userId: string, kind: CardTradeNoticeKind, key: string) =>
    tell(`tell <@${userId}> (${kind})`, () => quick.cardTradeNotify({ proposalId, userId, kind, key: `${workflowId}:${key}:${userId}` }));
  const notifyBoth = async (kind: CardTradeNoticeKind, key: string) => {
    for (const p of parties) await notify(p, kind, key);
  };
  const expiresAtFromNow = () => new Date(nowMs() + input.expirySeconds * 1000).toISOString();

  // ─── Open ────────────────────────────────────────────────────────────────────────────────────────
  const open = await mustStep('open the proposal', (a) =>
    a.cardTradeOpen({ proposalId, guildId: input.guildId, proposerId: input.proposerId, recipientId: input.recipientId, terms: input.terms, expiresAt: expiresAtFromNow() }),
  );
  if (!open.ok) {
    state.status = 'refused';
    state.reason = open.reason;
    opened = { ok: false, status: state.status, message: open.reason };
    show();
    return { ...state };
  }
  const apply = (v: { version: number; offererId: string; turnUserId: string; expiresAt: string; cashCents: number; cashPayerId: string | null }) => {
    state.version = v.version;
    state.offererId = v.offererId;
    state.turnUserId = v.turnUserId;
    state.expiresAt = v.expiresAt;
    cash.cents = v.cashCents;
    cash.payerId = v.cashPayerId;
  };
  apply(open.view);
  state.status = 'proposed';
  opened = { ok: true, status: state.status, message: `Proposal sent to <@${input.recipientId}>; your offered cards are reserved until it ends.` };
  show();
  await notify(input.recipientId, 'proposal_received', 'v1:received');

  /** Refunds a cash payment that may have been made: pushed before the escrow opens. */
  let refund: ((reason: string) => Promise<void>) | null = null;
  /** `actorId`: the member or moderator who ended it, for the audit trail; none when the flow did (expiry, payment). */
  const endWith = async (status: 'declined' | 'cancelled' | 'expired', reason: string, actorId: string | null = null) => {
    await mustStep('release the reserved cards', (a) => a.cardTradeEnd({ proposalId, status, reason, actorId }));
    if (refund) await refund(reason);
    state.status = status;
    state.reason = reason;
    state.turnUserId = null;
    show();
  };

  try {
    // ─── Proposed: answers, reminder, expiry ─────────────────────────────────────────────────────────
    let remindedVersion = 0;
    while (state.status === 'proposed') {
      const expiresMs = Date.parse(state.expiresAt!);
      const remindMs = expiresMs - input.reminderSeconds * 1000;
      // Each version's terms get one reminder, unless their whole time is shorter than the reminder's.
      const remindPending = input.reminderSeconds > 0 && remindedVersion !== state.version && remindMs > nowMs();
      const until = remindPending ? remindMs : expiresMs;
      const woke = await condition(() => queue.length > 0, Math.max(1, until - nowMs()));
      if (!woke) {
        if (remindPending) {
          remindedVersion = state.version;
          await notifyBoth('expiring', `v${state.version}:expiring`);
        } else if (nowMs() >= expiresMs) {
          await endWith('expired', 'Nobody answered before the proposal expired.');
          await notifyBoth('expired', 'expired');
        }
        continue;
      }
      const action = queue.shift()!;
      if (action.kind !== 'respond') {
        reply(action, false, `This proposal is ${state.status}.`);
        continue;
      }
      const r = action.input;
      if (expired()) {
        reply(action, false, 'This proposal has expired.');
        continue;
      }
      if (r.action === 'accept') {
        const accepted = await mustStep('accept: reserve the answer’s cards', (a) => a.cardTradeAccept({ proposalId, userId: r.userId, version: state.version }));
        if (!accepted.ok) {
          reply(action, false, accepted.reason);
          continue;
        }
        state.status = 'accepted';
        state.turnUserId = null;
        show();
        reply(action, true, 'You accepted the trade: ship your cards, then confirm receipt when the other side’s arrive.');
        await notifyBoth('accepted', 'accepted');
      } else if (r.action === 'counter') {
        const version = state.version + 1;
        const countered = await mustStep('counter: new terms reserved', (a) =>
          a.cardTradeCounter({ proposalId, userId: r.userId, version, terms: r.terms, expiresAt: expiresAtFromNow() }),
        );
        if (!countered.ok) {
          reply(action, false, countered.reason);
          continue;
        }
        apply(countered.view);
        show();
        reply(action, true, `Your counter (version ${version}) was sent to <@${other(r.userId)}>; your offered cards are reserved.`);
        await notify(other(r.userId), 'countered', `v${version}:countered`);
      } else {
        const declined = r.action === 'decline';
        await endWith(declined ? 'declined' : 'cancelled', declined ? `Declined by <@${r.userId}>.` : `Cancelled by <@${r.userId}>.`, r.userId);
        reply(action, true, declined ? 'You declined the trade; reserved cards are free again.' : 'You cancelled the proposal; your reserved cards are free again.');
        await notify(other(r.userId), declined ? 'declined' : 'cancelled', state.status);
      }
    }
    if (state.status !== 'accepted') return finish();

    // ─── Cash: held in escrow before anyone ships ───────────────────────────────────────────────────
    if (cash.cents > 0 && cash.payerId) {
      const payerId = cash.payerId;
      refund = async (reason: string) => {
        await mustStep('refund the cash', (a) => (a as unknown as CardEscrowActivities).cardsEscrowRefund({ proposalId, reason }));
        state.escrow = 'refunded';
      };
      state.escrow = 'opening';
      try {
        const payment = await escrow.cardsEscrowOpen({ proposalId, guildId: input.guildId, payerId, payeeId: other(payerId), amountCents: cash.cents, currency: 'usd' });
        state.payUrl = payment.payUrl;
        state.escrow = 'pending';
      } catch (err) {
        if (isCancellation(err)) throw err;
        await endWith('cancelled', `The payment could not be set up: ${failureOf(err).message}`);
        await notifyBoth('cancelled', 'cancelled');
        return finish();
      }
      const payBy = nowMs() + input.expirySeconds * 1000;
      const checkMs = Math.max(1, input.escrowCheckSeconds ?? DEFAULT_ESCROW_CHECK_SECONDS) * 1000;
      while (state.escrow === 'pending') {
        // A webhook's signal only wakes the flow; the money counts when OUR check says it is held.
        await condition(() => escrowWoken, Math.max(1, Math.min(checkMs, payBy - nowMs())));
        escrowWoken = false;
        let status: string;
        try {
          status = (await escrow.cardsEscrowCheck({ proposalId })).status;
        } catch (err) {
          if (isCancellation(err)) throw err;
          log.warn('escrow check failed; checking again later', { failure: failureOf(err) });
          status = 'pending';
        }
        if (status === 'held') {
          state.escrow = 'held';
        } else if (status !== 'pending' || nowMs() >= payBy) {
          const ended = status === 'pending' ? 'expired' : 'cancelled';
          await endWith(ended, ended === 'expired' ? 'The cash was not paid in time.' : `The payment ${status}.`);
          await notifyBoth(ended, ended);
          return finish();
        }
      }
      show();
    }

    // ─── Accepted: receipts, disputes, the receipts' deadline ─────────────────────────────────────────
    const confirmBy = patched('card-trade-confirm-deadline') && input.confirmSeconds ? nowMs() + input.confirmSeconds * 1000 : null;
    let overdueTold = false;
    while (state.status === 'accepted' || state.status === 'disputed') {
      if (state.status === 'accepted' && state.received.proposer && state.received.recipient) {
        await complete();
        break;
      }
      if (confirmBy !== null && !overdueTold && state.status === 'accepted') {
        if (!(await condition(() => queue.length > 0, Math.max(1, confirmBy - nowMs())))) {
          overdueTold = true;
          await overdue();
          continue;
        }
      } else {
        await condition(() => queue.length > 0);
      }
      const action = queue.shift()!;
      if (action.kind === 'confirm') {
        if (state.status !== 'accepted') {
          reply(action, false, `This trade is ${state.status}.`);
          continue;
        }
        state.received = await mustStep('record the receipt', (a) => a.cardTradeConfirm({ proposalId, userId: action.userId }));
        reply(action, true, state.received.proposer && state.received.recipient ? 'Both sides confirmed: the trade completes.' : 'Receipt confirmed; waiting for the other side.');
      } else if (action.kind === 'dispute') {
        await dbStep('open the dispute', (a) => a.cardTradeDispute({ proposalId, userId: action.userId, reason: action.reason }));
        state.status = 'disputed';
        state.dispute = { openedBy: action.userId, reason: action.reason.trim() };
        show();
        reply(action, true, 'The trade is disputed: a moderator will look at it. Nothing completes meanwhile.');
        await notifyBoth('dispute', 'dispute');
        await tell('tell the moderators', () =>
          quick.discordPostAdminLog({
            guildId: input.guildId,
            message: { embeds: [{ title: '⚖️ Card trade disputed', description: `${what()}\n<@${action.userId}>: ${action.reason.trim()}\nResolve it with the API: \`POST /api/guilds/${input.guildId}/card-trades/${proposalId}/resolve\`.`, color: 0xe67e22, footer: { text: `Guildflow · ${workflowId}` } }], allowed_mentions: { parse: [] } },
          }),
        );
      } else if (action.kind === 'resolve') {
        const res = action.input;
        await mustStep('record the resolution', (a) => a.cardTradeResolve({ proposalId, moderatorId: res.moderatorId, outcome: res.outcome, loserId: res.loserId, note: res.note?.trim() || null }));
        state.dispute = null;
        if (res.outcome === 'complete') {
          state.status = 'accepted';
          reply(action, true, 'The trade stands: the cards move now.');
          await notifyBoth('resolved', 'resolved');
          await complete();
        } else {
          await endWith('cancelled', `A moderator (<@${res.moderatorId}>) cancelled the trade after a dispute.`, res.moderatorId);
          reply(action, true, 'The trade is cancelled: reserved cards are free again and any cash is refunded.');
          await notifyBoth('resolved', 'resolved');
        }
      } else {
        reply(action, false, `This trade is ${state.status}: it takes no more answers.`);
      }
    }
    return finish();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled from Temporal (an admin gave up on a stuck step): nothing stays reserved or paid.
    await CancellationScope.nonCancellable(async () => {
      if (state.status === 'proposed' || state.status === 'accepted' || state.status === 'disputed') {
        await endWith('cancelled', failureOf(err, CANCELLED).message);
        await notifyBoth('cancelled', 'cancelled');
      }
    });
    throw err;
  }

  /** Receipts past the deadline: both reminded, the moderators told; the trade waits on (nothing cancelled). */
  async function overdue(): Promise<void> {
    await notifyBoth('overdue', 'overdue');
    const missing = parties.filter((p) => !(p === input.proposerId ? state.received.proposer : state.received.recipient)).map((p) => `<@${p}>`);
    await tell('tell the moderators', () =>
      quick.discordPostAdminLog({
        guildId: input.guildId,
        message: {
          embeds: [
            {
              title: '⏰ Card trade overdue',
              description: `${what()}\nAccepted, but ${missing.join(' and ')} did not confirm receipt in time. Both were reminded; nothing was cancelled (cards may be in the post). A party can dispute it; a moderator can resolve a dispute: \`POST /api/guilds/${input.guildId}/card-trades/${proposalId}/resolve\`.`,
              color: 0xe67e22,
              footer: { text: `Guildflow · ${workflowId}` },
            },
          ],
          allowed_mentions: { parse: [] },
        },
      }),
    );
  }

  async function complete(): Promise<void> {
    await mustStep('move the cards', (a) => a.cardTradeComplete({ proposalId }));
    if (state.escrow === 'held') {
      refund = null;
      await mustStep('release the cash', (a) => (a as unknown as CardEscrowActivities).cardsEscrowRelease({ proposalId }));
      state.escrow = 'released';
    }
    state.status = 'completed';
    show();
    await notifyBoth('completed', 'completed');
  }

  async function finish(): Promise<CardTradeState> {
    // Answers still queued when the trade ended are refused with its end.
    for (const action of queue.splice(0)) reply(action, false, `This trade is ${state.status}.`);
    // A message posted as the trade ended is still relayed before the flow closes.
    if (patched('card-trade-message-relay')) await condition(allHandlersFinished);
    return { ...state, received: { ...state.received } };
  }
}
