import { CancellationScope, isCancellation, log, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { LEDGER_FAILURES } from '../lib/flows/ledger';
import { PURCHASE_CANCELLED, purchaseFlow, purchaseStatusQuery, SHOP_FAILURES, SHOP_REFUSALS, type PurchaseInput, type PurchaseState, type PurchaseStep } from '../lib/flows/shop';
import { activityProfiles } from './activity-options';
import { failureOf, progress, tagFlow, tell } from './common';
import { flowSteps } from './persistent-steps';

/**
 * A shop purchase, workflow id `purchase:{purchaseId}` (lib/flows/shop.ts):
 *
 *   create the pending purchase (checks) → hold the price (user → sink) → take stock → give the role →
 *   add to the inventory → post the hold → completed → tell the member → [timed role: sleep for the
 *   item's duration, remove the role, role_expired, tell the member]
 *
 * It waits only for the timed role's end. A saga: each step pushes its compensation before it runs, and
 * each compensation copes with its step never having happened; when a later step fails for good (the
 * role cannot be given: missing permission, role above the bot's, unknown role; out of stock) the
 * compensations run in reverse — role removed, inventory taken back, stock returned, hold released — and
 * the purchase is `failed` with the reason, told to the member and, for anything but the member's own
 * refusals, to the admin log. Nothing is lost: no money moves until the hold is posted, the last step.
 * The database steps and the compensations never give up on a transient failure (persistent-steps.ts):
 * a long outage leaves the purchase stuck, visibly, not half-done.
 *
 * Durations come from the item (roleDurationSeconds), so tests use seconds. The timer is Temporal's:
 * it survives worker restarts and deploys.
 */

/** patched() ids of changes made after histories were recorded (see test/histories/README.md). */
const KEEP_PREEXISTING_ROLE = 'keep-preexisting-role';
const TIMED_ROLE_SHARED_BY_PURCHASES = 'timed-role-shared-by-purchases';
const FEWER_ROUND_TRIPS = 'purchase-fewer-round-trips';

/** Refusals the member caused (no admin needs to hear of them). */
const MEMBER_REFUSALS: readonly string[] = [
  LEDGER_FAILURES.insufficientFunds,
  SHOP_FAILURES.outOfStock,
  SHOP_FAILURES.perUserLimit,
  SHOP_FAILURES.requiredRole,
  SHOP_FAILURES.itemNotFound,
  SHOP_FAILURES.itemUnavailable,
  SHOP_FAILURES.priceChanged,
];

const profiles = activityProfiles(SHOP_REFUSALS);

/** Database steps: retried through short outages. */
const db = proxyActivities<Activities>(profiles.db);
/** Discord calls: a few retries for 5xx/429, then the step counts as failed (and is compensated). */
const discord = proxyActivities<Activities>(profiles.discord);
/** Compensations and the end of a timed role must happen: retried until they do (refusals excepted). */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);

