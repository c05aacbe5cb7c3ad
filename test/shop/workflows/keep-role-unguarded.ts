import { patched as recordedPatch } from '@temporalio/workflow/lib/index.js';

/**
 * Test only: @temporalio/workflow with `keep-preexisting-role` forced true and every other patch as the
 * history recorded it — that one change made without its guard, whatever came after it.
 */
export * from '@temporalio/workflow/lib/index.js';
export function patched(patchId: string): boolean {
  return patchId === 'keep-preexisting-role' || recordedPatch(patchId);
}
