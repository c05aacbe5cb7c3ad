import { CancellationScope, condition, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  cancelWithdrawalUpdate,
  claimWithdrawalUpdate,
  confirmWithdrawalUpdate,
  TRADE_REFUSALS,
  withdrawFlow,
  withdrawStatusQuery,
  type PetLine,
  type WithdrawInput,
  type WithdrawOutcome,
  type WithdrawState,
} from '../lib/flows/trades';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, showDetails, tagFlow, tell } from './common';
import { flowSteps } from './persistent-steps';

/**
 * A member's withdrawal into the Roblox game, workflow id `withdraw:{id}`:
 *
 *   check (linked account, limits, balance) → hold the gems (user → escrow, ledger hold) → pets to escrow
 *   (+ the withdrawal row the game polls) → wait: the game claims it (it is delivering now), then
 *   confirms what it delivered | the member cancels | the timeout passes → settle: what was delivered is
 *   posted (gems) / leaves escrow (pets), the rest goes back → tell the member.
 *
 * Exactly one outcome: claim, confirm and cancel are updates, handled one at a time, and each is refused
 * (in its validator, so the refusal never reaches history) once an outcome is decided. A game must claim
 * (or confirm) before it gives anything in-game, so a cancel can never race an item the player already
 * has: after a claim only the game's confirmation or an admin's force-release ends the flow. The timeout
 * (input or the guild's trade settings; tests use seconds) applies until the claim.
 * Compensations: pets that cannot be escrowed void the gem hold; every ending releases what was not
 * delivered. Each step is idempotent by the withdrawal id, so a worker restart anywhere resumes safely.
 *
 * Since `money-steps-never-give-up`: the check, the hold, the escrow and every settling step never give up
 * on a transient failure (persistentSteps, `patience` from the input; past `stuckAfterSeconds` the flow is
 * marked stuck and the admins told), and a cancellation does not stop them. The hold's release is
 * registered before the hold, so a hold whose answer was lost is still released. Cancelling the flow
 * settles it as cancelled: before the escrow like a refusal, after it like the member's cancel.
 */
const profiles = activityProfiles(TRADE_REFUSALS);
const db = proxyActivities<Activities>(profiles.db);
/** Settling must happen: retried until the database answers. */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);
const discord = proxyActivities<Activities>(profiles.discord);

/** How a cancelled flow reads. */
const CANCELLED = { type: 'Cancelled', message: 'The withdrawal was cancelled by an admin.' };

