import { poolOf, type SqlPool } from '../../prisma/transactions';
import type pg from 'pg';
import type { PermissionLevel } from '../../lib/permissions';
import type { Prisma, PrismaClient, TaskClaim } from '../../prisma/client';
import { claimNotFound, claimState } from './errors';

/**
 * A member's claim of a task (task_claims), each run by the workflow `task:{taskId}:{user}` whose id is the
 * claim's id. Every change is one transaction on the claim row (locked), keyed so a retried activity
 * changes nothing the second time. The task's slot is taken by one conditional UPDATE of its row
 * (`slots_taken < max_claims`), so concurrent claims can never take more slots than there are.
 */

const OPEN_STATUSES = ['claimed', 'submitted'] as const;
export type ClaimStatus = 'claimed' | 'submitted' | 'completed' | 'expired' | 'abandoned' | 'cancelled' | 'revoked';

/** A slot taken: what the claim's workflow keeps (amounts as bigint; the activity turns them into strings). */
export interface ClaimTaken {
  claimId: string;
  guildId: string;
  taskId: number;
  userId: string;
  taskName: string;
  reward: bigint;
  assetCode: string;
  roleId: string | null;
  deadlineAt: Date;
  proofType: string;
  reviewerLevel: PermissionLevel;
  revokeWindowSeconds: number;
  /** The task's slots taken, this one included. */
  slotsTaken: number;
}

export type ClaimResult = { ok: true; claim: ClaimTaken; replayed: boolean } | { ok: false; code: string; reason: string };

const refuse = (code: string, reason: string): ClaimResult => ({ ok: false, code, reason });

interface ClaimLookup {
  task_id: number | null;
  name: string;
  status: string;
  deleted: boolean;
  past_expiry: boolean;
  assigned_user_ids: string[];
  max_claims: number | null;
  claim_duration_seconds: number;
  reward: string;
  asset_code: string;
  role_id: string | null;
  proof_type: string;
  slots_taken: number;
  auto_expire: boolean;
  max_active_per_user: number;
  reviewer_level: PermissionLevel;
  revoke_window_seconds: number;
  claim_id: string | null;
  claim_status: string | null;
  claim_submissions: number | null;
  claim_deadline: Date | null;
  active: number;
}

/** Everything the checks need, in one round trip (the settings row must exist). */
const LOOKUP = `
  SELECT t.id AS task_id, t.name, t.status, t.deleted_at IS NOT NULL AS deleted,
         (t.expires_at IS NOT NULL AND t.expires_at <= now()) AS past_expiry, t.assigned_user_ids, t.max_claims,
         t.claim_duration_seconds, t.reward::text AS reward, t.asset_code, t.role_id, t.proof_type, t.slots_taken,
         s.auto_expire, s.max_active_per_user, s.reviewer_level::text AS reviewer_level, s.revoke_window_seconds,
         c.id AS claim_id, c.status AS claim_status, c.submissions AS claim_submissions, c.deadline_at AS claim_deadline,
         (SELECT count(*)::int FROM task_claims a WHERE a.guild_id = $1 AND a.user_id = $3 AND a.status IN ('claimed', 'submitted')) AS active
  FROM task_settings s
  LEFT JOIN tasks t ON t.id = $2 AND t.guild_id = $1
  LEFT JOIN task_claims c ON c.task_id = t.id AND c.user_id = $3
  WHERE s.guild_id = $1`;

/**
 * Takes a slot of the task for the member, after the checks: the task is active and not expired, the member
 * may claim it (assigned members), has not claimed it before, and is under the guild's active-task limit.
 * One transaction in plain SQL on the app's pool (it is the hot path of a rush on a task), four round trips:
 * BEGIN with the per-(guild, member) advisory lock (the limit), one look-up, the conditional UPDATE of the
 * task's counter (max claims) with the claim's insert in one statement, COMMIT. The look-up is a statement
 * of its own after the lock, so its snapshot sees any claim of the member committed while this one waited.
 * A refusal changes nothing. Again for the same claim id (a retried activity): the stored claim.
 */
