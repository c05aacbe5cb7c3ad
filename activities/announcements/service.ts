import type { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { cancelAnnouncementFlow, changeAnnouncementTime, startAnnouncement } from '../../lib/flows/announcements.client';
import type { FlowTarget } from '../../lib/flows/client';
import { DEFAULT_SYNC_SETTINGS, type SyncSettings } from '../../lib/flows/sync';
import { signalSync } from '../../lib/flows/sync.client';
import type { Announcement, PrismaClient } from '../../prisma/client';
import { AnnouncementStateError } from './errors';
import type { AuditActor } from '../shop/items';
import { describeIssues } from '../../lib/requests/issues';
import {
  announcementCreateSchema,
  announcementPatchSchema,
  sendAtProblem,
  type AnnouncementCreate,
  type AnnouncementPatch,
} from '../../lib/requests/announcements';

/**
 * Announcements for the bot (/announce) and the API. A draft is previewed first (the bot's Post/Cancel
 * buttons); scheduling starts `announcement:{id}`, which waits for sendAt (a Temporal timer) and then
 * hands the message to `sync:announcement:{id}`. Edits and cancels change the row first (one
 * transaction, conditional on the status) and then tell the flow that owns it, so the database decides a
 * race between "cancel" and "send": the flow only sends a row it moves from scheduled to sent. The
 * flows are started and told through lib/flows/announcements.client.ts and lib/flows/sync.client.ts.
 */

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error.issues, 'announcement'));
  return parsed.data;
}

function checkSendAt(sendAt: Date | null | undefined): void {
  const problem = sendAtProblem(sendAt);
  if (problem) throw new ValidationError(problem);
}

/** What the service needs: the database and where the announcement and sync flows run. */
export interface AnnouncementContext extends FlowTarget {
  prisma: PrismaClient;
  /** Message sync timings for the announcement's message (tests pass milliseconds). */
  syncSettings?: SyncSettings;
}

export function announcementToJson(a: Announcement) {
  return { ...a };
}

export async function getAnnouncement(prisma: PrismaClient, guildId: string, id: string): Promise<Announcement> {
  const a = await prisma.announcement.findFirst({ where: { id, guildId } });
  if (!a) throw new NotFoundError(`There is no announcement ${id} in this server.`);
  return a;
}

/** A new announcement: a `draft` to preview (the bot), or `scheduled` at once (the API, or a draft's Post). */
export async function createAnnouncement(
  ctx: AnnouncementContext,
  guildId: string,
  id: string,
  input: AnnouncementCreate,
  createdBy: string,
  opts: { draft: boolean },
): Promise<Announcement> {
  const data = parse(announcementCreateSchema, input);
  checkSendAt(data.sendAt);
  const existing = await ctx.prisma.announcement.findUnique({ where: { id } });
  if (existing) {
    if (existing.guildId !== guildId) throw new AnnouncementStateError(`The announcement id ${id} is taken.`);
    return opts.draft ? existing : scheduleAnnouncement(ctx, guildId, id); // a repeated request finds the first
  }
  await ctx.prisma.announcement.create({
    data: {
      id,
      guildId,
      channelId: data.channelId,
      title: data.title,
      body: data.body,
      colour: data.colour ?? null,
      imageUrl: data.imageUrl ?? null,
      footer: data.footer ?? null,
      pingRoleId: data.pingRoleId ?? null,
      pin: data.pin ?? false,
      sendAt: data.sendAt ?? null,
      createdBy,
      status: 'draft',
    },
  });
  return opts.draft ? getAnnouncement(ctx.prisma, guildId, id) : scheduleAnnouncement(ctx, guildId, id);
}

/** draft → scheduled, and its flow started (idempotent: a second Post finds the flow running). */
export async function scheduleAnnouncement(ctx: AnnouncementContext, guildId: string, id: string): Promise<Announcement> {
  await ctx.prisma.announcement.updateMany({ where: { id, guildId, status: 'draft' }, data: { status: 'scheduled' } });
  const a = await getAnnouncement(ctx.prisma, guildId, id);
  if (a.status !== 'scheduled') {
    if (a.status === 'sent') return a;
    throw new AnnouncementStateError(`This announcement was ${a.status}; it cannot be posted.`);
  }
  await startAnnouncement(ctx, { announcementId: a.id, guildId, sendAt: a.sendAt?.toISOString() ?? null, sync: ctx.syncSettings ?? DEFAULT_SYNC_SETTINGS });
  return a;
}

