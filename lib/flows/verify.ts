import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type InteractionReply } from './flow';

/**
 * Roblox verification's public face: the `verify` and `unverify` flows, their ids, updates, query, input
 * and state types, and their failure types. Pure: workflows, activities, the bot and the API import it.
 */

/** Failure types of verification. The Check* ones are the `check` update's refusals, not activity failures. */
export const VERIFY_FAILURES = {
  accountTaken: 'RobloxAccountTaken',
  robloxRefused: 'RobloxRefused',
  robloxNotConfigured: 'RobloxNotConfigured',
  robloxUserGone: 'RobloxUserGone',
  /** Roblox down or rate limiting: retried. */
  robloxUnavailable: 'RobloxUnavailable',
  checkFailed: 'CheckFailed',
  checkBusy: 'CheckBusy',
  checkLimit: 'CheckLimit',
} as const;

/** The one list of what a retry cannot fix in the verification flows' activities. */
export const VERIFY_REFUSALS: readonly string[] = [
  VERIFY_FAILURES.accountTaken,
  VERIFY_FAILURES.robloxRefused,
  VERIFY_FAILURES.robloxNotConfigured,
  VERIFY_FAILURES.robloxUserGone,
  ...INPUT_FAILURES,
  ...DISCORD_REFUSALS,
];

export type VerifyPhase = 'resolving' | 'waiting' | 'linking' | 'verified' | 'failed' | 'expired' | 'cancelled';
export type VerifyMethod = 'profile_phrase' | 'admin';

/** The verification's state: returned by its updates and its `status` query, rendered by activities/verify/messages.ts. */
export interface VerifyView {
  workflowId: string;
  guildId: string;
  userId: string;
  method: VerifyMethod;
  phase: VerifyPhase;
  /** The username the member asked for. */
  username: string;
  roblox: { id: number; name: string; displayName: string } | null;
  phrase: string | null;
  /** ISO time the pending verification expires. */
  expiresAt: string | null;
  expirySeconds: number;
  checksPerMinute: number;
  checks: number;
  /** What the last check found in the profile (trimmed), when it did not match. */
  lastFound: string | null;
  /** Why it failed / what it did (verified: role and nickname). */
  reason: string | null;
  roleGiven: string | null;
  nicknameSet: string | null;
  /** A remark for this answer only, e.g. a second /verify for another username. */
  note: string | null;
  /** Set on a `show` that reached a run which had already ended (the caller starts a new run). */
  ended?: boolean;
}

/** A roblox_links row as activities and workflows pass it (ids as strings, times ISO). */
export interface LinkSnapshot {
  guildId: string;
  userId: string;
  robloxId: string;
  robloxName: string;
  robloxDisplayName: string;
  method: VerifyMethod;
  linkedBy: string | null;
  verifiedAt: string;
  workflowId: string;
  runId: string;
  nicknameSet: string | null;
  nicknameBefore: string | null;
}

export interface VerifySettingsView {
  phraseWords: number;
  expirySeconds: number;
  checksPerMinute: number;
  nicknameTemplate: string | null;
  verifiedRoleId: string | null;
  unverifiedRoleId: string | null;
}

export interface VerifyInput {
  guildId: string;
  userId: string;
  /** The Roblox username to link. */
  username: string;
  /** 'admin': linked by an admin without the phrase (`linkedBy` says who). Default 'profile_phrase'. */
  method?: VerifyMethod;
  linkedBy?: string | null;
  /** An admin's override: an account linked to another member moves to this one. */
  override?: boolean;
  /** 'dm': nobody waits on an update (an API start): the member gets the phrase and the outcome by DM. */
  notify?: 'dm' | null;
}

export interface ShowInput {
  username: string;
  reply?: InteractionReply | null;
}

export const showVerification = defineUpdate<VerifyView, [ShowInput]>('show');
export const checkVerification = defineUpdate<VerifyView, [{ reply?: InteractionReply | null }]>('check');
export const cancelVerification = defineUpdate<VerifyView, []>('cancel');
export const verifyStatusQuery = defineQuery<VerifyView>('status');

export const verifyWorkflowId = (guildId: string, userId: string): string => `verify:${guildId}:${userId}`;
export const verifyFlow = defineFlow({ type: 'verify', kind: 'verify', id: verifyWorkflowId });

export interface UnverifyInput {
  guildId: string;
  userId: string;
  /** Who asked: 'discord:{id}' or 'token:{id}' (an operator's API token). */
  actorId: string;
}

export interface UnverifyResult {
  status: 'removed' | 'not_linked';
  link: LinkSnapshot | null;
  roleRemoved: boolean;
  unverifiedRoleGiven: boolean;
  nicknameRestored: boolean;
  /** What could not be undone on Discord (the admins are told). */
  problems: string[];
}

const unverifyWorkflowId = (guildId: string, userId: string): string => `unverify:${guildId}:${userId}`;
export const unverifyFlow = defineFlow({ type: 'unverify', kind: 'unverify', id: unverifyWorkflowId });
