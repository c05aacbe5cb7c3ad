import { condition, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DepositCheck } from '../activities/trades';
import { depositFlow, depositOutcomeUpdate, depositStatusQuery, TRADE_REFUSALS, type DepositInput, type DepositResult, type DepositState } from '../lib/flows/trades';
import { DiscordUserId } from '../lib/search-attributes';
import { activityProfiles } from './activity-options';
import { tagFlow, tell } from './common';

/**
 * A deposit reported by a Roblox game server, workflow id `deposit:{gameId}:{tradeId}`:
 *
 *   check (linked member, known pets, limits) and credit once (gems issued through the ledger, pets
 *   added), one local activity → DM the member a receipt.
 *
 * No compensation is needed: nothing moves before the checks pass, and the credit is idempotent by the
 * deposit's id (a retried activity or a repeated report changes nothing; the workflow id makes ten
 * identical reports one flow). A refusal ends the flow with a reason code the game shows the player.
 * A receipt that cannot be sent (DMs closed) does not undo the credit. The game gets its answer from the
 * `outcome` update as soon as the deposit is credited or refused.
 */

const profiles = activityProfiles(TRADE_REFUSALS);
/** The deposit is recorded and credited however long the database is away: the game already handed the items over. */
const db = proxyActivities<Activities>(profiles.mustHappen);
/**
 * The check and the credit as one local activity: it runs inside the workflow task that update-with-start
 * opens, so the game's answer waits for one workflow task instead of three workflow tasks and two activity
 * tasks. Retried like any mustHappen step: past the local retry threshold (a minute) the SDK waits on a
 * timer between attempts, so a long database outage still ends in a credit.
 */
const local = proxyLocalActivities<Activities>(profiles.mustHappen);
const discord = proxyActivities<Activities>(profiles.discord);

export async function deposit(input: DepositInput): Promise<DepositResult> {
  tagFlow(depositFlow.kind, input.guildId);
  const state: DepositState = { depositId: input.depositId, status: 'checking', reason: null };
  setHandler(depositStatusQuery, () => ({ ...state }));
  let outcome: DepositResult | undefined;
  setHandler(depositOutcomeUpdate, async () => {
    await condition(() => outcome !== undefined);
    return outcome!;
  });

  let check: DepositCheck;
  if (patched('deposit-settled-in-one-local-step')) {
    check = await local.tradeSettleDeposit(input);
    if (check.ok) upsertSearchAttributes([{ key: DiscordUserId, value: check.userId }]);
  } else {
    check = await db.tradeCheckDeposit(input);
    if (check.ok) {
      state.status = 'crediting';
      // The member is known only now: tagged apart from the start's attributes.
      upsertSearchAttributes([{ key: DiscordUserId, value: check.userId }]);
      await db.tradeCreditDeposit({ depositId: input.depositId, guildId: input.guildId, userId: check.userId, gems: check.gems, lines: check.lines });
    }
  }
  if (!check.ok) {
    state.status = 'refused';
    state.reason = check.reason;
    outcome = { status: 'refused', reason: check.reason, message: check.message };
    return outcome;
  }
  state.status = 'credited';
  outcome = { status: 'credited', userId: check.userId };

  const { userId, lines } = check;
  await tell('send the deposit receipt', async () => {
    const message = await discord.tradeDepositReceipt({ depositId: input.depositId, lines });
    await discord.discordSendDm({ userId, message });
  });
  return outcome;
}
