import type { Prisma, PrismaClient, Task, TaskClaim, TaskSettings } from '../../prisma/client';
import { claimNotFound, claimState } from './errors';
import { getTaskSettings, isOpen } from './tasks';

/**
 * A member's claim of a task (task_claims), each run by the workflow `task:{taskId}:{user}` whose id is the
 * claim's id. Every change is one transaction on the claim row (locked), keyed so a retried activity
 * changes nothing the second time. The task's slot is taken by one conditional UPDATE of its row
 * (`slots_taken < max_claims`), so concurrent claims can never take more slots than there are.
 */

export const OPEN_STATUSES = ['claimed', 'submitted'] as const;
export type ClaimStatus = 'claimed' | 'submitted' | 'completed' | 'expired' | 'abandoned' | 'cancelled' | 'revoked';

export const claimIdOf = (taskId: number, userId: string): string => `task:${taskId}:${userId}`;

export type ClaimResult =
  | { ok: true; claim: TaskClaim; task: Task; settings: TaskSettings; replayed: boolean }
  | { ok: false; code: string; reason: string };

const refuse = (code: string, reason: string): ClaimResult => ({ ok: false, code, reason });

/**
 * Takes a slot of the task for the member, after the checks: the task is active and not expired, the member
 * may claim it (assigned members), has not claimed it before, and is under the guild's active-task limit.
 * Runs under a per-(guild, member) advisory lock (the limit), and takes the slot with a conditional UPDATE
 * (max claims). A refusal changes nothing. Again for the same claim id (a retried activity): the stored claim.
 */
export async function claimTask(prisma: PrismaClient, input: { claimId: string; guildId: string; taskId: number; userId: string }): Promise<ClaimResult> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`tasks:${input.guildId}:${input.userId}`}, 0))`;
    const settings = await getTaskSettings(tx, input.guildId);
    const task = await tx.task.findFirst({ where: { id: input.taskId, guildId: input.guildId } });
    if (!task || task.deletedAt) return refuse('task_not_found', 'This task no longer exists.');
    const existing = await tx.taskClaim.findUnique({ where: { taskId_userId: { taskId: task.id, userId: input.userId } } });
    if (existing) {
      // The same claim again (the activity retried): what it stored. Anything else: claimed before.
      if (existing.id === input.claimId && existing.status === 'claimed' && existing.submissions === 0) return { ok: true, claim: existing, task, settings, replayed: true };
      return refuse('already_claimed', alreadyClaimed(task, existing));
    }
    if (task.status === 'proposed') return refuse('task_not_open', `**${task.name}** is a proposal an admin has not opened yet.`);
    if (!isOpen(task, settings)) return refuse('task_not_open', `**${task.name}** is not taking claims any more.`);
    if (task.assignedUserIds.length && !task.assignedUserIds.includes(input.userId)) {
      return refuse('not_assigned', `**${task.name}** is assigned to particular members only.`);
    }
    const active = await tx.taskClaim.count({ where: { guildId: input.guildId, userId: input.userId, status: { in: [...OPEN_STATUSES] } } });
    if (active >= settings.maxActivePerUser) {
      return refuse('active_limit', `You already have ${active} open task${active === 1 ? '' : 's'} (the limit is ${settings.maxActivePerUser}): finish or abandon one first (/task mine).`);
    }
    const taken = await tx.$queryRaw<{ slots_taken: number }[]>`
      UPDATE tasks SET slots_taken = slots_taken + 1, updated_at = now()
      WHERE id = ${task.id} AND (max_claims IS NULL OR slots_taken < max_claims)
      RETURNING slots_taken`;
    if (!taken[0]) return refuse('task_full', `All ${task.maxClaims} slots of **${task.name}** are taken.`);
    const claim = await tx.taskClaim.create({
      data: {
        id: input.claimId,
        guildId: input.guildId,
        taskId: task.id,
        userId: input.userId,
        status: 'claimed',
        deadlineAt: new Date(Date.now() + task.claimDurationSeconds * 1000),
      },
    });
    return { ok: true, claim, task: { ...task, slotsTaken: taken[0].slots_taken }, settings, replayed: false };
  });
}

function alreadyClaimed(task: Task, claim: TaskClaim): string {
  switch (claim.status as ClaimStatus) {
    case 'claimed':
    case 'submitted':
      return `You already claimed **${task.name}**: see /task mine.`;
    case 'completed':
      return `You already completed **${task.name}**.`;
    default:
      return `You already had **${task.name}** (${claim.status}); a task can be claimed once.`;
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
