/**
 * Test only: @temporalio/workflow with `patched()` always true — what workflows/purchase.ts would be if
 * its changes had been made without a patch guard. replay.test.ts bundles the real workflow with this
 * in place of the SDK module to show that old histories then fail to replay.
 */
export * from '@temporalio/workflow/lib/index.js';
export function patched(_patchId: string): boolean {
  return true;
}
