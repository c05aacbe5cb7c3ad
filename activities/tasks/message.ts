import type { REST } from '@discordjs/rest';
import { ButtonStyle, Routes, type APIEmbed, type APIMessage } from 'discord-api-types/v10';
import { formatAmount } from '../../lib/discord/amounts';
import { buttonRow } from '../../lib/discord/buttons';
import { guildflowEmbed } from '../../lib/discord/embeds';
import type { Logger } from '../../lib/logger';
import type { PrismaClient, Task, TaskSettings } from '../../prisma/client';
import { discordCode, discordNotConfigured, toDiscordFailure } from '../discord/errors';
import type { DiscordMessage } from '../discord/activities';
import type { GuildScope } from '../discord/scope';
import { assetLabel } from '../shop/messages';
import { getTaskSettings, isOpen } from './tasks';

/**
 * A task's message in the guild's task channel: what it is, its Claim button and live counters. The only
 * place that posts or edits it (a later generic message-sync workflow can take this module over whole).
 * `syncTaskMessage` renders from the database and posts (first time, or when the message was deleted) or
 * edits, under a per-task lock so concurrent claims cannot post twice or leave an older count last.
 */

export const TASK_ACTIONS = {
  claim: 'task-claim',
  proof: 'task-proof',
  proofModal: 'task-proof-modal',
  accept: 'task-accept',
  reject: 'task-reject',
  rejectModal: 'task-reject-modal',
  revoke: 'task-revoke',
  revokeModal: 'task-revoke-modal',
  createModal: 'task-create-modal',
  listPage: 'task-list',
} as const;

/** `{taskId}.{userId}`: the claim a review button belongs to. */
const claimKey = (taskId: number, userId: string): string => `${taskId}.${userId}`;
export function parseClaimKey(key: string): { taskId: number; userId: string } | null {
  const m = /^(\d{1,9})\.(\d{15,21})$/.exec(key);
  return m ? { taskId: Number(m[1]), userId: m[2]! } : null;
}

export function formatSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export const relative = (d: Date): string => `<t:${Math.floor(d.getTime() / 1000)}:R>`;

/** "2 / 3 taken" or "2 taken (no limit)". */
export const slotsLine = (task: Pick<Task, 'slotsTaken' | 'maxClaims'>): string =>
  task.maxClaims === null ? `${task.slotsTaken} taken (no limit)` : `${task.slotsTaken} / ${task.maxClaims} taken`;

/** The task message: the task, its counters and the Claim button (disabled when it takes no claims). */
async function renderTaskMessage(prisma: PrismaClient, task: Task, settings: Pick<TaskSettings, 'autoExpire'>): Promise<DiscordMessage> {
  if (task.deletedAt || task.status === 'deleted') {
    return { embeds: [guildflowEmbed({ outcome: 'error', title: `${task.name} (removed)`, description: 'This task was removed by an admin.' })], components: [] };
  }
  const asset = await assetLabel(prisma, task.guildId, task.assetCode);
  const open = isOpen(task, settings);
  const full = task.maxClaims !== null && task.slotsTaken >= task.maxClaims;
  const fields = [
    { name: 'Reward', value: `${formatAmount(asset, task.reward)}${task.roleId ? ` + <@&${task.roleId}>` : ''}`, inline: true },
    { name: 'Claims', value: slotsLine(task), inline: true },
    { name: 'Completed', value: String(task.completedCount), inline: true },
    { name: 'Time to finish', value: formatSeconds(task.claimDurationSeconds), inline: true },
    { name: 'Proof', value: task.proofType, inline: true },
    ...(task.category ? [{ name: 'Category', value: task.category, inline: true }] : []),
    ...(task.expiresAt ? [{ name: 'Open until', value: relative(task.expiresAt), inline: true }] : []),
    ...(task.assignedUserIds.length ? [{ name: 'For', value: task.assignedUserIds.map((u) => `<@${u}>`).join(' '), inline: false }] : []),
  ];
  const state = !open ? (task.status === 'proposed' ? 'proposed' : 'closed') : full ? 'full' : 'open';
  return {
    embeds: [
      guildflowEmbed({
        outcome: state === 'open' ? 'info' : 'warning',
        title: `#${task.id} ${task.name}${state === 'open' ? '' : ` (${state})`}`,
        description: task.description || undefined,
        fields,
      }),
    ],
    components: [buttonRow([{ action: TASK_ACTIONS.claim, key: String(task.id), label: full ? 'All slots taken' : 'Claim', style: ButtonStyle.Success, disabled: state !== 'open' }])],
    allowed_mentions: { parse: [] },
  };
}

/** Posts in a channel; a channel that is gone or closed to the bot is a non-retryable failure saying so. */
export async function postChannelMessage(rest: REST | null, channelId: string, message: DiscordMessage): Promise<APIMessage> {
  if (!rest) throw discordNotConfigured('post messages');
  try {
    return (await rest.post(Routes.channelMessages(channelId), { body: message })) as APIMessage;
  } catch (err) {
    throw toDiscordFailure(err, `post in <#${channelId}>`);
  }
}

