import { condition, getExternalWorkflowHandle, log, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { fundsAddedSignal, orderFlow } from '../lib/flows/orders';
import { PAYMENT_REFUSALS, paymentUpdateSignal, statusRank, topupFlow, topupStatusQuery, type PaymentUpdate, type TopupInput, type TopupState } from '../lib/flows/payments';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, progress, tagFlow, tell } from './common';
import { flowSteps } from './persistent-steps';

/**
 * A top-up, workflow id `topup:{paymentId}`:
 *
 *   payment row → gateway charge (QRIS) → the QR shown to the member (ephemeral, with amount and expiry)
 *   → wait for the gateway: its webhook (signal `paymentUpdate`) or our own status polling every
 *   `pollSeconds` (the reconciler: a dropped notification never loses a payment) → paid: credit the
 *   ledger once (from the guild's 'gateway' account, key `topup:{id}:credit`) and DM a receipt. A poll
 *   that finds the payment paid credits it in the same local activity; when it could not (the database
 *   away, an amount that does not match), the credit step below does it or fails the payment.
 *
 * Only the gateway's own status API says a payment is paid: a signal (the webhook, or anyone with access to
 * Temporal) only wakes the flow, which then asks the gateway; the credit activity asks it once more and
 * credits our row's amount only when the gateway's gross amount is that amount.
 *
 * At `expirySeconds` the member is told the code expired; a payment that still arrives within
 * `lateSettlementSeconds` after that is credited all the same (the gateway's charge is valid that long).
 * At the end of that window the charge is cancelled at the gateway, so nothing can be paid afterwards;
 * a cancel that finds it paid credits it. Denied or cancelled → the member is told; nothing moves.
 *
 * Statuses only move forward: a duplicate or a stale ('pending' after 'settlement') update is ignored.
 * Every duration comes from the input (guild settings / config), so tests use seconds.
 *
 * The payment row's steps, the credit and the ending (fail, expire, cancel at the gateway) never give up
 * on a transient failure (persistentSteps, `patience` from the input): past `stuckAfterSeconds` the flow
 * is marked stuck and the admins told, and it goes on until the step goes through. A cancellation does
 * not stop the credit or the ending. Compensations: none — nothing moves before the credit.
 */

const profiles = activityProfiles(PAYMENT_REFUSALS);

/** Database and gateway steps: retried through short outages. */
const db = proxyActivities<Activities>(profiles.db);
/** A status poll is best effort: the next one comes soon, and a webhook may come first. */
const poller = proxyActivities<Activities>(profiles.quick);
/**
 * The poll that also credits what it finds paid, inside the workflow task that asked (a notification's
 * wake-up or the poll timer): no activity task round trip between the gateway's answer and the credit.
 */
const localPoller = proxyLocalActivities<Activities>(profiles.quick);
const discord = proxyActivities<Activities>(profiles.discord);
/** The credit and the end of the charge must happen, however long the database or gateway is away. */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);

/** How much longer than our late window the gateway's charge lives (our cancel ends it). */
const GATEWAY_MARGIN_SECONDS = 60;

const isFinal = (u: PaymentUpdate | null): u is PaymentUpdate => u !== null && u.status !== 'pending';

/** patched() ids of changes made after histories were recorded (see test/histories/README.md). */
const SIGNAL_ONLY_WAKES = 'topup-signal-only-wakes';
const CHECKED_AND_CREDITED = 'topup-checked-and-credited-in-one-local-step';

