import type { DepositReport, PetLine, WithdrawOutcome } from '../../lib/flows/trades';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import type { DiscordMessage } from '../discord';
import { createLedger } from '../ledger';
import { depositReceipt, withdrawalMessage } from './messages';
import {
  checkDeposit,
  checkWithdrawal,
  creditDeposit,
  escrowPets,
  markClaimed,
  settleDeposit,
  recordRefusedWithdrawal,
  settlePets,
  type DepositCheck,
  type WithdrawRequest,
} from './service';

/**
 * Trades as Temporal activities (workflows/deposit.ts, workflows/withdraw.ts). Each is idempotent by the
 * flow's id. Refusals (TradeError, bad input) become non-retryable failures whose type says why
 * (activities/define.ts); a database outage is thrown as is and retried.
 */
export function createTradeActivities({ prisma, log }: FeatureDeps) {
  const ledger = createLedger(prisma);
  return defineActivities(log, 'trades', {
    async tradeCheckDeposit(report: DepositReport): Promise<DepositCheck> {
      return checkDeposit(prisma, report);
    },
    async tradeCreditDeposit(input: { depositId: string; guildId: string; userId: string; gems: string; lines: PetLine[] }): Promise<void> {
      return creditDeposit(prisma, input);
    },
    /** Check and credit in one step (the flow runs it as a local activity); the two below are its older, separate steps. */
    async tradeSettleDeposit(report: DepositReport): Promise<DepositCheck> {
      return settleDeposit(prisma, report);
    },
    async tradeDepositReceipt(input: { depositId: string; lines: PetLine[] }): Promise<DiscordMessage> {
      return depositReceipt(prisma, input.depositId, input.lines);
    },
    async tradeCheckWithdrawal(input: WithdrawRequest): Promise<{ robloxId: string; timeoutSeconds: number }> {
      return checkWithdrawal(prisma, ledger, input);
    },
    async tradeEscrowPets(input: WithdrawRequest & { robloxId: string; expiresAt: string }): Promise<void> {
      return escrowPets(prisma, input);
    },
    async tradeSettlePets(input: { withdrawalId: string; status: WithdrawOutcome; delivered: PetLine[]; deliveredGems: string; reason?: string | null }): Promise<void> {
      return settlePets(prisma, input);
    },
    async tradeRecordRefusedWithdrawal(input: WithdrawRequest & { robloxId: string | null; reason: string }): Promise<void> {
      return recordRefusedWithdrawal(prisma, input);
    },
    async tradeMarkClaimed(input: { withdrawalId: string; gameId: string }): Promise<void> {
      await markClaimed(prisma, input.withdrawalId, input.gameId);
    },
    async tradeWithdrawalMessage(input: { withdrawalId: string }): Promise<DiscordMessage> {
      return withdrawalMessage(prisma, input.withdrawalId);
    },
  });
}
