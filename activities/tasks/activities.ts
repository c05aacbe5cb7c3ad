import { guildflowEmbed } from '../../lib/discord/embeds';
import type { InteractionReply } from '../../lib/flows/flow';
import type { ClaimActivityResult } from '../../lib/flows/tasks';
import type { PermissionLevel } from '../../lib/permissions';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import type { DiscordMessage } from '../discord/activities';
import { guildScope } from '../discord/scope';
import { InsufficientFundsError } from '../ledger/errors';
import { createLedger } from '../ledger/ledger';
import { systemAccount, userAccount } from '../ledger/types';
import { claimTask, completeClaim, endClaim, markRevoked, recordAwardFailure, rejectProof, setReviewMessage, submitProof } from './claims';
import { editChannelMessage, postChannelMessage, renderMemberMessage, renderReviewMessage, syncTaskMessage, type MemberEvent, type ReviewState } from './message';
import { confirmReviewer, type ReviewerCheck } from './reviewer';
import { getTaskSettings } from './tasks';

/**
 * Tasks as Temporal activities for the claim workflow (workflows/task.ts). Every one is keyed by the claim id
 * (= the workflow id) and a step or submission number, so a retry returns the stored result. Amounts cross
 * the workflow boundary as decimal strings. Business refusals are non-retryable ApplicationFailures typed as
 * in errors.ts; Discord failures as activities/discord classifies them.
 */