export async function topup(input: TopupInput): Promise<TopupState> {
  tagFlow(topupFlow.kind, input.guildId, input.userId);
  const state: TopupState = {
    paymentId: input.paymentId,
    status: 'created',
    step: 'charging',
    providerStatus: null,
    credited: false,
    expiresAt: null,
    failureReason: null,
    notifications: 0,
    polls: 0,
  };
  const what = `Rp ${input.amount} top-up for <@${input.userId}>`;
  const at = (step: TopupState['step']) => progress(state, step, what, state.failureReason);
  setHandler(topupStatusQuery, () => ({ ...state }));
  // Histories from before the change took the signal's word (the credit activity still checks the gateway).
  const signalOnlyWakes = patched(SIGNAL_ONLY_WAKES);
  // Histories from before the change polled with an activity and credited in a step of its own.
  const checkedAndCredited = patched(CHECKED_AND_CREDITED);

  let latest: PaymentUpdate | null = null;
  /** Keeps the furthest status: duplicates and regressions change nothing. */
  const accept = (u: PaymentUpdate) => {
    if (latest === null || statusRank(u.status) > statusRank(latest.status)) {
      latest = u;
      state.providerStatus = u.providerStatus;
    }
  };
  /** A signal arrived: ask the gateway now instead of at the next poll. */
  let woken = false;
  setHandler(paymentUpdateSignal, (u) => {
    state.notifications += 1;
    if (signalOnlyWakes) woken = true;
    else accept(u);
  });
  at('charging');
  const { dbStep, mustStep } = flowSteps({ guildId: input.guildId, describe: () => `Top-up: ${what}`, refusals: PAYMENT_REFUSALS, patience: input.patience }, { db, mustHappen });

  const { paymentId } = input;
  const reply = input.reply ?? null;
  const tellMember = 'tell the member';
  const tellAdmins = 'tell the admins';

  /** Ends the top-up as failed with what went wrong (the payment row says why); the caller tells whom it must. */
  const fail = async (err: unknown): Promise<string> => {
    const { message } = failureOf(err);
    state.status = 'failed';
    state.failureReason = message;
    at('done');
    await mustStep('record the failure', (a) => a.paymentsFail({ paymentId, reason: message }));
    return message;
  };

  await dbStep('record the payment', (a) => a.paymentsCreate({ paymentId, guildId: input.guildId, userId: input.userId, amount: input.amount, requestKey: input.requestKey }));
  try {
    // The gateway keeps the charge payable through the late window (and a minute more, so it is our cancel
    // that ends it, not a race with the gateway's clock); the member is shown the shorter expiry. The charge
    // keeps the `db` profile: nothing was paid yet, so failing it (the member told) beats a QR code that
    // may come minutes late.
    await db.paymentsCharge({ paymentId, expirySeconds: input.expirySeconds + input.lateSettlementSeconds + GATEWAY_MARGIN_SECONDS });
  } catch (err) {
    const reason = await fail(err);
    // A refusal is final; anything else is the gateway away past the retries, and a later /topup may work.
    const refused = PAYMENT_REFUSALS.includes(failureOf(err).type);
    const told = refused ? 'the payment provider refused the charge' : 'the payment provider is not answering right now; try /topup again in a few minutes';
    await tell(tellMember, () => discord.paymentsNotifyMember({ paymentId, event: 'failed', reply, reason: told }));
    await tell(tellAdmins, () => discord.paymentsNotifyAdmins({ paymentId, detail: `The charge could not be created: ${reason}` }));
    return { ...state };
  }
  state.status = 'pending';
  const expiresAt = nowMs() + input.expirySeconds * 1000;
  const lateUntil = expiresAt + input.lateSettlementSeconds * 1000;
  state.expiresAt = new Date(expiresAt).toISOString();
  at('waiting');
  await tell('show the QR code', () => discord.paymentsShowQr({ paymentId, reply, expiresAt: state.expiresAt ?? '' }));

  const pollMs = Math.max(1, input.pollSeconds) * 1000;
  let nextPollAt = nowMs() + pollMs;
  /** The poll found the payment paid and credited it; the credit step is then not needed. */
  let creditedByPoll = false;
  const poll = async () => {
    state.polls += 1;
    try {
      if (checkedAndCredited) {
        const { update, credited } = await localPoller.paymentsCheckAndCredit({ paymentId });
        if (update) accept(update);
        if (credited) creditedByPoll = true;
      } else {
        const u = await poller.paymentsCheckStatus({ paymentId });
        if (u) accept(u);
      }
    } catch (err) {
      log.warn('status poll failed; trying again later', { paymentId, failure: failureOf(err) });
    }
    nextPollAt = nowMs() + pollMs;
  };

  let toldExpired = false;
  for (;;) {
    if (isFinal(latest)) break;
    const now = nowMs();
    if (!toldExpired && now >= expiresAt) {
      await poll(); // a last look before saying it expired
      if (isFinal(latest)) break;
      toldExpired = true;
      state.status = 'expired';
      at('waiting_late');
      await mustStep('record the expiry', (a) => a.paymentsEnd({ paymentId, status: 'expired', providerStatus: null }));
      await tell(tellMember, () => discord.paymentsNotifyMember({ paymentId, event: 'expired', reply }));
      continue;
    }
    if (toldExpired && now >= lateUntil) {
      // The late window is over: the charge is cancelled, so it can no longer be paid. A cancel that finds
      // it paid (or expired by the gateway) says so.
      const u = await mustStep('cancel the charge', (a) => a.paymentsCancel({ paymentId }));
      if (u) accept(u);
      if (!isFinal(latest)) await poll();
      break;
    }
    const deadline = Math.min(nextPollAt, toldExpired ? lateUntil : expiresAt);
    await condition(() => isFinal(latest) || woken, Math.max(1, deadline - now));
    if (!isFinal(latest) && (woken || nowMs() >= nextPollAt)) {
      woken = false;
      await poll();
    }
  }

  const outcome = latest as PaymentUpdate | null;
  if (outcome?.status === 'paid') {
    at('crediting');
    try {
      if (!creditedByPoll) await mustStep('credit the member', (a) => a.paymentsCredit({ paymentId, update: outcome }));
    } catch (err) {
      const reason = await fail(err);
      await tell(tellAdmins, () => discord.paymentsNotifyAdmins({ paymentId, detail: reason }));
      return { ...state };
    }
    state.status = 'settled';
    state.credited = true;
    at('done');
    if (input.notifyOrderId) {
      const orderId = input.notifyOrderId;
      // The order may have ended meanwhile (timed out, cancelled): then there is nobody to tell.
      await tell('wake the order', () => getExternalWorkflowHandle(orderFlow.id(orderId)).signal(fundsAddedSignal));
    }
    await tell(tellMember, () => discord.paymentsNotifyMember({ paymentId, event: 'paid', reply }));
    return { ...state };
  }

  // Not paid: denied, cancelled, the gateway's expiry, or nothing at all by the end of the late window.
  const ended: 'expired' | 'denied' | 'cancelled' =
    outcome?.status === 'denied' || outcome?.status === 'failed' ? 'denied' : outcome?.status === 'cancelled' && !toldExpired ? 'cancelled' : 'expired';
  state.status = ended;
  at('done');
  await mustStep('record the ending', (a) => a.paymentsEnd({ paymentId, status: ended, providerStatus: outcome?.providerStatus ?? null }));
  if (!(ended === 'expired' && toldExpired)) await tell(tellMember, () => discord.paymentsNotifyMember({ paymentId, event: ended, reply }));
  return { ...state };
}
