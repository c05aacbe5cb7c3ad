import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { DepositInput, WithdrawInput } from '../../../lib/flows/trades';

/**
 * Test only — INCOMPATIBLE changes of workflows/deposit.ts and workflows/withdraw.ts as someone might make
 * them without patched(): the deposit credits before it checks, the withdrawal escrows pets before it
 * checks and holds gems. Replaying recorded histories with them must fail (replay.test.ts).
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function deposit(input: DepositInput): Promise<void> {
  await acts.tradeCreditDeposit({ depositId: input.depositId, guildId: input.guildId, userId: '0', gems: input.gems, lines: [] });
}

export async function withdraw(input: WithdrawInput): Promise<void> {
  await acts.tradeEscrowPets({ ...input, robloxId: '1', expiresAt: new Date().toISOString() });
}
