import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PermissionLevel } from '../permissions';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES } from './flow';

/**
 * A training or tryout session on a pad, workflow id `pad:{guild}:{pad}` (workflows/pad.ts): the id is
 * the booking, so a pad runs one session at a time and two hosts starting at the same instant get one
 * session between them. It waits for `end` (the host, or an admin) or its maximum duration.
 */

export const PAD_TYPES = ['training', 'tryout'] as const;
export type PadType = (typeof PAD_TYPES)[number];
/** Pads are numbered 1..padCount, and a guild has at most this many. */
export const MAX_PADS = 9;

export interface PadSessionInput {
  guildId: string;
  pad: number;
  type: PadType;
  hostId: string;
  description: string | null;
  /** From the guild's pad settings for this type (tests pass seconds). */
  maxSeconds: number;
  /** The host is reminded this long before the maximum; 0 (or not less than the maximum): no reminder. */
  reminderLeadSeconds: number;
}

/** `host`: the host ended it; `admin`: an admin did (force end); `max_duration`: the timer did. */
export type PadEndReason = 'host' | 'admin' | 'max_duration';

export interface PadSessionState {
  pad: number;
  type: PadType;
  hostId: string;
  description: string | null;
  status: 'running' | 'ended';
  /** ISO workflow time. */
  startedAt: string;
  /** When the maximum duration ends it (ISO). */
  endsAt: string;
  endedAt: string | null;
  endedBy: string | null;
  endReason: PadEndReason | null;
}

/** Who asks to end a session, as the bot or the API found them; the flow checks it again. */
export interface PadEndRequest {
  /** The server the request comes from (the interaction's or the token's): another server's is refused. */
  guildId: string;
  /** A Discord user id, or null for an API token. */
  userId: string | null;
  level: PermissionLevel;
}

export interface PadEndResult {
  endedBy: string | null;
  endReason: PadEndReason;
}

export const padStatusQuery = defineQuery<PadSessionState>('status');
export const endPadUpdate = defineUpdate<PadEndResult, [PadEndRequest]>('end');

export const padFlowId = (guildId: string, pad: number): string => `pad:${guildId}:${pad}`;
export const padFlow = defineFlow({ type: 'padSession', kind: 'pad', id: padFlowId });

/** Pad refusals (activities/pads/errors.ts raises them; `refused` is the end update's validator's). */
export const PAD_FAILURES = {
  refused: 'PadRefused',
  state: 'PadState',
} as const;

/** The one list of the pad flow's non-retryable failure types. */
export const PAD_REFUSALS: readonly string[] = [...Object.values(PAD_FAILURES), ...INPUT_FAILURES, ...DISCORD_REFUSALS];
