import { ActivityFailure, ApplicationFailure, isCancellation, log, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { FailureInfo } from '../lib/flows/flow';
import { DiscordUserId, FlowKind, GuildId } from '../lib/search-attributes';

/** Helpers every workflow uses, so each flow reads as its steps and nothing else. */

/**
 * The failure type and message of what an activity (or the workflow itself) threw: an
 * ApplicationFailure keeps its type; a cancellation is `cancelled`; anything else is `Unexpected`.
 */
export function failureOf(err: unknown, cancelled: FailureInfo = { type: 'Cancelled', message: 'The flow was cancelled.' }): FailureInfo {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (isCancellation(err)) return cancelled;
  return { type: 'Unexpected', message: cause instanceof Error ? cause.message : String(cause) };
}

/** Telling people never undoes a flow's outcome: a failure to notify is logged, not thrown. */
export async function tell(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn(`could not ${what}`, { failure: failureOf(err) });
  }
}

/** Tags the flow for the Temporal UI's lists: its guild, its member (if any) and its kind. */
export function tagFlow(kind: string, guildId: string, userId?: string): void {
  upsertSearchAttributes([{ key: GuildId, value: guildId }, ...(userId ? [{ key: DiscordUserId, value: userId }] : []), { key: FlowKind, value: kind }]);
}

/**
 * What the Temporal UI shows as the flow's current details: a bold headline, then the lines that are
 * set. Costs no history event, so it can change at every step.
 */
export function showDetails(headline: string, ...lines: DetailLine[]): void {
  setDetails(`**${headline}**`, lines);
}

/** Moves a flow's state to a step and shows it as `**status** · step`, then the lines. */
export function progress<Step extends string>(state: { status: string; step: Step }, step: Step, ...lines: DetailLine[]): void {
  state.step = step;
  setDetails(`**${state.status}** · ${step.replace(/_/g, ' ')}`, lines);
}

/** A line of current details; unset ones are left out. */
type DetailLine = string | null | undefined | false;

function setDetails(first: string, lines: DetailLine[]): void {
  setCurrentDetails([first, ...lines.filter((l): l is string => typeof l === 'string' && l.length > 0)].join('\n'));
}

/** Workflow time (replayed from history), in milliseconds. */
export const nowMs = (): number => new Date().getTime();