/** Edits a message; null when it no longer exists (deleted by someone). */
export async function editChannelMessage(rest: REST | null, channelId: string, messageId: string, message: DiscordMessage): Promise<APIMessage | null> {
  if (!rest) throw discordNotConfigured('edit messages');
  try {
    return (await rest.patch(Routes.channelMessage(channelId, messageId), { body: message })) as APIMessage;
  } catch (err) {
    if (discordCode(err) === 10008 || discordCode(err) === 10003) return null;
    throw toDiscordFailure(err, `edit a message in <#${channelId}>`);
  }
}

/**
 * Brings the task's message up to date: edits it, posts it when the task has none yet or it was deleted
 * (a removed task's message is only edited, never reposted), or does nothing when the guild has no task
 * channel. Serialised per task by an advisory lock held across the render and the Discord call.
 */
export async function syncTaskMessage(
  prisma: PrismaClient,
  rest: REST | null,
  scope: GuildScope,
  log: Logger,
  taskId: number,
): Promise<{ messageId: string | null; action: 'posted' | 'edited' | 'none'; refreshAt: string | null }> {
  const result = await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`task-message:${taskId}`}, 0))`;
      const task = await tx.task.findUnique({ where: { id: taskId } });
      if (!task) return { messageId: null, action: 'none' as const };
      const settings = await getTaskSettings(tx, task.guildId);
      const message = await renderTaskMessage(prisma, task, settings);
      // Stored channel ids are checked again: one of another guild (stored before write-time checks) is never used.
      if (task.messageChannelId && task.messageId && (await scope.isGuildChannel(task.guildId, task.messageChannelId))) {
        const edited = await editChannelMessage(rest, task.messageChannelId, task.messageId, message);
        if (edited) return { messageId: edited.id, action: 'edited' as const };
        log.info({ taskId }, 'task message was deleted; posting it again');
      }
      if (task.deletedAt) return { messageId: null, action: 'none' as const };
      const channelId = settings.taskChannelId;
      if (!channelId) return { messageId: null, action: 'none' as const };
      await scope.requireGuildChannel(task.guildId, channelId, 'post the task');
      const posted = await postChannelMessage(rest, channelId, message);
      await tx.task.update({ where: { id: taskId }, data: { messageChannelId: channelId, messageId: posted.id } });
      return { messageId: posted.id, action: 'posted' as const };
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
  // An open task with an end date (auto-expire on) needs its post redrawn when it closes.
  const task = await prisma.task.findUnique({ where: { id: taskId } });
  const settings = task ? await getTaskSettings(prisma, task.guildId) : null;
  const refreshAt = task && settings && isOpen(task, settings) && settings.autoExpire && task.expiresAt ? task.expiresAt.toISOString() : null;
  return { ...result, refreshAt };
}

export type ReviewState = 'pending' | 'award_failed' | 'accepted' | 'rejected' | 'revoked' | 'expired' | 'abandoned' | 'cancelled';

/** The review post of a claim's latest proof, in the state it is in. */
export async function renderReviewMessage(prisma: PrismaClient, claimId: string, state: ReviewState): Promise<DiscordMessage> {
  const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { id: claimId }, include: { task: true } });
  const { task } = claim;
  const asset = await assetLabel(prisma, task.guildId, task.assetCode);
  const key = claimKey(task.id, claim.userId);
  const proof = [claim.proofText ?? '', ...claim.proofUrls].filter(Boolean).join('\n') || '(no text)';
  const fields = [
    { name: 'Member', value: `<@${claim.userId}>`, inline: true },
    { name: 'Reward', value: `${formatAmount(asset, task.reward)}${task.roleId ? ` + <@&${task.roleId}>` : ''}`, inline: true },
    { name: 'Proof', value: `#${claim.submissions} · ${task.proofType}`, inline: true },
    { name: 'Deadline', value: relative(claim.deadlineAt), inline: true },
  ];
  const titles: Record<ReviewState, string> = {
    pending: `Proof to review: ${task.name}`,
    award_failed: `Accepted but not paid: ${task.name}`,
    accepted: `Accepted: ${task.name}`,
    rejected: `Rejected: ${task.name}`,
    revoked: `Revoked: ${task.name}`,
    expired: `Expired: ${task.name}`,
    abandoned: `Abandoned: ${task.name}`,
    cancelled: `Cancelled (task removed): ${task.name}`,
  };
  const extra: string[] = [];
  if (state === 'award_failed') extra.push(`**The award failed, nothing was paid:** ${claim.awardFailure ?? 'unknown reason'}\nFix the cause and press Accept again, or Reject.`);
  if (state === 'accepted' && claim.decidedBy) extra.push(`Accepted by <@${claim.decidedBy}>; ${claim.rewardPaid !== null ? `${formatAmount(asset, claim.rewardPaid)} paid` : 'nothing to pay'}.`);
  if (state === 'rejected' && claim.decidedBy) extra.push(`Rejected by <@${claim.decidedBy}>: ${claim.rejectReason ?? ''}`);
  if (state === 'revoked') {
    extra.push(`Revoked by <@${claim.revokedBy}>: ${claim.revokeReason ?? ''}`);
    if (claim.reversedAmount !== null) extra.push(`Taken back: ${formatAmount(asset, claim.reversedAmount)}.`);
    if (claim.reversalShortfall) extra.push(`**Not taken back: ${formatAmount(asset, claim.reversalShortfall)}** — the member had already spent it.`);
  }
  const components =
    state === 'pending' || state === 'award_failed'
      ? [buttonRow([{ action: TASK_ACTIONS.accept, key, label: 'Accept', style: ButtonStyle.Success }, { action: TASK_ACTIONS.reject, key, label: 'Reject', style: ButtonStyle.Danger }])]
      : state === 'accepted'
        ? [buttonRow([{ action: TASK_ACTIONS.revoke, key, label: 'Revoke', style: ButtonStyle.Danger }])]
        : [];
  const outcome = state === 'pending' ? 'pending' : state === 'accepted' ? 'success' : state === 'award_failed' ? 'warning' : state === 'rejected' || state === 'revoked' ? 'error' : 'info';
  return {
    embeds: [guildflowEmbed({ outcome, title: titles[state], description: [proof, ...extra].join('\n\n'), fields, flowId: claim.id })],
    components,
    allowed_mentions: { parse: [] },
  };
}

