import type { Client } from '@temporalio/client';
import { AppError } from '../errors';
import { FlowClosedError, FlowRefusedError, flowResult, queryFlow, startFlow, updateFlow, updateWithStartFlow, type FlowTarget } from './client';
import type { InteractionReply } from './flow';
import {
  cancelVerification,
  checkVerification,
  showVerification,
  unverifyFlow,
  verifyFlow,
  verifyStatusQuery,
  verifyWorkflowId,
  type UnverifyResult,
  type VerifyInput,
  type VerifyView,
} from './verify';

/**
 * How the bot and the API reach the verification flows. Nothing here waits for a member: the `show` update
 * answers once the phrase exists (a Roblox lookup), and the caller has acknowledged the interaction first.
 */

/**
 * Starts `verify:{guild}:{user}` or, when one is pending, joins it (update-with-start): a second /verify
 * gets the same phrase. A finished run is followed by a new one.
 */
export async function startOrShowVerification(
  target: FlowTarget,
  input: { guildId: string; userId: string; username: string; memberName: string; reply: InteractionReply | null },
): Promise<VerifyView> {
  for (let attempt = 1; ; attempt++) {
    const { workflowId, runId, result: view } = await updateWithStartFlow(target, verifyFlow, [input.guildId, input.userId], {
      guildId: input.guildId,
      userId: input.userId,
      summary: `Roblox verification of ${input.memberName} (${input.userId}) as ${input.username}`,
      input: { guildId: input.guildId, userId: input.userId, username: input.username } satisfies VerifyInput,
      update: showVerification,
      updateArgs: [{ username: input.username, reply: input.reply }],
    });
    if (!view.ended || attempt >= 3) return view;
    // Joined a run in its last steps (it had just ended): once it has closed, however it ended, the next
    // try starts a new one.
    await flowResult(target.temporal, workflowId, runId).catch(() => undefined);
  }
}

/**
 * Starts a run that no interaction waits on (admin force, the API): it ends by itself. `replacePending`
 * ends a pending verification of the member; without it a pending one is refused (409).
 */
export async function startVerificationRun(target: FlowTarget, input: VerifyInput & { summary: string; replacePending: boolean }): Promise<{ workflowId: string; runId: string }> {
  const { summary, replacePending, ...args } = input;
  const { workflowId, started, runId } = await startFlow(target, verifyFlow, [input.guildId, input.userId], {
    guildId: input.guildId,
    userId: input.userId,
    summary,
    input: args,
    conflict: replacePending ? 'replace' : 'fail',
  });
  if (!started || !runId) throw new AppError('verification_pending', `<@${input.userId}> already has a verification pending (${workflowId}).`, 409);
  return { workflowId, runId };
}

/** The outcome of a run startVerificationRun started. */
export const verificationOutcome = (temporal: Client, run: { workflowId: string; runId: string }): Promise<VerifyView> => flowResult<VerifyView>(temporal, run.workflowId, run.runId);

/** Runs `unverify:{guild}:{user}` to its end (a few Discord calls) and returns what it did; a running one is joined. */
export async function runUnverify(target: FlowTarget, input: { guildId: string; userId: string; actorId: string; summary: string }): Promise<UnverifyResult> {
  const { workflowId, runId } = await startFlow(target, unverifyFlow, [input.guildId, input.userId], {
    guildId: input.guildId,
    userId: input.userId,
    summary: input.summary,
    input: { guildId: input.guildId, userId: input.userId, actorId: input.actorId },
    conflict: 'join',
  });
  return flowResult<UnverifyResult>(target.temporal, workflowId, runId ?? undefined);
}

/**
 * Sends Check or Cancel to the member's verification; a refusal (too many checks, a check running) keeps
 * the flow's words; a run that has ended answers with its final state.
 */
export async function updateVerification(temporal: Client | null | undefined, guildId: string, userId: string, send: 'check' | 'cancel', reply: InteractionReply | null): Promise<VerifyView> {
  const workflowId = verifyWorkflowId(guildId, userId);
  try {
    return send === 'check' ? await updateFlow(temporal, workflowId, checkVerification, { reply }) : await updateFlow(temporal, workflowId, cancelVerification);
  } catch (err) {
    if (err instanceof FlowRefusedError) throw new AppError('verification_refused', err.message);
    if (!(err instanceof FlowClosedError)) throw err;
    const final = await queryFlow(temporal, workflowId, verifyStatusQuery);
    if (!final) throw new AppError('verification_not_found', 'There is no verification to continue: use /verify to start one.');
    return { ...final, note: 'This verification has already ended.' };
  }
}