export async function withdraw(input: WithdrawInput): Promise<WithdrawState> {
  tagFlow(withdrawFlow.kind, input.guildId, input.userId);
  const state: WithdrawState = { withdrawalId: input.withdrawalId, status: 'checking', claimedBy: null, outcome: null, reason: null, expiresAt: null };
  let delivered: { gems: bigint; pets: PetLine[] } = { gems: 0n, pets: [] };
  setHandler(withdrawStatusQuery, () => ({ ...state }));
  const show = () => showDetails(`${state.status} · ${input.gems} gems, ${input.pets.reduce((s, p) => s + p.quantity, 0)} pets`, state.reason);
  const gems = BigInt(input.gems);
  const holdKey = `withdraw:${input.withdrawalId}:gems`;
  const request = { withdrawalId: input.withdrawalId, guildId: input.guildId, userId: input.userId, gems: input.gems, pets: input.pets };
  const { neverGiveUp: steady, dbStep, mustStep } = flowSteps({ guildId: input.guildId, describe: () => `Withdrawal of ${input.gems} gems and ${input.pets.reduce((s, p) => s + p.quantity, 0)} pets by <@${input.userId}>`, refusals: TRADE_REFUSALS, patience: input.patience }, { db, mustHappen });
  /** v2: the hold's release when the withdrawal is refused or cancelled, whatever became of the hold (a late one is refused). */
  const releaseHold = () =>
    mustStep('release the gems', (a) =>
      a.ledgerUndoHold({ key: holdKey, reason: 'Withdrawal refused or cancelled', actor: { type: 'system', id: 'withdraw' } }),
    );

  const open = () => state.outcome === null && (state.status === 'waiting' || state.status === 'delivering');
  setHandler(
    claimWithdrawalUpdate,
    async ({ gameId }) => {
      if (state.claimedBy === null) {
        state.claimedBy = gameId;
        state.status = 'delivering';
        show();
        await db.tradeMarkClaimed({ withdrawalId: input.withdrawalId, gameId });
      }
      return { claimed: true };
    },
    {
      validator: ({ gameId }) => {
        if (!open()) throw new Error(`withdrawal_closed: this withdrawal is ${state.outcome ?? state.status}; do not deliver it.`);
        if (state.claimedBy !== null && state.claimedBy !== gameId) throw new Error('withdrawal_claimed: another game is delivering this withdrawal.');
      },
    },
  );
  setHandler(
    confirmWithdrawalUpdate,
    (d) => {
      const g = BigInt(d.gems);
      const count = d.pets.reduce((s, p) => s + p.quantity, 0);
      delivered = { gems: d.failure ? 0n : g, pets: d.failure ? [] : d.pets };
      const all = g === gems && count === input.pets.reduce((s, p) => s + p.quantity, 0);
      state.claimedBy ??= d.gameId;
      state.outcome = d.failure || (g === 0n && count === 0) ? 'failed' : all ? 'delivered' : 'partial';
      state.reason = d.failure ?? null;
      return { outcome: state.outcome };
    },
    {
      validator: (d) => {
        if (!open()) throw new Error(`withdrawal_closed: this withdrawal is ${state.outcome ?? state.status}.`);
        if (state.claimedBy !== null && state.claimedBy !== d.gameId) throw new Error('withdrawal_claimed: another game is delivering this withdrawal.');
        if (!/^[0-9]{1,19}$/.test(d.gems) || BigInt(d.gems) > gems) throw new Error('over_delivery: more gems than this withdrawal holds.');
        for (const p of d.pets) {
          const e = input.pets.find((x) => x.speciesId === p.speciesId && x.variant === p.variant);
          if (!e || !Number.isSafeInteger(p.quantity) || p.quantity < 0 || p.quantity > e.quantity) throw new Error('over_delivery: more pets than this withdrawal holds.');
        }
      },
    },
  );
  setHandler(
    cancelWithdrawalUpdate,
    ({ force, reason }) => {
      state.outcome = 'cancelled';
      state.reason = reason ?? (force ? 'Released by an admin.' : 'Cancelled by you.');
      return { outcome: state.outcome };
    },
    {
      validator: ({ force }) => {
        if (!open()) throw new Error(`withdrawal_closed: this withdrawal is already ${state.outcome ?? state.status}.`);
        if (state.claimedBy !== null && !force) throw new Error('withdrawal_delivering: the game is delivering this withdrawal now; it can no longer be cancelled.');
      },
    },
  );

  // ── check and escrow (a refusal here has nothing, or only the gem hold, to undo) ──
  let robloxId: string | null = null;
  let holdPlaced = false;
  /** v2: the release is due from the moment the hold is asked for. */
  let holdAsked = false;
  let escrowed = false;
  try {
    const checked = await dbStep('check the withdrawal', (a) => a.tradeCheckWithdrawal(request));
    robloxId = checked.robloxId;
    const timeoutSeconds = input.timeoutSeconds ?? checked.timeoutSeconds;
    state.expiresAt = new Date(nowMs() + timeoutSeconds * 1000).toISOString();
    state.status = 'escrowing';
    show();
    if (gems > 0n) {
      holdAsked = true;
      await dbStep('hold the gems', (a) =>
        a.ledgerHold({
          guildId: input.guildId,
          key: holdKey,
          type: 'escrow',
          actor: { type: 'user', id: input.userId },
          asset: 'gems',
          from: { ownerType: 'user', ownerId: input.userId },
          to: { ownerType: 'system', ownerId: 'escrow' },
          amount: input.gems,
          reason: 'Withdrawal to the Roblox game',
        }),
      );
      holdPlaced = true;
    }
    await dbStep('escrow the pets', (a) => a.tradeEscrowPets({ ...request, robloxId: robloxId!, expiresAt: state.expiresAt! }));
    escrowed = true;
    state.status = 'waiting';
    show();

    // ── wait for the game, the member or the timer ──
    const decided = await condition(() => state.outcome !== null || state.claimedBy !== null, timeoutSeconds * 1000);
    if (!decided && state.outcome === null && state.claimedBy === null) {
      state.outcome = 'expired';
      state.reason = `Not delivered within ${timeoutSeconds} seconds.`;
    }
    // Claimed: the game is delivering; only its confirmation or an admin's force-release ends this.
    await condition(() => state.outcome !== null);
  } catch (err) {
    const failure = failureOf(err, CANCELLED);
    const cancelled = steady !== null && isCancellation(err);
    if (!cancelled && !TRADE_REFUSALS.includes(failure.type)) throw err;
    if (cancelled && escrowed) {
      // Everything is in escrow: settled below like the member's cancel.
      state.outcome = 'cancelled';
      state.reason = failure.message;
    } else {
      state.outcome = 'refused';
      state.reason = failure.message;
      if (steady) {
        if (holdAsked) await releaseHold();
      } else if (holdPlaced) await mustHappen.ledgerVoidHold({ key: holdKey });
      // The row also keeps a late escrow attempt from moving the pets (it finds the withdrawal recorded).
      await mustStep('record the refusal', (a) => a.tradeRecordRefusedWithdrawal({ ...request, robloxId, reason: failure.message }));
    }
  }

  // ── settle ──
  const outcome: WithdrawOutcome = state.outcome ?? 'failed';
  if (outcome !== 'refused') {
    state.status = 'settling';
    show();
    if (gems > 0n) {
      if (delivered.gems > 0n) {
        await mustStep('post the delivered gems', (a) => a.ledgerPostHold({ key: holdKey, amount: String(delivered.gems) }));
        // The delivered gems left the economy (they are in the game now): back to issuance.
        await mustStep('burn the delivered gems', (a) =>
          a.ledgerTransfer({
            guildId: input.guildId,
            key: `withdraw:${input.withdrawalId}:gems:out`,
            type: 'transfer',
            actor: { type: 'system', id: 'withdraw' },
            asset: 'gems',
            from: { ownerType: 'system', ownerId: 'escrow' },
            to: { ownerType: 'system', ownerId: 'issuance' },
            amount: String(delivered.gems),
            reason: 'Delivered in the Roblox game',
          }),
        );
      } else {
        // The hold was placed and nothing posted it: a plain void.
        await mustStep('release the gems', (a) => a.ledgerVoidHold({ key: holdKey }));
      }
    }
    await mustStep('settle the pets', (a) => a.tradeSettlePets({ withdrawalId: input.withdrawalId, status: outcome, delivered: delivered.pets, deliveredGems: String(delivered.gems), reason: state.reason }));
  }
  state.status = outcome;
  show();

  const tellMember = () =>
    tell('tell the member the withdrawal outcome', async () => {
      const message = await discord.tradeWithdrawalMessage({ withdrawalId: input.withdrawalId });
      await discord.discordNotifyMember({ userId: input.userId, reply: input.reply ?? null, message });
    });
  // v2: a cancelled flow still tells the member what became of their withdrawal.
  await (steady ? CancellationScope.nonCancellable(tellMember) : tellMember());
  return { ...state };
}
