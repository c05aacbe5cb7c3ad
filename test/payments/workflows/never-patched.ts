/**
 * Test only: @temporalio/workflow with `patched()` always false — the top-up as a flow started before
 * `topup-signal-only-wakes` runs it (it takes a signal's status). topup-workflow.test.ts runs it to show
 * that the credit activity's own gateway check still keeps a forged signal from crediting such a flow.
 */
export * from '@temporalio/workflow/lib/index.js';
export function patched(_patchId: string): boolean {
  return false;
}