export function createTaskActivities({ prisma, log, discord, guildDirectory, discordActivities: d }: FeatureDeps) {
  const tlog = log.child({ component: 'tasks' });
  const rest = discord ?? null;
  const scope = guildScope({ discord, guildDirectory });
  const ledger = createLedger(prisma);

  async function notify(userId: string, reply: InteractionReply | null | undefined, message: DiscordMessage) {
    const result = await d.discordNotifyMember({ userId, reply: reply ?? null, message });
    if (result.via === 'none') tlog.info({ userId, why: result.why }, 'member could not be told');
    return { via: result.via };
  }

  return defineActivities(log, 'tasks', {
    /** Takes a slot for the member (all checks, atomically); a refusal is `{ ok: false }` with the reason. */
    async taskClaim(input: { claimId: string; guildId: string; taskId: number; userId: string }): Promise<ClaimActivityResult> {
      const r = await claimTask(prisma, input);
      if (!r.ok) return r;
      const c = r.claim;
      return {
        ok: true,
        claim: {
          claimId: c.claimId,
          guildId: c.guildId,
          taskId: c.taskId,
          userId: c.userId,
          taskName: c.taskName,
          reward: c.reward.toString(),
          assetCode: c.assetCode,
          roleId: c.roleId,
          deadlineAt: c.deadlineAt.toISOString(),
          proofType: c.proofType,
          reviewerLevel: c.reviewerLevel,
          revokeWindowSeconds: c.revokeWindowSeconds,
        },
      };
    },
    async taskSubmitProof(input: { claimId: string; submission: number; text: string | null; urls: string[] }): Promise<{ submissions: number }> {
      return { submissions: (await submitProof(prisma, input)).submissions };
    },
    /** Posts the latest proof in the review channel (Accept / Reject) and records the message. */
    async taskPostReview(input: { claimId: string }): Promise<{ posted: boolean }> {
      const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { id: input.claimId } });
      const settings = await getTaskSettings(prisma, claim.guildId);
      const channelId = settings.reviewChannelId;
      if (!channelId) {
        // Reviewers can still decide from the API; the admin log says where proofs would go.
        await d.discordPostAdminLog({
          guildId: claim.guildId,
          message: { embeds: [guildflowEmbed({ outcome: 'warning', title: 'A task proof waits for review', description: `No review channel is set (/task-admin settings review_channel). Claim ${claim.id}.`, flowId: claim.id })] },
        });
        return { posted: false };
      }
      await scope.requireGuildChannel(claim.guildId, channelId, 'post the proof for review');
      const message = await postChannelMessage(rest, channelId, await renderReviewMessage(prisma, claim.id, 'pending'));
      await setReviewMessage(prisma, { claimId: claim.id, channelId, messageId: message.id });
      return { posted: true };
    },
    /** Shows the review post's new state (buttons follow it); nothing when there is none or it was deleted. */
    async taskUpdateReview(input: { claimId: string; state: ReviewState }): Promise<{ edited: boolean }> {
      const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { id: input.claimId } });
      if (!claim.reviewChannelId || !claim.reviewMessageId) return { edited: false };
      if (!(await scope.isGuildChannel(claim.guildId, claim.reviewChannelId))) return { edited: false };
      const edited = await editChannelMessage(rest, claim.reviewChannelId, claim.reviewMessageId, await renderReviewMessage(prisma, claim.id, input.state));
      return { edited: edited !== null };
    },
    async taskRejectProof(input: { claimId: string; submission: number; reviewerId: string; reason: string }): Promise<{ status: string }> {
      return { status: (await rejectProof(prisma, input)).status };
    },
    /** Who accepted, checked by us (token or Discord member, their level now) before anything is awarded. */
    async taskConfirmReviewer(input: { guildId: string; reviewerId: string; claimantId: string; required: PermissionLevel }): Promise<ReviewerCheck> {
      const check = await confirmReviewer(prisma, scope.directory, input);
      if (!check.ok) tlog.warn({ guildId: input.guildId, reviewerId: input.reviewerId, reason: check.reason }, 'a task decision from an unconfirmed reviewer was refused');
      return check;
    },
    async taskRecordAwardFailure(input: { claimId: string; reason: string }): Promise<{ status: string }> {
      return { status: (await recordAwardFailure(prisma, input)).status };
    },
    async taskComplete(input: { claimId: string; reviewerId: string; rewardPaid: string | null; awardKey: string | null; roleGranted: boolean }): Promise<{ status: string }> {
      return {
        status: (await completeClaim(prisma, { ...input, rewardPaid: input.rewardPaid === null ? null : BigInt(input.rewardPaid) })).status,
      };
    },
    /** Ends an open claim (expired / abandoned / cancelled) and frees its slot. */
    async taskEndClaim(input: { claimId: string; status: 'expired' | 'abandoned' | 'cancelled' }): Promise<{ changed: boolean }> {
      return { changed: (await endClaim(prisma, input)).changed };
    },
    /**
     * Takes an award back (a 'reversal' entry, member → issuance, under `key`): all of it, or what the member
     * still has when they spent some — never below zero; what is missing is the `shortfall`. Once per key.
     */
    async taskReverseAward(input: { claimId: string; key: string; reviewerId: string; reason: string }): Promise<{ reversed: string; shortfall: string }> {
      const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { id: input.claimId }, include: { task: true } });
      const paid = claim.rewardPaid ?? 0n;
      const reversedOf = (amount: bigint) => ({ reversed: amount.toString(), shortfall: (paid - amount).toString() });
      const done = await ledger.entry(input.key);
      if (done) {
        const taken = done.postings.find((p) => p.account.ownerType === 'user');
        return reversedOf(taken ? -taken.amount : 0n);
      }
      for (let attempt = 0; attempt < 5; attempt++) {
        const { available } = await ledger.balance(claim.guildId, userAccount(claim.userId), claim.task.assetCode);
        const amount = available < paid ? (available > 0n ? available : 0n) : paid;
        if (amount === 0n) return reversedOf(0n);
        try {
          await ledger.transfer({
            guildId: claim.guildId,
            key: input.key,
            type: 'reversal',
            actor: input.reviewerId.startsWith('token:') ? { type: 'api_token', id: input.reviewerId.slice('token:'.length) } : { type: 'user', id: input.reviewerId },
            reason: `Task award revoked: ${claim.task.name} — ${input.reason}`.slice(0, 1000),
            refs: { taskId: claim.taskId, claimId: claim.id, awardKey: claim.awardKey },
            asset: claim.task.assetCode,
            from: userAccount(claim.userId),
            to: systemAccount('issuance'),
            amount,
          });
          return reversedOf(amount);
        } catch (err) {
          if (!(err instanceof InsufficientFundsError)) throw err;
          // The member spent some between the balance read and the transfer: read again.
        }
      }
      throw new Error(`Could not settle the reversal of ${input.claimId}: the member's balance keeps changing.`);
    },
    async taskMarkRevoked(input: { claimId: string; reviewerId: string; reason: string; reversed: string; shortfall: string; roleRemoved: boolean }): Promise<{ status: string }> {
      return {
        status: (await markRevoked(prisma, { ...input, reversed: BigInt(input.reversed), shortfall: BigInt(input.shortfall) })).status,
      };
    },
    /** Tells the member about their claim: the reply to their button while valid, else a DM. */
    async taskNotifyMember(input: { claimId: string; event: MemberEvent; reply?: InteractionReply | null; detail?: string | null }): Promise<{ via: string }> {
      const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { id: input.claimId }, select: { userId: true } });
      return notify(claim.userId, input.reply, await renderMemberMessage(prisma, input.claimId, input.event, input.detail));
    },
    /** Tells a member why they could not claim (no claim row exists then). */
    async taskNotifyRefused(input: { taskId: number; userId: string; reason: string; reply?: InteractionReply | null }): Promise<{ via: string }> {
      const task = await prisma.task.findUnique({ where: { id: input.taskId }, select: { name: true } });
      const embed = guildflowEmbed({ outcome: 'error', title: `Could not claim ${task?.name ?? `task #${input.taskId}`}`, description: input.reason });
      return notify(input.userId, input.reply, { embeds: [embed], components: [] });
    },
    /** Brings the task's message (Claim button, counters) up to date. */
    async taskSyncMessage(input: { taskId: number }): Promise<{ action: string; refreshAt: string | null }> {
      const { action, refreshAt } = await syncTaskMessage(prisma, rest, scope, tlog, input.taskId);
      return { action, refreshAt };
    },
  });
}
