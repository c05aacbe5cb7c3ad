import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * What every flow's public face is made of. A feature's face (`lib/flows/<feature>.ts`) defines its
 * workflow id, signals/updates/queries, input and state types and the one list of its failure types,
 * once; workflows, activities, the bot and the API import it from there. Pure: safe in workflow code.
 */

/** What a flow says went wrong: the failure's type (an ApplicationFailure type) and its message. */
export interface FailureInfo {
  type: string;
  message: string;
}

/** An interaction whose original reply a flow may edit while its token is valid (15 minutes). */
export interface InteractionReply {
  applicationId: string;
  interactionToken: string;
}

/** Refusals any activity may raise for bad input (activities/define.ts maps them). */
export const INPUT_FAILURES = ['InvalidInput', 'NotFound'] as const;

/**
 * A workflow type with its operator-facing kind (the FlowKind search attribute) and its id scheme.
 * `type` is the exported workflow function's name: renaming it breaks running flows and histories.
 */
export interface Flow<Args extends unknown[]> {
  type: string;
  kind: string;
  id(...args: Args): string;
}

export function defineFlow<Args extends unknown[]>(flow: Flow<Args>): Flow<Args> {
  return flow;
}

/**
 * How long a flow keeps trying a step that must not give up (money, stock, and every compensation)
 * before it says so: after `stuckAfterSeconds` of transient failures (the database or a service away)
 * the flow is marked stuck — its `stuck` query, the FlowStuck search attribute, a line in the admin log —
 * and goes on trying in rounds, `retryEverySeconds` apart or at once on the `retryNow` signal. From the
 * flow's input (tests pass seconds); production uses DEFAULT_PATIENCE.
 */
export interface Patience {
  stuckAfterSeconds: number;
  retryEverySeconds: number;
}

export const DEFAULT_PATIENCE: Patience = { stuckAfterSeconds: 300, retryEverySeconds: 60 };

/** A step a flow keeps retrying: which, since when (ISO), the last failure's message. */
export interface StuckStep {
  step: string;
  since: string;
  failure: string;
  rounds: number;
}

/** Every flow that has steps which must happen answers `stuck`: the step it keeps retrying, or null. */
export const stuckQuery = defineQuery<StuckStep | null>('stuck');
/** An admin's "try now": a stuck flow starts its next round at once instead of waiting. */
export const retryNowSignal = defineSignal('retryNow');
