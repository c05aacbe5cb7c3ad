import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { PadSessionInput } from '../../../lib/flows/pads';

/**
 * Test only — an INCOMPATIBLE change of workflows/pad.ts as someone might make it without patched(): the
 * session is announced before it is recorded. Replaying recorded histories with it must fail.
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function padSession(input: PadSessionInput): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  await acts.padAnnounce({ sessionId: runId, workflowId, guildId: input.guildId });
}
