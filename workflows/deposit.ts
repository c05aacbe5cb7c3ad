import { ActivityFailure, ApplicationFailure, condition, defineQuery, defineUpdate, log, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DepositReport } from '../activities/trades/service';
import type { PetLine } from '../activities/trades/pets';
import { DiscordUserId, FlowKind, GuildId } from '../lib/search-attributes';
import { activityProfiles } from './activity-options';

/**
 * A deposit reported by a Roblox game server (DESIGN.md §3), workflow id `deposit:{gameId}:{tradeId}`:
 *
 *   record + check (linked member, known pets, limits) → credit once (gems issued through the ledger,
 *   pets added) → DM the member a receipt.
 *
 * No compensation is needed: nothing moves before the checks pass, and the credit is idempotent by the
 * deposit's id (a retried activity or a repeated report changes nothing; the workflow id makes ten
 * identical reports one flow). A refusal ends the flow with a reason code the game shows the player.
 * A receipt that cannot be sent (DMs closed) does not undo the credit.
 */
export type DepositInput = DepositReport;

export type DepositResult = { status: 'credited'; userId: string } | { status: 'refused'; reason: string; message: string };

export interface DepositState {
  depositId: string;
  status: 'checking' | 'crediting' | 'credited' | 'refused';
  reason: string | null;
}

export const depositStatusQuery = defineQuery<DepositState>('status');
/**
 * Answers once the deposit is credited or refused — before the receipt DM — so the game (the API, with
 * update-with-start) is not kept waiting on Discord. Adds no commands: old histories still replay.
 */
export const depositOutcomeUpdate = defineUpdate<DepositResult>('outcome');
export const depositWorkflowId = (depositId: string) => `deposit:${depositId}`;

const NON_RETRYABLE = ['NotLinked', 'UnknownPet', 'TradeLimit', 'InvalidTrade', 'InvalidInput', 'NotFound', 'IdempotencyConflict', 'PetKeyConflict', 'InsufficientPets'];

const profiles = activityProfiles(NON_RETRYABLE);
/** The deposit is recorded and credited however long the database is away: the game already handed the items over. */
const db = proxyActivities<Activities>(profiles.mustHappen);
const discord = proxyActivities<Activities>(profiles.discord);

export async function deposit(input: DepositInput): Promise<DepositResult> {
  upsertSearchAttributes([
    { key: GuildId, value: input.guildId },
    { key: FlowKind, value: 'deposit' },
  ]);
  const state: DepositState = { depositId: input.depositId, status: 'checking', reason: null };
  setHandler(depositStatusQuery, () => ({ ...state }));
  let outcome: DepositResult | undefined;
  setHandler(depositOutcomeUpdate, async () => {
    await condition(() => outcome !== undefined);
    return outcome!;
  });

  const check = await db.tradeCheckDeposit(input);
  if (!check.ok) {
    state.status = 'refused';
    state.reason = check.reason;
    outcome = { status: 'refused', reason: check.reason, message: check.message };
    return outcome;
  }
  upsertSearchAttributes([{ key: DiscordUserId, value: check.userId }]);
  state.status = 'crediting';
  const lines: PetLine[] = check.lines;
  await db.tradeCreditDeposit({ depositId: input.depositId, guildId: input.guildId, userId: check.userId, gems: check.gems, lines });
  state.status = 'credited';
  outcome = { status: 'credited', userId: check.userId };

  try {
    const message = await discord.tradeDepositReceipt({ depositId: input.depositId, lines });
    await discord.discordSendDm({ userId: check.userId, message });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause.type : 'unknown';
    log.warn('deposit receipt not sent', { depositId: input.depositId, cause });
  }
  return outcome;
}
