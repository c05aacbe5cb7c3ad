import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { OrderInput } from '../../../lib/flows/orders';

/**
 * Test only — an INCOMPATIBLE change of workflows/order.ts made without patched(): codes reserved
 * before the funds are held. Replaying a recorded history with it must fail (replay.test.ts).
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function order(input: OrderInput): Promise<void> {
  const created = await acts.ordersCreate({ orderId: input.orderId, requestKey: input.requestKey, guildId: input.guildId, userId: input.userId, packageId: input.packageId });
  if (!created.ok) return;
  await acts.ordersReserveCodes({ orderId: input.orderId });
}