export async function claimTask(db: PrismaClient | SqlPool, input: { claimId: string; guildId: string; taskId: number; userId: string }): Promise<ClaimResult> {
  const client = await poolOf(db).connect();
  try {
    // One simple-protocol round trip (no parameters there: the key goes in as an escaped literal).
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${client.escapeLiteral(`tasks:${input.guildId}:${input.userId}`)}, 0))`);
    const params = [input.guildId, input.taskId, input.userId];
    let row = (await client.query<ClaimLookup>(LOOKUP, params)).rows[0];
    if (!row) {
      await client.query('INSERT INTO task_settings (guild_id, updated_at) VALUES ($1, now()) ON CONFLICT DO NOTHING', [input.guildId]);
      row = (await client.query<ClaimLookup>(LOOKUP, params)).rows[0]!;
    }
    const result = await decide(client, input, row);
    await client.query(result.ok && !result.replayed ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function decide(client: pg.PoolClient, input: { claimId: string; guildId: string; taskId: number; userId: string }, row: ClaimLookup): Promise<ClaimResult> {
  if (row.task_id === null || row.deleted) return refuse('task_not_found', 'This task no longer exists.');
  const taken = (deadlineAt: Date, slotsTaken: number): ClaimTaken => ({
    claimId: input.claimId,
    guildId: input.guildId,
    taskId: input.taskId,
    userId: input.userId,
    taskName: row.name,
    reward: BigInt(row.reward),
    assetCode: row.asset_code,
    roleId: row.role_id,
    deadlineAt,
    proofType: row.proof_type,
    reviewerLevel: row.reviewer_level,
    revokeWindowSeconds: row.revoke_window_seconds,
    slotsTaken,
  });
  if (row.claim_id) {
    // The same claim again (the activity retried): what it stored. Anything else: claimed before.
    if (row.claim_id === input.claimId && row.claim_status === 'claimed' && row.claim_submissions === 0) {
      return { ok: true, claim: taken(row.claim_deadline!, row.slots_taken), replayed: true };
    }
    return refuse('already_claimed', alreadyClaimed(row.name, row.claim_status!));
  }
  if (row.status === 'proposed') return refuse('task_not_open', `**${row.name}** is a proposal an admin has not opened yet.`);
  if (row.status !== 'active' || (row.auto_expire && row.past_expiry)) return refuse('task_not_open', `**${row.name}** is not taking claims any more.`);
  if (row.assigned_user_ids.length && !row.assigned_user_ids.includes(input.userId)) {
    return refuse('not_assigned', `**${row.name}** is assigned to particular members only.`);
  }
  if (row.active >= row.max_active_per_user) {
    return refuse('active_limit', `You already have ${row.active} open task${row.active === 1 ? '' : 's'} (the limit is ${row.max_active_per_user}): finish or abandon one first (/task mine).`);
  }
  // The slot and the claim in one statement: no free slot, no row inserted.
  const inserted = await client.query<{ deadline_at: Date; slots_taken: number }>(
    `WITH slot AS (
       UPDATE tasks SET slots_taken = slots_taken + 1, updated_at = now()
        WHERE id = $3 AND (max_claims IS NULL OR slots_taken < max_claims) RETURNING slots_taken)
     INSERT INTO task_claims (id, guild_id, task_id, user_id, status, deadline_at, updated_at)
     SELECT $1, $2, $3, $4, 'claimed', now() + make_interval(secs => $5), now() FROM slot
     RETURNING deadline_at, (SELECT slots_taken FROM slot) AS slots_taken`,
    [input.claimId, input.guildId, input.taskId, input.userId, row.claim_duration_seconds],
  );
  const claim = inserted.rows[0];
  if (!claim) return refuse('task_full', `All ${row.max_claims} slots of **${row.name}** are taken.`);
  return { ok: true, claim: taken(claim.deadline_at, claim.slots_taken), replayed: false };
}

function alreadyClaimed(name: string, status: string): string {
  switch (status as ClaimStatus) {
    case 'claimed':
    case 'submitted':
      return `You already claimed **${name}**: see /task mine.`;
    case 'completed':
      return `You already completed **${name}**.`;
    default:
      return `You already had **${name}** (${status}); a task can be claimed once.`;
  }
}

/** Locks the claim row for the rest of the transaction. */
async function lockClaim(tx: Prisma.TransactionClient, claimId: string): Promise<TaskClaim> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM task_claims WHERE id = ${claimId} FOR UPDATE`;
  if (!rows[0]) throw claimNotFound(claimId);
  return tx.taskClaim.findUniqueOrThrow({ where: { id: claimId } });
}

/** Records proof number `submission` (1, 2, … per claim): 'claimed' → 'submitted'. Again: no change. */
export async function submitProof(prisma: PrismaClient, input: { claimId: string; submission: number; text: string | null; urls: string[] }): Promise<TaskClaim> {
  return prisma.$transaction(async (tx) => {
    const claim = await lockClaim(tx, input.claimId);
    if (claim.submissions >= input.submission) return claim;
    if (claim.status !== 'claimed') throw claimState(claim.id, claim.status, 'given a proof');
    return tx.taskClaim.update({
      where: { id: claim.id },
      data: { status: 'submitted', proofText: input.text, proofUrls: input.urls, submissions: input.submission, submittedAt: new Date(), awardFailure: null },
    });
  });
}

export async function setReviewMessage(prisma: PrismaClient, input: { claimId: string; channelId: string; messageId: string }): Promise<void> {
  await prisma.taskClaim.update({ where: { id: input.claimId }, data: { reviewChannelId: input.channelId, reviewMessageId: input.messageId } });
}

