import { z } from 'zod';
import { snowflake } from '../discord/snowflake';
import { announcementIdSchema } from './announcements';

/** A task's editable fields and the claim decisions, as the API, the bot and the dashboard's forms check them. */

const MAX_REWARD = 10n ** 15n;
const PROOF_TYPES = ['text', 'image', 'link'] as const;

const taskFieldsSchema = z
  .object({
    name: z.string().trim().min(1, 'A name is needed.').max(100, 'A name has at most 100 characters.'),
    description: z.string().trim().max(2000, 'A description has at most 2000 characters.'),
    category: z.string().trim().min(1).max(50, 'A category has at most 50 characters.').nullable(),
    reward: z.coerce
      .bigint({ error: 'The reward must be a whole number.' })
      .refine((r) => r >= 0n && r <= MAX_REWARD, `The reward must be between 0 and ${MAX_REWARD}.`),
    assetCode: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be an asset code such as currency or gems'),
    roleId: snowflake.nullable(),
    /** How long one claim has to get its proof in, in seconds (the bot asks for hours). */
    claimDurationSeconds: z.number().int().min(1, 'A claim lasts at least 1 second.').max(365 * 86_400, 'A claim lasts at most a year.'),
    expiresAt: z.coerce.date().nullable(),
    /** null = unlimited */
    maxClaims: z.number().int().min(1, 'Max claims is at least 1 (or unlimited).').max(100_000).nullable(),
    proofType: z.enum(PROOF_TYPES),
    assignedUserIds: z.array(snowflake).max(25, 'At most 25 assigned members.'),
    /** 'closed' stops new claims; 'active' opens the task (also approves a proposal). */
    status: z.enum(['active', 'closed']),
  })
  .strict();

export const taskCreateSchema = taskFieldsSchema.omit({ status: true }).partial().required({ name: true, reward: true });
export const taskPatchSchema = taskFieldsSchema.partial();
export type TaskPatch = z.input<typeof taskPatchSchema>;

/** What is wrong with a task's expiry (it must be in the future), or null; `now` is the checker's clock. */
export function taskExpiryProblem(expiresAt: Date | null | undefined, now = new Date()): string | null {
  return expiresAt && expiresAt.getTime() <= now.getTime() ? 'The task’s expiry must be in the future.' : null;
}

/** A patch that changes nothing is refused (the API would answer it with nothing done). */
export function taskPatchProblem(patch: object): string | null {
  return Object.keys(patch).length === 0 ? 'Nothing to change: give at least one field.' : null;
}

/** A reviewer's decision on a submitted proof. */
export const claimReviewSchema = z
  .object({ decision: z.enum(['accept', 'reject']), reason: z.string().trim().min(1).max(1000).optional() })
  .strict()
  .refine((b) => b.decision === 'accept' || b.reason, { message: 'A rejection needs a reason.', path: ['reason'] });

/** Taking an award back. */
export const claimRevokeSchema = z.object({ reason: z.string().trim().min(1, 'A revoke needs a reason.').max(1000) }).strict();

/** Where a task's card is announced (an `id` of the caller's own makes a retry find the first). */
export const taskAnnounceSchema = z.object({ channelId: snowflake, id: announcementIdSchema.optional() }).strict();
