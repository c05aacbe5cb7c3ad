import { poolOf, type SqlPool } from '../../prisma/transactions';
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

/** What task_claim (the *_task_claim_events_without_notify migration) answers. */
interface ClaimAnswer {
  outcome: 'taken' | 'replayed' | 'task_not_found' | 'already_claimed' | 'proposed' | 'not_open' | 'not_assigned' | 'active_limit' | 'task_full';
  name: string | null;
  claimStatus: string | null;
  active: number;
  maxActivePerUser: number;
  maxClaims: number | null;
  reward: string | null;
  assetCode: string | null;
  roleId: string | null;
  proofType: string | null;
  reviewerLevel: PermissionLevel;
  revokeWindowSeconds: number;
  deadlineAt: string | null;
  slotsTaken: number | null;
}

const CLAIM = { name: 'gf_task_claim', text: 'SELECT task_claim($1, $2, $3, $4) AS r' };

/**
 * Takes a slot of the task for the member, after the checks: the task is active and not expired, the member
 * may claim it (assigned members), has not claimed it before, and is under the guild's active-task limit.
 * One call of the PL/pgSQL function task_claim on the app's pool — one round trip and one transaction (it
 * is the hot path of a rush on a task): the per-(guild, member) advisory lock (the limit), the look-up, the
 * checks, the conditional UPDATE of the task's counter (max claims) and the claim's insert. A refusal
 * changes nothing (a guild's first claim stores its default task settings, as their first read does).
 * Again for the same claim id (a retried activity): the stored claim.
 */
export async function claimTask(db: PrismaClient | SqlPool, input: { claimId: string; guildId: string; taskId: number; userId: string }): Promise<ClaimResult> {
  const { rows } = await poolOf(db).query<{ r: ClaimAnswer }>({ ...CLAIM, values: [input.guildId, input.taskId, input.userId, input.claimId] });
  const a = rows[0]!.r;
  const name = a.name ?? '';
  switch (a.outcome) {
    case 'taken':
    case 'replayed':
      return {
        ok: true,
        replayed: a.outcome === 'replayed',
        claim: {
          ...input,
          taskName: name,
          reward: BigInt(a.reward!),
          assetCode: a.assetCode!,
          roleId: a.roleId,
          deadlineAt: new Date(a.deadlineAt!),
          proofType: a.proofType!,
          reviewerLevel: a.reviewerLevel,
          revokeWindowSeconds: a.revokeWindowSeconds,
          slotsTaken: a.slotsTaken!,
        },
      };
    case 'task_not_found':
      return refuse('task_not_found', 'This task no longer exists.');
    case 'already_claimed':
      return refuse('already_claimed', alreadyClaimed(name, a.claimStatus!));
    case 'proposed':
      return refuse('task_not_open', `**${name}** is a proposal an admin has not opened yet.`);
    case 'not_open':
      return refuse('task_not_open', `**${name}** is not taking claims any more.`);
    case 'not_assigned':
      return refuse('not_assigned', `**${name}** is assigned to particular members only.`);
    case 'active_limit':
      return refuse(
        'active_limit',
        `You already have ${a.active} open task${a.active === 1 ? '' : 's'} (the limit is ${a.maxActivePerUser}): finish or abandon one first (/task mine).`,
      );
    case 'task_full':
      return refuse('task_full', `All ${a.maxClaims} slots of **${name}** are taken.`);
  }
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