export async function purchase(input: PurchaseInput): Promise<PurchaseState> {
  const workflowId = workflowInfo().workflowId;
  tagFlow(purchaseFlow.kind, input.guildId, input.userId);
  const state: PurchaseState = { purchaseId: input.purchaseId, status: 'pending', step: 'checking', failureReason: null, roleExpiresAt: null };
  setHandler(purchaseStatusQuery, () => ({ ...state }));
  const { purchaseId } = input;
  let what = `${input.quantity} × item #${input.itemId} for <@${input.userId}>`;
  /** Moves to a step; the Temporal UI shows it as the flow's current details (no history event). */
  const at = (step: PurchaseStep) => progress(state, step, what, state.failureReason);
  at('checking');

  const { neverGiveUp: steady, dbStep, mustStep } = flowSteps({ guildId: input.guildId, describe: () => `Purchase: ${what}`, refusals: SHOP_REFUSALS, patience: input.patience }, { db, mustHappen });

  const { reply: _reply, patience: _patience, ...request } = input;
  const created = await dbStep('create the purchase', (a) => a.shopCreatePurchase({ ...request, expectedUnitPrice: input.expectedUnitPrice ?? null }));
  if (!created.ok) {
    // Nothing was taken: say why (the refusal is recorded on the purchase when the item exists).
    state.status = 'failed';
    state.failureReason = created.reason;
    at('done');
    await notifyMember(input, 'failed', undefined, { userId: input.userId, reason: created.reason });
    return { ...state };
  }
  const p = created.purchase;
  what = `${p.quantity} × ${p.itemName} (item #${p.itemId}) for ${p.total} ${p.assetCode}, bought by <@${p.userId}>`;

  const holdKey = `${workflowId}:hold`;
  const inventoryKey = `${workflowId}:inventory`;
  const compensations: { name: string; run: () => Promise<unknown> }[] = [];
  const releaseHold = () =>
    mustStep('release the hold', (a) =>
      a.ledgerUndoHold({ key: holdKey, reason: `Shop: purchase ${purchaseId} failed`, actor: { type: 'system', id: 'purchase' } }),
    );
  let hadRoleBefore = false;
  const paid = BigInt(p.total) > 0n;
  const restock = { name: 'restock', run: () => mustStep('restock', (a) => a.shopRestock({ purchaseId })) };
  /** The hold, then the stock: two steps (executions from before `purchase-fewer-round-trips`). */
  const holdThenTakeStock = async (): Promise<void> => {
    if (paid) {
      at('holding_funds');
      // Pushed first: the undo copes with a hold that never came (and refuses it later), a pending one
      // (voided) and a posted one (a reversal entry).
      if (steady) compensations.unshift({ name: 'release the hold', run: () => releaseHold() });
      await dbStep('hold the price', (a) => a.ledgerHold({
        guildId: p.guildId,
        key: holdKey,
        type: 'purchase',
        actor: { type: 'user', id: p.userId },
        reason: `Shop: ${p.quantity} × ${p.itemName}`,
        refs: { purchaseId, itemId: p.itemId },
        asset: p.assetCode,
        from: { ownerType: 'user', ownerId: p.userId },
        to: { ownerType: 'system', ownerId: 'sink' },
        amount: p.total,
      }));
      if (!steady) compensations.unshift({ name: 'void hold', run: () => mustHappen.ledgerVoidHold({ key: holdKey }) });
    }

    at('taking_stock');
    if (steady) compensations.unshift(restock);
    await dbStep('take the stock', (a) => a.shopTakeStock({ purchaseId }));
    if (!steady) compensations.unshift(restock);
  };
  try {
    // Since this change, the hold and the stock are one step, and so are the inventory and the charge:
    // two round trips fewer. The compensations are pushed before it, as they were before each part.
    const fewerSteps = steady && patched(FEWER_ROUND_TRIPS);
    if (fewerSteps) {
      at(paid ? 'holding_funds' : 'taking_stock');
      if (paid) compensations.unshift({ name: 'release the hold', run: () => releaseHold() });
      compensations.unshift(restock);
      await dbStep('hold the price and take the stock', (a) => a.shopHoldAndTakeStock({ purchaseId, holdKey, workflowId }));
    } else await holdThenTakeStock();

    if (p.roleId) {
      at('granting_role');
      const role = { guildId: p.guildId, userId: p.userId, roleId: p.roleId };
      // v2: a role the member already had (an admin gave it) is neither taken back by a failed purchase
      // nor removed when the purchase's time ends. Histories recorded before this change replay the old
      // path (test/histories/purchase-*.json without -v2).
      if (patched(KEEP_PREEXISTING_ROLE)) hadRoleBefore = await discord.discordMemberHasRole(role);
      // A role that is on through another of our purchases is not the member's own: this purchase shares
      // it, so its end removes it once no purchase holds it any more. (Before this change the role was
      // taken for the member's own, and a timed role bought again while on was never removed.)
      let sharedWithPurchase = false;
      if (hadRoleBefore && patched(TIMED_ROLE_SHARED_BY_PURCHASES)) {
        sharedWithPurchase = await mustStep('check the role elsewhere', (a) => a.shopRoleStillGrantedElsewhere({ purchaseId }));
        hadRoleBefore = !sharedWithPurchase;
      }
      await discord.discordAddRole({ ...role, reason: `Guildflow shop: ${p.quantity} × ${p.itemName} (purchase ${purchaseId})` });
      // A failure takes back only a role this purchase brought; a shared one stays with the other purchase.
      if (!hadRoleBefore && !sharedWithPurchase) {
        compensations.unshift({ name: 'remove role', run: () => mustStep('remove the role', (a) => a.discordRemoveRole({ ...role, reason: `Guildflow shop: purchase ${purchaseId} failed` })) });
      }
      state.roleExpiresAt = (await dbStep('record the role', (a) => a.shopMarkRoleGranted({ purchaseId }))).roleExpiresAt;
    }

    at('adding_to_inventory');
    compensations.unshift({
      name: 'take back from inventory',
      run: () => mustStep('take back from the inventory', (a) => a.shopRemoveFromInventory({ purchaseId, addKey: inventoryKey, key: `${workflowId}:inventory:revert`, type: 'purchase_revert' })),
    });
    if (fewerSteps) {
      await dbStep('add to the inventory and charge', (a) => a.shopAddToInventoryAndCharge({ purchaseId, key: inventoryKey, holdKey: paid ? holdKey : null }));
    } else {
      await dbStep('add to the inventory', (a) => a.shopAddToInventory({ purchaseId, key: inventoryKey }));
      if (paid) {
        at('charging');
        await dbStep('charge', (a) => a.ledgerPostHold({ key: holdKey }));
      }
    }
  } catch (err) {
    const failure = failureOf(err, PURCHASE_CANCELLED);
    log.warn('purchase failed; compensating', { purchaseId, failure, compensations: compensations.map((c) => c.name) });
    at('compensating');
    // Compensations run even when the workflow is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      const problems: string[] = [];
      for (const c of compensations) {
        try {
          await c.run();
        } catch (cerr) {
          // Only a refusal ends up here (the rest is retried until it works): the admins hear of it.
          problems.push(`${c.name}: ${failureOf(cerr).message}`);
        }
      }
      const { reason } = await mustStep('record the failure', (a) => a.shopFailPurchase({ purchaseId, failure }));
      state.status = 'failed';
      state.failureReason = reason;
      state.roleExpiresAt = null;
      await notifyMember(input, 'failed');
      if (!MEMBER_REFUSALS.includes(failure.type) || problems.length) {
        await notifyAdmins(purchaseId, 'failed', [failure.message, ...problems.map((x) => `Could not ${x}`)].join('\n'));
      }
    });
    at('done');
    if (isCancellation(err)) throw err;
    return { ...state };
  }

  // The money has moved: completing the record must happen, however long the database is away (and,
  // as every mustStep, a cancellation cannot stop it).
  await mustStep('complete the purchase', (a) => a.shopCompletePurchase({ purchaseId }));
  state.status = 'completed';
  await notifyMember(input, 'completed');

  if (p.roleId && p.roleDurationSeconds) {
    at('role_active');
    await sleep(p.roleDurationSeconds * 1000);
    at('removing_role');
    let removed = false;
    if (!hadRoleBefore && !(await mustStep('check the role elsewhere', (a) => a.shopRoleStillGrantedElsewhere({ purchaseId })))) {
      try {
        const role = { guildId: p.guildId, userId: p.userId, roleId: p.roleId, reason: `Guildflow shop: ${p.itemName} ended (purchase ${purchaseId})` };
        removed = (await mustStep('remove the role', (a) => a.discordRemoveRole(role))).removed;
      } catch (err) {
        // The bot lost the right to manage the role: the admins remove it by hand.
        await notifyAdmins(purchaseId, 'role_not_removed', failureOf(err).message);
      }
    }
    await mustStep('take back from the inventory', (a) => a.shopRemoveFromInventory({ purchaseId, addKey: inventoryKey, key: `${workflowId}:inventory:expired`, type: 'role_expired' }));
    await mustStep('record the role’s end', (a) => a.shopMarkRoleExpired({ purchaseId, removed }));
    state.status = 'role_expired';
    // Hours later the confirm message's token has expired: the member is told by DM.
    await notifyMember({ ...input, reply: null }, 'role_expired', removed);
  }
  at('done');
  return { ...state };
}

/** Edits the confirm message (or DMs) with the outcome; never fails the purchase. */
function notifyMember(
  input: Pick<PurchaseInput, 'purchaseId' | 'reply'>,
  event: 'completed' | 'failed' | 'role_expired',
  roleRemoved?: boolean,
  refused?: { userId: string; reason: string },
): Promise<void> {
  return tell(`tell the member (${event})`, () => discord.shopNotifyMember({ purchaseId: input.purchaseId, event, reply: input.reply ?? null, roleRemoved, refused }));
}

function notifyAdmins(purchaseId: string, event: 'failed' | 'role_not_removed', detail: string): Promise<void> {
  return tell(`tell the admins (${event})`, () => discord.shopNotifyAdmins({ purchaseId, event, detail }));
}
