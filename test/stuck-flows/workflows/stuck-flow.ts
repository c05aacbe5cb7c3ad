import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { Patience } from '../../../lib/flows/flow';
import { persistentSteps } from '../../../workflows/persistent-steps';

/**
 * Test only — the smallest flow with a step that must happen: `charge` runs the test's `stuckStep`
 * activity through persistentSteps until it succeeds or is refused; a cancellation runs `undo` (also a
 * step that must happen) and ends the flow cancelled, as a saga's compensations would.
 */
export interface StuckFlowInput {
  guildId: string;
  /** Which of the test's switches drives this flow's activity. */
  key: string;
  patience: Patience;
}

/** The test's activities, beside the real ones (the admin log notices go through discordPostAdminLog). */
export interface StuckFlowActivities {
  stuckStep(key: string): Promise<string>;
  stuckUndo(key: string): Promise<void>;
}

export const STUCK_FLOW_REFUSAL = 'TestRefusal';
export const STUCK_FLOW_STEP = 'charge the test';

export async function stuckFlow(input: StuckFlowInput): Promise<string> {
  const steps = persistentSteps({ guildId: input.guildId, describe: () => `Test flow ${input.key}`, refusals: [STUCK_FLOW_REFUSAL], patience: input.patience });
  const test = (a: Activities) => a as unknown as StuckFlowActivities;
  try {
    return await steps.run(STUCK_FLOW_STEP, (a) => test(a).stuckStep(input.key));
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => steps.run('undo the test', (a) => test(a).stuckUndo(input.key)));
    throw err;
  }
}

/** A flow without steps that must happen (so without the `stuck` query): it waits until cancelled. */
export async function waitingFlow(): Promise<string> {
  await condition(() => false);
  return 'never';
}
