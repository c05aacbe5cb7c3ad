import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { InteractionReply } from '../discord';
import type { VerifyView } from './types';
import { AppError } from '../../lib/errors';
import { ROBLOX_USERNAME } from '../../lib/roblox/client';
import { DiscordUserId, FlowKind, GuildId } from '../../lib/search-attributes';
import {
  showVerification,
  unverify,
  unverifyWorkflowId,
  verify,
  verifyStatusQuery,
  verifyWorkflowId,
  type UnverifyResult,
  type VerifyInput,
} from '../../workflows/verify';

/**
 * How the bot and the API reach the verification workflows. Nothing here waits for a member: the update
 * answers once the phrase exists (a Roblox lookup), and the caller has acknowledged the interaction first.
 */
export function checkUsername(username: string): string {
  const name = username.trim();
  if (!ROBLOX_USERNAME.test(name)) throw new AppError('invalid_input', `“${username.slice(0, 40)}” is not a Roblox username (3 to 20 letters, digits or underscores).`);
  return name;
}

const attributes = (guildId: string, userId: string) => [
  { key: GuildId, value: guildId },
  { key: DiscordUserId, value: userId },
  { key: FlowKind, value: 'verify' },
];

/**
 * Starts `verify:{guild}:{user}` or, when one is pending, joins it (update-with-start): a second /verify
 * gets the same phrase. A finished run is followed by a new one.
 */
export async function startOrShowVerification(
  deps: { temporal: Client; taskQueue: string },
  input: { guildId: string; userId: string; username: string; memberName: string; reply: InteractionReply | null },
): Promise<VerifyView> {
  const workflowId = verifyWorkflowId(input.guildId, input.userId);
  for (let attempt = 1; ; attempt++) {
    const startWorkflowOperation = new WithStartWorkflowOperation(verify, {
      taskQueue: deps.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: attributes(input.guildId, input.userId),
      staticSummary: `Roblox verification of ${input.memberName} (${input.userId}) as ${input.username}`,
      args: [{ guildId: input.guildId, userId: input.userId, username: input.username } satisfies VerifyInput],
    });
    const view = await deps.temporal.workflow.executeUpdateWithStart(showVerification, { args: [{ username: input.username, reply: input.reply }], startWorkflowOperation });
    if (!view.ended || attempt >= 3) return view;
    // Joined a run in its last steps (it had just ended): once it has closed, the next try starts a new one.
    await (await startWorkflowOperation.workflowHandle()).result().catch(() => undefined);
  }
}

/** Starts a run that no interaction waits on (admin force, the API): it ends by itself. */
export async function startVerificationRun(
  deps: { temporal: Client; taskQueue: string },
  input: VerifyInput & { summary: string; replacePending: boolean },
) {
  const { summary, replacePending, ...args } = input;
  return deps.temporal.workflow.start(verify, {
    taskQueue: deps.taskQueue,
    workflowId: verifyWorkflowId(input.guildId, input.userId),
    workflowIdConflictPolicy: replacePending ? 'TERMINATE_EXISTING' : 'FAIL',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: attributes(input.guildId, input.userId),
    staticSummary: summary,
    args: [args],
  });
}

/** Runs `unverify:{guild}:{user}` to its end (a few Discord calls) and returns what it did. */
export async function runUnverify(deps: { temporal: Client; taskQueue: string }, input: { guildId: string; userId: string; actorId: string; summary: string }): Promise<UnverifyResult> {
  const handle = await deps.temporal.workflow.start(unverify, {
    taskQueue: deps.taskQueue,
    workflowId: unverifyWorkflowId(input.guildId, input.userId),
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: GuildId, value: input.guildId },
      { key: DiscordUserId, value: input.userId },
      { key: FlowKind, value: 'unverify' },
    ],
    staticSummary: input.summary,
    args: [{ guildId: input.guildId, userId: input.userId, actorId: input.actorId }],
  });
  return handle.result();
}

/**
 * Sends an update to the member's verification; a refusal (too many checks, a check running) becomes an
 * AppError with the workflow's words; a run that has ended answers with its final state.
 */
export async function updateVerification(
  temporal: Client,
  guildId: string,
  userId: string,
  send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<VerifyView>,
): Promise<VerifyView> {
  const handle = temporal.workflow.getHandle(verifyWorkflowId(guildId, userId));
  try {
    return await send(handle);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      throw new AppError('verification_refused', cause instanceof ApplicationFailure ? cause.message : 'The verification refused this request.');
    }
    if (err instanceof WorkflowNotFoundError || /already completed|not found/i.test((err as Error).message ?? '')) {
      const final = await handle.query(verifyStatusQuery).catch(() => null);
      if (!final) throw new AppError('verification_not_found', 'There is no verification to continue: use /verify to start one.');
      return { ...final, note: 'This verification has already ended.' };
    }
    throw err;
  }
}