export type MemberEvent = 'claimed' | 'refused' | 'submitted' | 'accepted' | 'rejected' | 'expired' | 'abandoned' | 'cancelled' | 'revoked';

/** What the member reads about their claim (DM, or the reply to their button). */
export async function renderMemberMessage(prisma: PrismaClient, claimId: string, event: MemberEvent, detail?: string | null): Promise<DiscordMessage> {
  const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { id: claimId }, include: { task: true } });
  const { task } = claim;
  const asset = await assetLabel(prisma, task.guildId, task.assetCode);
  const reward = `${formatAmount(asset, task.reward)}${task.roleId ? ` and the role <@&${task.roleId}>` : ''}`;
  const proofButton = buttonRow([{ action: TASK_ACTIONS.proof, key: String(task.id), label: 'Submit proof', style: ButtonStyle.Primary }]);
  const open = claim.deadlineAt.getTime() > Date.now();
  const e = (outcome: 'success' | 'info' | 'pending' | 'warning' | 'error', title: string, description: string): APIEmbed => guildflowEmbed({ outcome, title, description, flowId: claim.id });
  switch (event) {
    case 'claimed':
      return {
        embeds: [e('info', `You claimed ${task.name}`, `Submit your ${task.proofType} proof before ${relative(claim.deadlineAt)} (the Submit proof button, or /task submit). Reward: ${reward}.`)],
        components: [proofButton],
      };
    case 'submitted':
      return { embeds: [e('pending', `Proof sent: ${task.name}`, 'Reviewers have it; you will hear from me when they decide.')], components: [] };
    case 'accepted':
      return {
        embeds: [e('success', `Task accepted: ${task.name}`, `You earned ${claim.rewardPaid !== null ? formatAmount(asset, claim.rewardPaid) : reward}${task.roleId && claim.roleGranted ? ` and the role <@&${task.roleId}>` : ''}.`)],
        components: [],
      };
    case 'rejected':
      return {
        embeds: [e('warning', `Proof rejected: ${task.name}`, `Reason: ${claim.rejectReason ?? detail ?? ''}\n${open ? `You can submit new proof until ${relative(claim.deadlineAt)}.` : 'The deadline has passed.'}`)],
        components: open ? [proofButton] : [],
      };
    case 'expired':
      return { embeds: [e('error', `Task expired: ${task.name}`, 'The deadline passed without an accepted proof; the claim was released.')], components: [] };
    case 'abandoned':
      return { embeds: [e('info', `Task abandoned: ${task.name}`, 'Your claim was released.')], components: [] };
    case 'cancelled':
      return { embeds: [e('error', `Task removed: ${task.name}`, 'An admin removed this task, so your claim was cancelled. Nothing was lost.')], components: [] };
    case 'revoked': {
      const lines = [`An admin revoked your award. Reason: ${claim.revokeReason ?? detail ?? ''}`];
      if (claim.reversedAmount !== null) lines.push(`Taken back: ${formatAmount(asset, claim.reversedAmount)}.`);
      if (claim.reversalShortfall) lines.push(`${formatAmount(asset, claim.reversalShortfall)} could not be taken back (already spent).`);
      if (task.roleId) lines.push(`The role <@&${task.roleId}> was removed.`);
      return { embeds: [e('error', `Award revoked: ${task.name}`, lines.join('\n'))], components: [] };
    }
    case 'refused':
      return { embeds: [guildflowEmbed({ outcome: 'error', title: `Could not claim ${task.name}`, description: detail ?? '' })], components: [] };
  }
}
