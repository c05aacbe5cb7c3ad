import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { PurchaseInput } from '../../../lib/flows/shop';

/**
 * Test only — an INCOMPATIBLE change of workflows/purchase.ts, as someone might make it without
 * patched(): it takes the stock before holding the funds. Replaying a recorded history with it must fail
 * with a DeterminismViolationError (replay.test.ts), which is what the replay test is there to catch.
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function purchase(input: PurchaseInput): Promise<void> {
  const created = await acts.shopCreatePurchase({ ...input, expectedUnitPrice: input.expectedUnitPrice ?? null });
  if (!created.ok) return;
  await acts.shopTakeStock({ purchaseId: input.purchaseId });
  await acts.ledgerHold({
    guildId: input.guildId,
    key: `purchase:${input.purchaseId}:hold`,
    type: 'purchase',
    actor: { type: 'user', id: input.userId },
    asset: created.purchase.assetCode,
    from: { ownerType: 'user', ownerId: input.userId },
    to: { ownerType: 'system', ownerId: 'sink' },
    amount: created.purchase.total,
  });
}
