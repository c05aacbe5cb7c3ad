import { ApplicationFailure } from '@temporalio/common';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import type { DiscordMessage } from '../discord';
import { createLedger } from '../ledger';
import { TradeError } from './errors';
import { depositReceipt, withdrawalMessage } from './messages';
import type { PetLine } from './pets';
import {
  checkDeposit,
  checkWithdrawal,
  creditDeposit,
  escrowPets,
  markClaimed,
  recordRefusedWithdrawal,
  settlePets,
  type DepositCheck,
  type DepositReport,
  type WithdrawOutcome,
  type WithdrawRequest,
} from './service';

/**
 * Trades as Temporal activities (workflows/deposit.ts, workflows/withdraw.ts). Each is idempotent by the
 * flow's id. Refusals (TradeError, bad input) are non-retryable failures whose type says why; a database
 * outage is thrown as is and retried.
 */
export function createTradeActivities({ prisma, log }: { prisma: PrismaClient; log: Logger }) {
  const ledger = createLedger(prisma);
  const tlog = log.child({ component: 'trades' });

  async function run<T>(name: string, meta: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TradeError) {
        tlog.info({ activity: name, ...meta, code: err.code }, err.message);
        throw ApplicationFailure.nonRetryable(err.message, err.failureType, { code: err.code });
      }
      if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { code: err.code });
      if (err instanceof NotFoundError) throw ApplicationFailure.nonRetryable(err.message, 'NotFound', { code: err.code });
      throw err;
    }
  }

  return {
    async tradeCheckDeposit(report: DepositReport): Promise<DepositCheck> {
      return run('tradeCheckDeposit', { depositId: report.depositId }, () => checkDeposit(prisma, report));
    },
    async tradeCreditDeposit(input: { depositId: string; guildId: string; userId: string; gems: string; lines: PetLine[] }): Promise<void> {
      return run('tradeCreditDeposit', { depositId: input.depositId }, () => creditDeposit(prisma, ledger, input));
    },
    async tradeDepositReceipt(input: { depositId: string; lines: PetLine[] }): Promise<DiscordMessage> {
      return depositReceipt(prisma, input.depositId, input.lines);
    },
    async tradeCheckWithdrawal(input: WithdrawRequest): Promise<{ robloxId: string; timeoutSeconds: number }> {
      return run('tradeCheckWithdrawal', { withdrawalId: input.withdrawalId }, () => checkWithdrawal(prisma, ledger, input));
    },
    async tradeEscrowPets(input: WithdrawRequest & { robloxId: string; expiresAt: string }): Promise<void> {
      return run('tradeEscrowPets', { withdrawalId: input.withdrawalId }, () => escrowPets(prisma, input));
    },
    async tradeSettlePets(input: { withdrawalId: string; status: WithdrawOutcome; delivered: PetLine[]; deliveredGems: string; reason?: string | null }): Promise<void> {
      return run('tradeSettlePets', { withdrawalId: input.withdrawalId }, () => settlePets(prisma, input));
    },
    async tradeRecordRefusedWithdrawal(input: WithdrawRequest & { robloxId: string | null; reason: string }): Promise<void> {
      return run('tradeRecordRefusedWithdrawal', { withdrawalId: input.withdrawalId }, () => recordRefusedWithdrawal(prisma, input));
    },
    async tradeMarkClaimed(input: { withdrawalId: string; gameId: string }): Promise<void> {
      await markClaimed(prisma, input.withdrawalId, input.gameId);
    },
    async tradeWithdrawalMessage(input: { withdrawalId: string }): Promise<DiscordMessage> {
      return withdrawalMessage(prisma, input.withdrawalId);
    },
  };
}
