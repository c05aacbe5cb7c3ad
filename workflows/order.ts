import { CancellationScope, condition, isCancellation, log, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { OrderView } from '../activities/orders';
import type { InteractionReply } from '../lib/flows/flow';
import { fundsAddedSignal, orderAdminSignal, ORDER_FAILURES, ORDER_REFUSALS, orderFlow, orderHoldKey, orderStatusQuery, type AdminAction, type OrderInput, type OrderState, type OrderStep } from '../lib/flows/orders';
import { LEDGER_FAILURES } from '../lib/flows/ledger';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, progress, tagFlow, tell } from './common';
import { flowSteps } from './persistent-steps';

/**
 * A code order, workflow id `order:{orderId}`:
 *
 *   order row → hold the price (member → sink; balance short: the member is told, and the hold is tried
 *   again on a `fundsAdded` signal and every `fundsRetrySeconds` until `topupWaitSeconds`) → reserve the
 *   package's codes (all or nothing, FOR UPDATE SKIP LOCKED) → deliver (DM, .txt for many; DMs closed →
 *   ephemeral follow-up; retried with backoff until `deliveryTimeoutSeconds`) → post the hold → completed,
 *   receipt.
 *
 * Compensations: out of stock → release the hold, the member is told. Delivery impossible for the whole
 * timeout → `needs_admin`: the codes stay with the order, the funds stay held, and an admin decides
 * (signal `adminAction`: retry | complete | refund). Codes are marked shown before any delivery attempt,
 * so a code that may have been shown is never sold again; a refund releases only codes never shown.
 * The database steps and the compensations never give up on a transient failure (persistent-steps.ts);
 * an order refused at creation is told to the member.
 */

/** patched() id: the low-stock check beside the delivery, the charge and the completion as one step. */
const FEWER_ROUND_TRIPS = 'order-fewer-round-trips';
const profiles = activityProfiles(ORDER_REFUSALS);
/** What a cancelled order says went wrong (its row's failure reason). */
const CANCELLED = { type: ORDER_FAILURES.cancelled, message: 'The order was cancelled.' };
const db = proxyActivities<Activities>(profiles.db);
/** One delivery attempt: a few quick retries (5xx, 429); the workflow's own loop retries for hours. */
const deliver = proxyActivities<Activities>(profiles.quick);
const discord = proxyActivities<Activities>(profiles.discord);
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);

