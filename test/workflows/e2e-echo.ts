import { proxyActivities } from '@temporalio/workflow';
import type { E2EEchoActivities } from '../e2e/echo-activities';

/**
 * Test-only flow for the end-to-end sample: a slash command starts it, and it answers the interaction
 * through an activity (Discord REST), as every Guildflow flow does.
 */
const { editOriginalReply } = proxyActivities<E2EEchoActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumAttempts: 5 },
});

export interface E2EEchoInput {
  text: string;
  applicationId: string;
  interactionToken: string;
}

export async function e2eEcho(input: E2EEchoInput): Promise<string> {
  const reply = `echo: ${input.text}`;
  await editOriginalReply(input.applicationId, input.interactionToken, reply);
  return reply;
}