/**
 * Changes an announcement: a draft or a scheduled one (its flow is told the new send time), or a sent
 * one (its message is edited by its sync flow). Cancelled or taken-down ones are refused.
 */
export async function editAnnouncement(ctx: AnnouncementContext, guildId: string, id: string, patch: AnnouncementPatch): Promise<Announcement> {
  const data = parse(announcementPatchSchema, patch);
  if (Object.keys(data).length === 0) throw new ValidationError('Nothing to change: give at least one field.');
  const current = await getAnnouncement(ctx.prisma, guildId, id);
  if (data.sendAt !== undefined) {
    if (current.status === 'sent') throw new AnnouncementStateError('This announcement was already sent: its send time cannot change.');
    checkSendAt(data.sendAt);
  }
  const updated = await ctx.prisma.announcement.updateMany({ where: { id, guildId, status: current.status }, data });
  if (updated.count === 0 || current.status === 'cancelled' || current.status === 'deleted') {
    const now = await getAnnouncement(ctx.prisma, guildId, id);
    throw new AnnouncementStateError(`This announcement is ${now.status}; it can no longer be edited.`);
  }
  const a = await getAnnouncement(ctx.prisma, guildId, id);
  // A flow that has ended (or never started: a draft) needs no signal.
  if (a.status === 'scheduled') await changeAnnouncementTime(ctx.temporal, a.id, a.sendAt?.toISOString() ?? null);
  if (a.status === 'sent') await signalSync(ctx, { entityType: 'announcement', entityId: a.id, guildId }, { settings: ctx.syncSettings });
  return a;
}

/** Cancels a draft or scheduled announcement (never sent), or takes a sent one down (its message deleted). */
export async function cancelAnnouncement(ctx: AnnouncementContext, guildId: string, id: string): Promise<Announcement> {
  const cancelled = await ctx.prisma.announcement.updateMany({
    where: { id, guildId, status: { in: ['draft', 'scheduled'] } },
    data: { status: 'cancelled', cancelledAt: new Date() },
  });
  if (cancelled.count === 1) {
    await cancelAnnouncementFlow(ctx.temporal, id);
    return getAnnouncement(ctx.prisma, guildId, id);
  }
  const takenDown = await ctx.prisma.announcement.updateMany({ where: { id, guildId, status: 'sent' }, data: { status: 'deleted', cancelledAt: new Date() } });
  if (takenDown.count === 1) {
    await signalSync(ctx, { entityType: 'announcement', entityId: id, guildId }, { deleted: true, settings: ctx.syncSettings });
    return getAnnouncement(ctx.prisma, guildId, id);
  }
  const a = await getAnnouncement(ctx.prisma, guildId, id);
  throw new AnnouncementStateError(`This announcement is already ${a.status}.`);
}

/**
 * Unpins a sent, pinned announcement: the row records who and when (so a re-post of its message is not
 * pinned again) with an audit entry, in one transaction conditional on the state; then its sync flow,
 * which owns the message, unpins it in Discord.
 */
export async function unpinAnnouncement(ctx: AnnouncementContext, guildId: string, id: string, actor: AuditActor): Promise<Announcement> {
  const a = await ctx.prisma.$transaction(async (tx) => {
    const changed = await tx.announcement.updateMany({ where: { id, guildId, status: 'sent', pin: true, unpinnedAt: null }, data: { unpinnedAt: new Date(), unpinnedBy: actor.actorId } });
    const row = await tx.announcement.findFirst({ where: { id, guildId } });
    if (!row) throw new NotFoundError(`There is no announcement ${id} in this server.`);
    if (changed.count === 0) {
      if (row.status !== 'sent') throw new AnnouncementStateError(`This announcement is ${row.status}, not sent: there is no message to unpin.`);
      throw new AnnouncementStateError(row.unpinnedAt ? 'This announcement was already unpinned.' : 'This announcement was not pinned.');
    }
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'announcement.unpinned', targetType: 'announcement', targetId: id, data: { channelId: row.channelId } } });
    return row;
  });
  await signalSync(ctx, { entityType: 'announcement', entityId: a.id, guildId }, { settings: ctx.syncSettings });
  return a;
}
