import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';

/**
 * Test-only workflow: waits for a `reply` signal or gives up after `replyTimeout` (from the input, so a
 * test can use seconds). Exercises the two outcomes every Guildflow "wait for a person" step has.
 * Follows the workflows/ lint rules although they are not applied under test/.
 */
export interface EchoInput {
  message: string;
  replyTimeout: Duration;
}

export type EchoResult = { outcome: 'replied'; text: string } | { outcome: 'timed-out'; text: string };

export const replySignal = defineSignal<[string]>('reply');
export const stateQuery = defineQuery<'waiting' | 'done'>('state');

export async function echo(input: EchoInput): Promise<EchoResult> {
  let reply: string | undefined;
  let state: 'waiting' | 'done' = 'waiting';
  setHandler(replySignal, (text) => {
    reply ??= text; // the first reply wins; later ones change nothing
  });
  setHandler(stateQuery, () => state);
  const replied = await condition(() => reply !== undefined, input.replyTimeout);
  state = 'done';
  return replied && reply !== undefined
    ? { outcome: 'replied', text: `${input.message} -> ${reply}` }
    : { outcome: 'timed-out', text: input.message };
}
