import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { AppError } from '../errors';
import { FlowClosedError, signalFlow, signalWithStartFlow, startFlow, updateFlow, type FlowTarget } from './client';
import type { InteractionReply } from './flow';
import {
  abandonUpdate,
  cancelClaimSignal,
  decideUpdate,
  revokeUpdate,
  submitProofUpdate,
  taskClaimFlow,
  taskClaimWorkflowId,
  taskMessageChangedSignal,
  taskMessageFlow,
  type ActionResult,
  type DecisionInput,
  type ProofInput,
  type RevokeInput,
  type TaskClaimInput,
  type TaskMessageInput,
} from './tasks';

/**
 * How the bot and the API talk to the task flows: start a claim, send the validated updates the buttons and
 * routes share (proof, decision, revoke, abandon), cancel the claims of a deleted task, and ask for the
 * task message to be brought up to date. A refused update is FlowRefusedError (409) with the validator's
 * words; a claim that is over is 404 `claim_closed`.
 */

export async function startClaim(
  target: FlowTarget,
  input: { guildId: string; taskId: number; userId: string; username?: string; reply?: InteractionReply | null },
): Promise<{ workflowId: string; started: boolean }> {
  const { workflowId, started } = await startFlow(target, taskClaimFlow, [input.taskId, input.userId], {
    guildId: input.guildId,
    userId: input.userId,
    summary: `Task #${input.taskId} claimed by ${input.username ?? input.userId} (${input.userId})`,
    input: { guildId: input.guildId, taskId: input.taskId, userId: input.userId, reply: input.reply ?? null } satisfies TaskClaimInput,
  });
  return { workflowId, started };
}

/** A claim's update, through updateFlow; a claim that is over is `claim_closed`. */
async function claimUpdate<Arg>(temporal: Client | null | undefined, workflowId: string, update: UpdateDefinition<ActionResult, [Arg]>, arg: Arg): Promise<ActionResult> {
  try {
    return await updateFlow(temporal, workflowId, update, arg);
  } catch (err) {
    if (err instanceof FlowClosedError) throw new AppError('claim_closed', 'This claim is over (or there is no such claim): nothing was changed.', 404);
    throw err;
  }
}

export const sendProof = (temporal: Client | null | undefined, taskId: number, proof: ProofInput) =>
  claimUpdate(temporal, taskClaimWorkflowId(taskId, proof.userId), submitProofUpdate, proof);
export const sendDecision = (temporal: Client | null | undefined, taskId: number, userId: string, decision: DecisionInput) =>
  claimUpdate(temporal, taskClaimWorkflowId(taskId, userId), decideUpdate, decision);
export const sendRevoke = (temporal: Client | null | undefined, taskId: number, userId: string, revoke: RevokeInput) =>
  claimUpdate(temporal, taskClaimWorkflowId(taskId, userId), revokeUpdate, revoke);
export const sendAbandon = (temporal: Client | null | undefined, taskId: number, userId: string) =>
  claimUpdate(temporal, taskClaimWorkflowId(taskId, userId), abandonUpdate, { userId });

/** Tells each open claim of a deleted task to end (a claim already over is skipped). */
export async function cancelClaims(temporal: Client | null | undefined, claimIds: readonly string[], reason: string): Promise<number> {
  let sent = 0;
  for (const id of claimIds) if (await signalFlow(temporal, id, cancelClaimSignal, { reason })) sent += 1;
  return sent;
}

/** Brings the task's message up to date through `task-message:{taskId}` (signal-with-start). */
export async function requestTaskMessageSync(target: FlowTarget, guildId: string, taskId: number): Promise<void> {
  await signalWithStartFlow(target, taskMessageFlow, [guildId, taskId], {
    guildId,
    input: { guildId, taskId } satisfies TaskMessageInput,
    signal: taskMessageChangedSignal,
    signalArgs: [],
  });
}
