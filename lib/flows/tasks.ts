import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PermissionLevel } from '../permissions';
import type { GrantName } from '../grants';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type InteractionReply, type Patience } from './flow';
import { LEDGER_REFUSALS } from './ledger';

/**
 * Tasks' public face: the claim flow `task:{taskId}:{userId}` (its updates, signal, query, input and
 * state), the task message flow `task-message:{guildId}:{taskId}`, and the failure types. Pure.
 */

/** Failure types of tasks. `refused` is the claim's update validators' refusal, not an activity failure. */
export const TASK_FAILURES = {
  taskNotFound: 'TaskNotFound',
  claimNotFound: 'ClaimNotFound',
  claimState: 'ClaimState',
  taskState: 'TaskState',
  refused: 'Refused',
} as const;

/** The one list of what a retry cannot fix in the task flows' activities. */
export const TASK_REFUSALS: readonly string[] = [
  TASK_FAILURES.taskNotFound,
  TASK_FAILURES.claimNotFound,
  TASK_FAILURES.claimState,
  TASK_FAILURES.taskState,
  ...INPUT_FAILURES,
  ...LEDGER_REFUSALS,
  ...DISCORD_REFUSALS,
];

export interface TaskClaimInput {
  guildId: string;
  taskId: number;
  userId: string;
  /** The Claim button's deferred reply, edited with the outcome while its token is valid. */
  reply?: InteractionReply | null;
  /** How long a step that must happen is retried before the flow is marked stuck (default: DEFAULT_PATIENCE). */
  patience?: Patience | null;
}

export type TaskClaimStatus = 'claiming' | 'refused' | 'claimed' | 'submitted' | 'awarding' | 'completed' | 'expired' | 'abandoned' | 'cancelled' | 'revoked';

export interface TaskClaimState {
  claimId: string;
  status: TaskClaimStatus;
  refusal: string | null;
  deadlineAt: string | null;
  submissions: number;
  lastRejectReason: string | null;
  awardFailure: string | null;
  decidedBy: string | null;
  reviewerLevel: PermissionLevel | null;
  /** ISO time until which an accepted award may be revoked. */
  revokableUntil: string | null;
}

/** What the claim's workflow keeps about its claim (amounts as decimal strings). */
export interface ClaimView {
  claimId: string;
  guildId: string;
  taskId: number;
  userId: string;
  taskName: string;
  reward: string;
  assetCode: string;
  roleId: string | null;
  /** ISO time by which a proof must be in. */
  deadlineAt: string;
  proofType: string;
  /** Lowest level that may review (from the guild's settings when claimed). */
  reviewerLevel: PermissionLevel;
  revokeWindowSeconds: number;
}

export type ClaimActivityResult = { ok: true; claim: ClaimView } | { ok: false; code: string; reason: string };

export interface ProofInput {
  userId: string;
  text: string | null;
  urls: string[];
}
export interface DecisionInput {
  /** The server the reviewer acts in (the interaction's or the token's); the claim refuses another. */
  guildId: string;
  decision: 'accept' | 'reject';
  reviewerId: string;
  /** The reviewer's level, as the bot or the API found it. */
  reviewerLevel: PermissionLevel;
  /** Grants that let the reviewer decide below the claim's reviewer level (`review_tasks`), as found with the level. */
  reviewerGrants?: readonly GrantName[];
  reason?: string | null;
}
export interface RevokeInput {
  /** The server the reviewer acts in; the claim refuses another. */
  guildId: string;
  reviewerId: string;
  reviewerLevel: PermissionLevel;
  reviewerGrants?: readonly GrantName[];
  reason: string;
}
export interface ActionResult {
  ok: boolean;
  status: TaskClaimStatus;
  message: string;
}

export const taskClaimStatusQuery = defineQuery<TaskClaimState>('status');
export const submitProofUpdate = defineUpdate<ActionResult, [ProofInput]>('submitProof');
export const decideUpdate = defineUpdate<ActionResult, [DecisionInput]>('decide');
export const revokeUpdate = defineUpdate<ActionResult, [RevokeInput]>('revoke');
export const abandonUpdate = defineUpdate<ActionResult, [{ userId: string }]>('abandon');
/** The task was deleted: the claim ends, its member is told. */
export const cancelClaimSignal = defineSignal<[{ reason: string }]>('cancelClaim');

/** The claim's id is its workflow's id. */
export const taskClaimWorkflowId = (taskId: number, userId: string): string => `task:${taskId}:${userId}`;
export const taskClaimFlow = defineFlow({ type: 'taskClaim', kind: 'task', id: taskClaimWorkflowId });
/** The ledger key under which a revoke takes a claim's award back (the consistency report looks there too). */
export const taskRevokeKey = (claimId: string): string => `${claimId}:revoke`;

export interface TaskMessageInput {
  guildId: string;
  taskId: number;
}
export const taskMessageChangedSignal = defineSignal('changed');
// The guild is part of the id: task ids are one database's, and Temporal namespaces can outlive or be shared by it.
const taskMessageWorkflowId = (guildId: string, taskId: number): string => `task-message:${guildId}:${taskId}`;
export const taskMessageFlow = defineFlow({ type: 'taskMessage', kind: 'task-message', id: taskMessageWorkflowId });
