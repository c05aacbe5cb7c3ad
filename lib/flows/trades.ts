import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type InteractionReply, type Patience } from './flow';
import { LEDGER_REFUSALS } from './ledger';

/**
 * Roblox trades' public face: deposits reported by a game server (`deposit:{gameId}:{tradeId}`,
 * workflows/deposit.ts) and members' withdrawals into the game (`withdraw:{id}`, workflows/withdraw.ts).
 */

export const PET_VARIANTS = ['normal', 'shiny', 'rainbow', 'shiny_rainbow'] as const;
export type PetVariant = (typeof PET_VARIANTS)[number];

/** A stack of pets of one species and variant. */
export interface PetLine {
  speciesId: number;
  variant: PetVariant;
  quantity: number;
}

// ─── Deposits ─────────────────────────────────────────────────────────────────────────────────────────

/** A pet as a game reports it. */
export interface ReportedPet {
  /** The species key (the game's id for it). */
  species: string;
  variant: PetVariant;
  quantity: number;
}

export interface DepositReport {
  depositId: string;
  guildId: string;
  gameId: string;
  tradeId: string;
  robloxUserId: string;
  serverId?: string | null;
  gems: string;
  pets: ReportedPet[];
}

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

/** A deposit's id: one per trade of a game. */
export const depositId = (gameId: string, tradeId: string): string => `${gameId}:${tradeId}`;
export const depositWorkflowId = (id: string): string => `deposit:${id}`;
export const depositFlow = defineFlow({ type: 'deposit', kind: 'deposit', id: depositWorkflowId });

// ─── Withdrawals ──────────────────────────────────────────────────────────────────────────────────────

export type WithdrawOutcome = 'delivered' | 'partial' | 'cancelled' | 'expired' | 'failed' | 'refused';

export interface WithdrawInput {
  withdrawalId: string;
  guildId: string;
  userId: string;
  /** Gems to withdraw (decimal string, may be "0"). */
  gems: string;
  pets: PetLine[];
  /** Overrides the guild's withdraw timeout (seconds). */
  timeoutSeconds?: number | null;
  /** The /withdraw reply, edited with the outcome while its token is valid. */
  reply?: InteractionReply | null;
  /** How long a step that must happen is retried before the flow is marked stuck (default: DEFAULT_PATIENCE). */
  patience?: Patience | null;
}

export type WithdrawStatus = 'checking' | 'escrowing' | 'waiting' | 'delivering' | 'settling' | WithdrawOutcome;

export interface WithdrawState {
  withdrawalId: string;
  status: WithdrawStatus;
  claimedBy: string | null;
  outcome: WithdrawOutcome | null;
  reason: string | null;
  expiresAt: string | null;
}

export interface Delivery {
  gameId: string;
  /** What the game gave the player (≤ what is escrowed); nothing at all is a failure. */
  gems: string;
  pets: PetLine[];
  /** Set when the game could not deliver (player left, inventory full…): everything goes back. */
  failure?: string | null;
}

export const withdrawStatusQuery = defineQuery<WithdrawState>('status');
/** The validators refuse with `code: message`; lib/flows/trades.client.ts answers with that code. */
export const claimWithdrawalUpdate = defineUpdate<{ claimed: true }, [{ gameId: string }]>('claim');
export const confirmWithdrawalUpdate = defineUpdate<{ outcome: WithdrawOutcome }, [Delivery]>('confirm');
export const cancelWithdrawalUpdate = defineUpdate<{ outcome: WithdrawOutcome }, [{ by: string; force?: boolean; reason?: string | null }]>('cancel');

export const withdrawWorkflowId = (withdrawalId: string): string => `withdraw:${withdrawalId}`;
export const withdrawFlow = defineFlow({ type: 'withdraw', kind: 'withdraw', id: withdrawWorkflowId });

// ─── Failures ─────────────────────────────────────────────────────────────────────────────────────────

/** Trade refusals (activities/trades/errors.ts raises them). */
export const TRADE_FAILURES = {
  notLinked: 'NotLinked',
  unknownPet: 'UnknownPet',
  limit: 'TradeLimit',
  invalid: 'InvalidTrade',
  insufficientPets: 'InsufficientPets',
  insufficientGems: 'InsufficientGems',
  keyConflict: 'PetKeyConflict',
  state: 'TradeState',
} as const;

/** The one list of the deposit and withdraw flows' non-retryable failure types. */
export const TRADE_REFUSALS: readonly string[] = [...Object.values(TRADE_FAILURES), ...INPUT_FAILURES, ...LEDGER_REFUSALS, ...DISCORD_REFUSALS];
