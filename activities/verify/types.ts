/**
 * What the verification workflow (workflows/verify.ts) shows: its state, returned by its updates and its
 * `status` query, and rendered into messages by messages.ts. Types only: safe to import in workflows.
 */
export type VerifyPhase = 'resolving' | 'waiting' | 'linking' | 'verified' | 'failed' | 'expired' | 'cancelled';
export type VerifyMethod = 'profile_phrase' | 'admin';

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

export interface FailureInfo {
  type: string;
  message: string;
}