export async function order(input: OrderInput): Promise<OrderState> {
  tagFlow(orderFlow.kind, input.guildId, input.userId);
  const state: OrderState = { orderId: input.orderId, status: 'pending', step: 'checking', failureReason: null, deliveredVia: null, deliveryAttempts: 0 };
  setHandler(orderStatusQuery, () => ({ ...state }));
  let fundsAdded = false;
  setHandler(fundsAddedSignal, () => {
    fundsAdded = true;
  });
  const adminActions: AdminAction[] = [];
  setHandler(orderAdminSignal, (a) => {
    if (state.status === 'needs_admin') adminActions.push(a);
    else log.info('admin action ignored: the order does not need an admin', { action: a.action, status: state.status });
  });
  let what = `order ${input.orderId} by <@${input.userId}>`;
  const at = (step: OrderStep) => progress(state, step, what, state.failureReason);
  at('checking');
  const { orderId } = input;
  const reply = input.reply ?? null;
  const holdKey = orderHoldKey(orderId);
  let fewerRoundTrips = false;
  const { neverGiveUp: steady, dbStep, mustStep } = flowSteps({ guildId: input.guildId, describe: () => `Code order: ${what}`, refusals: ORDER_REFUSALS, patience: input.patience }, { db, mustHappen });

  const created = await dbStep('create the order', (a) => a.ordersCreate({
    orderId,
    requestKey: input.requestKey,
    guildId: input.guildId,
    userId: input.userId,
    packageId: input.packageId,
    expectedPrice: input.expectedPrice ?? null,
  }));
  if (!created.ok) {
    state.status = 'failed';
    state.failureReason = created.reason;
    at('done');
    if (steady) await tell('tell the member', () => discord.ordersNotifyRefused({ orderId, userId: input.userId, reason: created.reason, reply }));
    return { ...state };
  }
  const o: OrderView = created.order;
  what = `${o.quantity} codes for ${o.price} ${o.assetCode}, ordered by <@${o.userId}>`;

  /** Ends the order as failed: compensations already ran; the member is told. */
  const fail = async (reason: string): Promise<OrderState> => {
    state.status = 'failed';
    state.failureReason = reason;
    at('done');
    await mustStep('record the failure', (a) => a.ordersSetStatus({ orderId, status: 'failed', failureReason: reason }));
    await tell('tell the member', () => discord.ordersNotifyMember({ orderId, event: 'failed', reply }));
    return { ...state };
  };

  // ---- hold the funds (waiting for a top-up when short) --------------------------------------------
  const paid = BigInt(o.price) > 0n;
  /** Holds the price; `fail`s the order (returned) when the balance stays short. */
  const holdFunds = async (): Promise<OrderState | null> => {
    if (!paid) return null;
    at('holding_funds');
    const deadline = nowMs() + input.topupWaitSeconds * 1000;
    let told = false;
    for (;;) {
      fundsAdded = false; // a signal from now on (even during the attempt) triggers the next one
      try {
        await dbStep('hold the price', (a) => a.ledgerHold({
          guildId: o.guildId,
          key: holdKey,
          type: 'purchase',
          actor: { type: 'user', id: o.userId },
          reason: `Code order: ${o.quantity} codes`,
          refs: { orderId },
          asset: o.assetCode,
          from: { ownerType: 'user', ownerId: o.userId },
          to: { ownerType: 'system', ownerId: 'sink' },
          amount: o.price,
        }));
        break;
      } catch (err) {
        if (failureOf(err).type !== LEDGER_FAILURES.insufficientFunds) throw err;
        if (!told) {
          told = true;
          state.status = 'awaiting_funds';
          at('awaiting_funds');
          await dbStep('record the wait for funds', (a) => a.ordersSetStatus({ orderId, status: 'awaiting_funds' }));
          await tell('tell the member', () => discord.ordersNotifyMember({ orderId, event: 'awaiting_funds', reply, waitSeconds: input.topupWaitSeconds }));
        }
        const left = deadline - nowMs();
        if (left <= 0) return fail(`Your balance was not enough for ${o.quantity} codes within ${Math.round(input.topupWaitSeconds / 60)} minutes, so the order was cancelled.`);
        await condition(() => fundsAdded, Math.max(1, Math.min(left, input.fundsRetrySeconds * 1000)));
      }
    }
    if (told) {
      state.status = 'pending';
      await dbStep('record the funds held', (a) => a.ordersSetStatus({ orderId, status: 'pending' }));
    }
    return null;
  };
  if (!steady) {
    const failed = await holdFunds();
    if (failed) return failed;
  }
  const releaseHold = async () => {
    if (!paid) return;
    // The release copes with every outcome of the hold: never placed (refused later), pending, posted.
    if (steady) {
      await mustStep('release the hold', (a) =>
        a.ledgerUndoHold({ key: holdKey, reason: `Code order ${orderId} failed`, actor: { type: 'system', id: 'order' } }),
      );
    } else await mustHappen.ledgerVoidHold({ key: holdKey });
  };

  try {
    if (steady) {
      const failed = await holdFunds();
      if (failed) return failed;
    }
    // ---- reserve the codes -------------------------------------------------------------------------
    at('reserving');
    try {
      await dbStep('reserve the codes', (a) => a.ordersReserveCodes({ orderId }));
    } catch (err) {
      if (failureOf(err).type !== ORDER_FAILURES.outOfStock) throw err;
      at('compensating');
      await CancellationScope.nonCancellable(releaseHold);
      await tell('check the stock', () => discord.ordersCheckLowStock({ guildId: o.guildId }));
      return await fail(`Sorry, there are not enough codes in stock for ${o.quantity} right now. An admin will restock soon.`);
    }
    // Since this change, the low-stock check (an admin notice) runs beside the delivery instead of before
    // it, and the charge and the completion are one step: two round trips fewer before the member has
    // the codes and the order is done.
    fewerRoundTrips = patched(FEWER_ROUND_TRIPS);
    const stockChecked = tell('check the stock', () => discord.ordersCheckLowStock({ guildId: o.guildId }));
    if (!fewerRoundTrips) await stockChecked;

    // ---- deliver, retried; then an admin decides --------------------------------------------------
    let delivered = await deliverWithRetries(input, state, at, reply);
    await stockChecked;
    while (!delivered) {
      state.status = 'needs_admin';
      at('needs_admin');
      await mustStep('record that an admin is needed', (a) => a.ordersSetStatus({ orderId, status: 'needs_admin', failureReason: state.failureReason }));
      await tell('tell the admins', () => discord.ordersNotifyAdmins({ orderId, detail: `the codes could not be delivered for ${Math.round(input.deliveryTimeoutSeconds / 60)} minutes (${state.failureReason ?? 'unknown'}).` }));
      await condition(() => adminActions.length > 0);
      const action = adminActions.shift() as AdminAction;
      log.info('admin action', { orderId, action: action.action, by: action.by });
      if (action.action === 'refund') {
        at('compensating');
        await CancellationScope.nonCancellable(async () => {
          await releaseHold();
          await mustStep('release the codes', (a) => a.ordersReleaseCodes({ orderId }));
        });
        state.status = 'refunded';
        state.failureReason = `Refunded by an admin (${action.by}).`;
        at('done');
        await mustStep('record the refund', (a) => a.ordersSetStatus({ orderId, status: 'refunded', failureReason: state.failureReason }));
        await tell('tell the member', () => discord.ordersNotifyMember({ orderId, event: 'refunded', reply: null }));
        return { ...state };
      }
      state.status = 'pending';
      await mustStep('record the admin’s decision', (a) => a.ordersSetStatus({ orderId, status: 'pending', failureReason: null }));
      if (action.action === 'complete') {
        // The admin handed the codes over another way.
        state.deliveredVia = state.deliveredVia ?? 'admin';
        delivered = true;
      } else {
        delivered = await deliverWithRetries(input, state, at, reply);
      }
    }
  } catch (err) {
    // Anything unexpected (cancellation included): release what was taken, nothing is charged.
    if (state.status === 'failed') throw err;
    at('compensating');
    await CancellationScope.nonCancellable(async () => {
      await releaseHold();
      await mustStep('release the codes', (a) => a.ordersReleaseCodes({ orderId }));
      await mustStep('record the failure', (a) => a.ordersSetStatus({ orderId, status: 'failed', failureReason: failureOf(err, CANCELLED).message }));
    });
    state.status = 'failed';
    state.failureReason = failureOf(err, CANCELLED).message;
    at('done');
    if (isCancellation(err)) throw err;
    return { ...state };
  }

  // ---- charge and complete ------------------------------------------------------------------------
  at('charging');
  if (fewerRoundTrips) {
    state.status = 'completed';
    await mustStep('charge and complete the order', (a) => a.ordersComplete({ orderId, holdKey: paid ? holdKey : null }));
  } else {
    if (paid) await mustStep('charge', (a) => a.ledgerPostHold({ key: holdKey }));
    state.status = 'completed';
    await mustStep('complete the order', (a) => a.ordersSetStatus({ orderId, status: 'completed', failureReason: null }));
  }
  at('done');
  await tell('tell the member', () => discord.ordersNotifyMember({ orderId, event: 'completed', reply }));
  return { ...state };
}

/** Delivery attempts with doubling waits until the timeout; true once delivered. */
async function deliverWithRetries(input: OrderInput, state: OrderState, at: (s: OrderStep) => void, reply: InteractionReply | null): Promise<boolean> {
  at('delivering');
  const deadline = nowMs() + input.deliveryTimeoutSeconds * 1000;
  let wait = Math.max(1, input.deliveryRetrySeconds) * 1000;
  for (;;) {
    state.deliveryAttempts += 1;
    try {
      state.deliveredVia = (await deliver.ordersDeliver({ orderId: input.orderId, reply })).via;
      state.failureReason = null;
      return true;
    } catch (err) {
      state.failureReason = failureOf(err, CANCELLED).message;
      log.warn('delivery failed; retrying', { orderId: input.orderId, attempt: state.deliveryAttempts, failure: failureOf(err, CANCELLED) });
    }
    const left = deadline - nowMs();
    if (left <= 0) return false;
    await sleep(Math.min(wait, left));
    wait = Math.min(wait * 2, 600_000);
  }
}
