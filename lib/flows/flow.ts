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
