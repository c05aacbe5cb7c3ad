import { ForbiddenError } from '../../lib/errors';
import type { Announcement } from '../../prisma/client';
import { cancelAnnouncement, createAnnouncement, getAnnouncement, scheduleAnnouncement, type AnnouncementContext } from '../announcements';
import type { AuditActor } from '../shop/items';
import { AnnouncementStateError } from '../announcements/errors';
import { getEmbed } from './service';

/**
 * Sending a saved embed: it becomes an announcement draft (previewed by its author), and Post schedules it
 * through the announcement flow, so the post is durable, sent once however often Post is clicked, and
 * kept by its sync flow. Only the draft's author may post or cancel it: a button's key is client data.
 */
export async function draftEmbedSend(ctx: AnnouncementContext, guildId: string, name: string, input: { id: string; channelId: string; actor: AuditActor }): Promise<Announcement> {
  const e = await getEmbed(ctx.prisma, guildId, name);
  return createAnnouncement(
    ctx,
    guildId,
    input.id,
    { channelId: input.channelId, title: e.title ?? '', body: e.description ?? '', colour: e.colour, imageUrl: e.imageUrl, footer: e.footer },
    input.actor.actorId,
    { draft: true },
  );
}

async function authorsDraft(ctx: AnnouncementContext, guildId: string, id: string, actor: AuditActor): Promise<Announcement> {
  const a = await getAnnouncement(ctx.prisma, guildId, id);
  if (a.createdBy !== actor.actorId) throw new ForbiddenError('Only the admin who prepared this post can post or cancel it.');
  return a;
}

/** Post: draft → scheduled with one audit entry (the click that moved it), then its flow started (idempotent). */
export async function postEmbedSend(ctx: AnnouncementContext, guildId: string, id: string, actor: AuditActor): Promise<Announcement> {
  await authorsDraft(ctx, guildId, id, actor);
  await ctx.prisma.$transaction(async (tx) => {
    const moved = await tx.announcement.updateMany({ where: { id, guildId, status: 'draft' }, data: { status: 'scheduled' } });
    if (moved.count === 1) await tx.auditEvent.create({ data: { guildId, ...actor, action: 'embed.sent', targetType: 'announcement', targetId: id, data: {} } });
  });
  return scheduleAnnouncement(ctx, guildId, id);
}

/** Cancel on the preview drops the draft only: a post already made is taken down with /announce cancel. */
export async function cancelEmbedSend(ctx: AnnouncementContext, guildId: string, id: string, actor: AuditActor): Promise<Announcement> {
  const a = await authorsDraft(ctx, guildId, id, actor);
  if (a.status !== 'draft') throw new AnnouncementStateError(`This post is already ${a.status}: /announce cancel id:${a.id} takes it down.`);
  return cancelAnnouncement(ctx, guildId, id);
}
