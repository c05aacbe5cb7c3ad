import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { TopupInput } from '../../../lib/flows/payments';

/**
 * Test only — an INCOMPATIBLE change of workflows/topup.ts, as someone might make it without patched():
 * it asks the gateway for the charge before recording the payment. Replaying a recorded history with it
 * must fail with a DeterminismViolationError (replay.test.ts).
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function topup(input: TopupInput): Promise<void> {
  await acts.paymentsCharge({ paymentId: input.paymentId, expirySeconds: input.expirySeconds });
  await acts.paymentsCreate({ paymentId: input.paymentId, guildId: input.guildId, userId: input.userId, amount: input.amount, requestKey: input.requestKey });
}
