import { formatAmount } from '../../lib/discord/amounts';
import { NotFoundError } from '../../lib/errors';
import type { Announcement } from '../../prisma/client';
import { assetLabel } from '../shop/messages';
import type { AuditActor } from '../shop/items';
import { AnnouncementStateError } from './errors';
import { createAnnouncement, type AnnouncementContext } from './service';

/**
 * A task's card as an announcement (/announce task, POST …/tasks/:id/announce): its name, reward, slots,
 * deadline and a link to its post, run through the ordinary announcement flow (draft → preview → Post in
 * the bot; scheduled at once from the API). A deleted or closed task is refused; the caller has checked
 * that the channel is the guild's.
 */
export async function announceTask(
  ctx: AnnouncementContext,
  guildId: string,
  taskId: number,
  input: { id: string; channelId: string; actor: AuditActor; draft: boolean },
): Promise<Announcement> {
  const task = await ctx.prisma.task.findFirst({ where: { id: taskId, guildId } });
  if (!task || task.deletedAt || task.status === 'deleted') throw new NotFoundError(`There is no task #${taskId} in this server.`);
  if (task.status !== 'active') throw new AnnouncementStateError(`Task #${task.id} is ${task.status}: only an open task can be announced.`);
  const asset = await assetLabel(ctx.prisma, guildId, task.assetCode);
  const lines = [
    task.description,
    `**Reward:** ${formatAmount(asset, task.reward)}`,
    `**Slots:** ${task.maxClaims === null ? 'unlimited' : `${Math.max(task.maxClaims - task.slotsTaken, 0)} of ${task.maxClaims} free`}`,
    ...(task.expiresAt ? [`**Deadline:** <t:${Math.floor(task.expiresAt.getTime() / 1000)}:f>`] : []),
    task.messageId && task.messageChannelId ? `**Claim it:** https://discord.com/channels/${guildId}/${task.messageChannelId}/${task.messageId}` : `Claim it with \`/tasks\`.`,
  ].filter(Boolean);
  // A repeated request (the same id) finds the first announcement and is not audited again.
  const repeated = await ctx.prisma.announcement.findUnique({ where: { id: input.id }, select: { id: true } });
  const a = await createAnnouncement(ctx, guildId, input.id, { channelId: input.channelId, title: `Task #${task.id}: ${task.name}`.slice(0, 256), body: lines.join('\n') }, input.actor.actorId, { draft: input.draft });
  if (!repeated) await ctx.prisma.auditEvent.create({ data: { guildId, ...input.actor, action: 'task.announced', targetType: 'task', targetId: String(task.id), data: { announcementId: a.id, channelId: input.channelId } } });
  return a;
}
