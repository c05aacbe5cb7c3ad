import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError } from '../../lib/errors';
import { DiscordUserId, FlowKind, GuildId } from '../../lib/search-attributes';
import type { InteractionReply } from '../discord/activities';
import {
  abandonUpdate,
  cancelClaimSignal,
  decideUpdate,
  revokeUpdate,
  submitProofUpdate,
  taskClaimWorkflowId,
  taskMessageChangedSignal,
  taskMessageWorkflowId,
  type ActionResult,
  type DecisionInput,
  type ProofInput,
  type RevokeInput,
  type taskClaim,
  type taskMessage,
} from '../../workflows/task';

/**
 * How the bot and the API talk to the task workflows: start a claim, send the validated updates the
 * buttons and routes share (proof, decision, revoke, abandon), cancel the claims of a deleted task, and
 * ask for the task message to be brought up to date. A refused update becomes an AppError with the
 * validator's words.
 */

export async function startClaim(
  temporal: Client,
  taskQueue: string,
  input: { guildId: string; taskId: number; userId: string; username?: string; reply?: InteractionReply | null },
): Promise<{ workflowId: string; started: boolean }> {
  const workflowId = taskClaimWorkflowId(input.taskId, input.userId);
  try {
    await temporal.workflow.start<typeof taskClaim>('taskClaim', {
      taskQueue,
      workflowId,
      typedSearchAttributes: [
        { key: GuildId, value: input.guildId },
        { key: DiscordUserId, value: input.userId },
        { key: FlowKind, value: 'task' },
      ],
      staticSummary: `Task #${input.taskId} claimed by ${input.username ?? input.userId} (${input.userId})`,
      args: [{ guildId: input.guildId, taskId: input.taskId, userId: input.userId, reply: input.reply ?? null }],
    });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

type Update = typeof submitProofUpdate | typeof decideUpdate | typeof revokeUpdate | typeof abandonUpdate;

async function update<A>(temporal: Client, workflowId: string, def: Update, arg: A): Promise<ActionResult> {
  try {
    return await temporal.workflow.getHandle(workflowId).executeUpdate(def as never, { args: [arg] as never });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause instanceof ApplicationFailure ? err.cause.message : err.message;
      throw new AppError('refused', cause, 409);
    }
    const name = (err as Error).name;
    if (name === 'WorkflowNotFoundError' || /already completed|not found/i.test((err as Error).message)) {
      throw new AppError('claim_closed', 'This claim is over (or there is no such claim): nothing was changed.', 404);
    }
    throw err;
  }
}

export const sendProof = (temporal: Client, taskId: number, proof: ProofInput) => update(temporal, taskClaimWorkflowId(taskId, proof.userId), submitProofUpdate, proof);
export const sendDecision = (temporal: Client, taskId: number, userId: string, decision: DecisionInput) =>
  update(temporal, taskClaimWorkflowId(taskId, userId), decideUpdate, decision);
export const sendRevoke = (temporal: Client, taskId: number, userId: string, revoke: RevokeInput) => update(temporal, taskClaimWorkflowId(taskId, userId), revokeUpdate, revoke);
export const sendAbandon = (temporal: Client, taskId: number, userId: string) => update(temporal, taskClaimWorkflowId(taskId, userId), abandonUpdate, { userId });

/** Tells each open claim of a deleted task to end (a claim already over is skipped). */
export async function cancelClaims(temporal: Client, claimIds: readonly string[], reason: string): Promise<number> {
  let sent = 0;
  for (const id of claimIds) {
    try {
      await temporal.workflow.getHandle(id).signal(cancelClaimSignal, { reason });
      sent += 1;
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  }
  return sent;
}

/** Brings the task's message up to date through `task-message:{taskId}` (signal-with-start). */
export async function requestTaskMessageSync(temporal: Client, taskQueue: string, guildId: string, taskId: number): Promise<void> {
  await temporal.workflow.signalWithStart<typeof taskMessage, []>('taskMessage', {
    taskQueue,
    workflowId: taskMessageWorkflowId(taskId),
    args: [{ guildId, taskId }],
    signal: taskMessageChangedSignal,
    signalArgs: [],
    typedSearchAttributes: [
      { key: GuildId, value: guildId },
      { key: FlowKind, value: 'task-message' },
    ],
  });
}
