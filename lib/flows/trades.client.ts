import type { Client } from '@temporalio/client';
import { FlowClosedError, FlowRefusedError, flowResult, startFlow, updateFlow, updateWithStartFlow, type FlowTarget } from './client';
import {
  cancelWithdrawalUpdate,
  claimWithdrawalUpdate,
  confirmWithdrawalUpdate,
  depositFlow,
  depositOutcomeUpdate,
  withdrawFlow,
  withdrawWorkflowId,
  type Delivery,
  type DepositInput,
  type DepositResult,
  type WithdrawInput,
  type WithdrawOutcome,
} from './trades';

/**
 * Runs `deposit:{id}` for a game's report and answers its outcome as soon as it is credited or refused
 * (update-with-start: concurrent reports attach to one flow). A report after the flow ended gets the
 * flow's result, so a repeat gets the same answer.
 */
export async function reportDeposit(target: FlowTarget, input: DepositInput, summary: string): Promise<DepositResult> {
  try {
    const { result } = await updateWithStartFlow(target, depositFlow, [input.depositId], { guildId: input.guildId, summary, input, update: depositOutcomeUpdate, updateArgs: [], reuse: 'reject' });
    return result;
  } catch (err) {
    if (!(err instanceof FlowClosedError)) throw err;
    return flowResult<DepositResult>(target.temporal, depositFlow.id(input.depositId));
  }
}

/** Starts `withdraw:{id}` (never a second time for the same id). */
export async function startWithdraw(target: FlowTarget, input: WithdrawInput, summary: string): Promise<{ workflowId: string; started: boolean }> {
  return startFlow(target, withdrawFlow, [input.withdrawalId], { guildId: input.guildId, userId: input.userId, summary, input, reuse: 'reject' });
}

/** The withdraw flow's validators refuse with `code: message`: the caller gets that code and message. */
async function withdrawUpdate<Ret>(send: () => Promise<Ret>): Promise<Ret> {
  try {
    return await send();
  } catch (err) {
    const m = err instanceof FlowRefusedError ? /^([a-z_]+): (.*)$/s.exec(err.message) : null;
    if (m) throw new FlowRefusedError(m[2]!, m[1]);
    throw err;
  }
}

/** The game takes the withdrawal before it gives anything: from then on the member cannot cancel it. */
export async function claimWithdrawal(temporal: Client | null | undefined, withdrawalId: string, gameId: string): Promise<{ claimed: true }> {
  return withdrawUpdate(() => updateFlow(temporal, withdrawWorkflowId(withdrawalId), claimWithdrawalUpdate, { gameId }));
}

/** What the game delivered (or that it could not). */
export async function confirmWithdrawal(temporal: Client | null | undefined, withdrawalId: string, delivery: Delivery): Promise<{ outcome: WithdrawOutcome }> {
  return withdrawUpdate(() => updateFlow(temporal, withdrawWorkflowId(withdrawalId), confirmWithdrawalUpdate, delivery));
}

/** The member cancels (before the game claimed it), or an admin force-releases it. */
export async function cancelWithdrawal(temporal: Client | null | undefined, withdrawalId: string, by: { by: string; force: boolean }): Promise<{ outcome: WithdrawOutcome }> {
  return withdrawUpdate(() => updateFlow(temporal, withdrawWorkflowId(withdrawalId), cancelWithdrawalUpdate, by));
}
