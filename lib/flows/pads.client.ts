import type { Client } from '@temporalio/client';
import { AppError } from '../errors';
import { waitFor } from '../wait';
import { FlowClosedError, queryFlow, startFlow, updateFlow, type FlowTarget } from './client';
import { endPadUpdate, padFlow, padFlowId, padStatusQuery, type PadEndRequest, type PadEndResult, type PadSessionInput, type PadSessionState } from './pads';

/**
 * How the bot and the API start and end pad sessions. The start refuses a second running flow with the
 * same id (`pad:{guild}:{pad}`), so of two hosts starting at once exactly one gets the pad; the other is
 * told who holds it and since when.
 */

/** How long a refused start waits for the holder's flow to answer (it may have started a moment ago). */
const HOLDER_ANSWER_MS = 5000;

export type PadStart = { started: true; workflowId: string } | { started: false; workflowId: string; holder: PadSessionState | null };

export async function startPadSession(target: FlowTarget, input: PadSessionInput): Promise<PadStart> {
  const { workflowId, started } = await startFlow(target, padFlow, [input.guildId, input.pad], {
    guildId: input.guildId,
    userId: input.hostId,
    summary: `${input.type} on pad ${input.pad} hosted by ${input.hostId}`,
    input,
    conflict: 'fail',
  });
  if (started) return { started, workflowId };
  // The winner's first workflow task may not have run yet: its query answers once it has.
  const holder = await waitFor(() => queryFlow(target.temporal, workflowId, padStatusQuery), { timeoutMs: HOLDER_ANSWER_MS, intervalMs: 100, what: `${workflowId} to answer` }).catch(() => null);
  return { started, workflowId, holder };
}

/** Ends the pad's running session (the flow checks who asks); nothing running is 409 `pad_free`. */
export async function endPadSession(temporal: Client | null | undefined, guildId: string, pad: number, request: PadEndRequest): Promise<PadEndResult> {
  try {
    return await updateFlow(temporal, padFlowId(guildId, pad), endPadUpdate, request);
  } catch (err) {
    if (err instanceof FlowClosedError) throw new AppError('pad_free', `No session is running on pad ${pad}: nothing was ended.`, 409);
    throw err;
  }
}