/** A reviewer rejected proof `submission`: back to 'claimed' with the reason. Again: no change. */
export async function rejectProof(prisma: PrismaClient, input: { claimId: string; submission: number; reviewerId: string; reason: string }): Promise<TaskClaim> {
  return prisma.$transaction(async (tx) => {
    const claim = await lockClaim(tx, input.claimId);
    if (claim.status === 'claimed' && claim.submissions === input.submission && claim.decidedBy) return claim;
    if (claim.status !== 'submitted' || claim.submissions !== input.submission) throw claimState(claim.id, claim.status, 'rejected');
    return tx.taskClaim.update({
      where: { id: claim.id },
      data: { status: 'claimed', decidedBy: input.reviewerId, decidedAt: new Date(), rejectReason: input.reason, awardFailure: null },
    });
  });
}

/** The award failed: the claim stays 'submitted', the reason shown to reviewers. */
export async function recordAwardFailure(prisma: PrismaClient, input: { claimId: string; reason: string }): Promise<TaskClaim> {
  return prisma.$transaction(async (tx) => {
    const claim = await lockClaim(tx, input.claimId);
    if (claim.status !== 'submitted') throw claimState(claim.id, claim.status, 'marked as not paid');
    return tx.taskClaim.update({ where: { id: claim.id }, data: { awardFailure: input.reason } });
  });
}

/** Accepted and paid: 'submitted' → 'completed', the task's completed counter +1. Again: no change. */
export async function completeClaim(
  prisma: PrismaClient,
  input: { claimId: string; reviewerId: string; rewardPaid: bigint | null; awardKey: string | null; roleGranted: boolean },
): Promise<TaskClaim> {
  return prisma.$transaction(async (tx) => {
    const claim = await lockClaim(tx, input.claimId);
    if (claim.status === 'completed') return claim;
    if (claim.status !== 'submitted') throw claimState(claim.id, claim.status, 'completed');
    await tx.task.update({ where: { id: claim.taskId }, data: { completedCount: { increment: 1 } } });
    return tx.taskClaim.update({
      where: { id: claim.id },
      data: {
        status: 'completed',
        decidedBy: input.reviewerId,
        decidedAt: new Date(),
        completedAt: new Date(),
        rejectReason: null,
        awardFailure: null,
        rewardPaid: input.rewardPaid,
        awardKey: input.awardKey,
        roleGranted: input.roleGranted,
      },
    });
  });
}

/**
 * Ends an open claim ('claimed' or 'submitted') as expired, abandoned or cancelled and frees its slot
 * (expired: the task's expired counter +1). Again with the same status: no change; `changed` says which.
 */
export async function endClaim(prisma: PrismaClient, input: { claimId: string; status: 'expired' | 'abandoned' | 'cancelled' }): Promise<{ claim: TaskClaim; changed: boolean }> {
  return prisma.$transaction(async (tx) => {
    const claim = await lockClaim(tx, input.claimId);
    if (claim.status === input.status) return { claim, changed: false };
    if (!(OPEN_STATUSES as readonly string[]).includes(claim.status)) throw claimState(claim.id, claim.status, input.status);
    await tx.task.update({
      where: { id: claim.taskId },
      data: { slotsTaken: { decrement: 1 }, ...(input.status === 'expired' ? { expiredCount: { increment: 1 } } : {}) },
    });
    return { claim: await tx.taskClaim.update({ where: { id: claim.id }, data: { status: input.status, endedAt: new Date() } }), changed: true };
  });
}

/**
 * A revoked award: 'completed' → 'revoked', what was taken back (and what could not be) recorded, the slot
 * freed and the completed counter -1. Again: no change.
 */
export async function markRevoked(
  prisma: PrismaClient,
  input: { claimId: string; reviewerId: string; reason: string; reversed: bigint; shortfall: bigint; roleRemoved: boolean },
): Promise<TaskClaim> {
  return prisma.$transaction(async (tx) => {
    const claim = await lockClaim(tx, input.claimId);
    if (claim.status === 'revoked') return claim;
    if (claim.status !== 'completed') throw claimState(claim.id, claim.status, 'revoked');
    await tx.task.update({ where: { id: claim.taskId }, data: { slotsTaken: { decrement: 1 }, completedCount: { decrement: 1 } } });
    return tx.taskClaim.update({
      where: { id: claim.id },
      data: {
        status: 'revoked',
        revokedAt: new Date(),
        revokedBy: input.reviewerId,
        revokeReason: input.reason,
        reversedAmount: input.reversed,
        reversalShortfall: input.shortfall,
        roleGranted: claim.roleGranted && !input.roleRemoved,
        endedAt: new Date(),
      },
    });
  });
}
