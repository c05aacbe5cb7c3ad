import type Router from '@koa/router';
import { z } from 'zod';
import {
  announcementMessage,
  announcementToJson,
  cancelAnnouncement,
  createAnnouncement,
  editAnnouncement,
  getAnnouncement,
  unpinAnnouncement,
  type AnnouncementContext,
} from '../../activities/announcements';
import { announcementCreateRequestSchema, announcementCreateSchema, announcementIdSchema, announcementPatchSchema } from '../../lib/requests/announcements';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { ValidationError } from '../../lib/errors';
import { tokenAuditActor } from '../auth';
import { flowTargetOf, type RouteDeps } from '../deps';
import { afterCursor, pageOf } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate, json, nextCursor, row } from '../openapi/schemas';

const idParam = z.object({ announcementId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an announcement id') });
const listQuery = z.object({
  status: z.enum(['draft', 'scheduled', 'sent', 'cancelled', 'deleted']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});
const createBody = z.object({ id: announcementIdSchema.optional() }).passthrough();

const announcementJson = row({
  id: z.string(),
  guildId: z.string(),
  channelId: z.string(),
  title: z.string(),
  body: z.string(),
  colour: z.number().int().nullable(),
  imageUrl: z.string().nullable(),
  footer: z.string().nullable(),
  pingRoleId: z.string().nullable(),
  pin: z.boolean(),
  sendAt: isoDate.nullable(),
  status: z.string(),
  createdBy: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  sentAt: isoDate.nullable(),
  cancelledAt: isoDate.nullable(),
}).meta({ id: 'Announcement' });
const withSyncJson = announcementJson.extend({
  sync: z.object({ state: z.string(), channelId: z.string().nullable(), messageId: z.string().nullable(), lastError: z.string().nullable(), syncedAt: isoDate.nullable() }).nullable(),
});
const TAG = 'announcements';
const manage = { kind: 'guild', level: 'admin', grant: 'manage_announcements' } as const;

/**
 * Announcements for the dashboard: list and read (mods), create (sent now or at sendAt), preview (the
 * exact message, nothing stored), edit before or after sending, cancel or take down (admins). A create
 * may carry its own `id` so a retried request finds the first one. The message state of a sent one is
 * its sync flow's (`sync` in the answer). Unpin (admins) unpins a sent, pinned one's message, audited.
 * Changes without Temporal answer 503 `temporal_unavailable`.
 */
export function announcementRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, syncSettings } = deps;
  const context = (): AnnouncementContext => ({ prisma, ...flowTargetOf(deps), syncSettings });
  const withSync = async (a: Awaited<ReturnType<typeof getAnnouncement>>) => ({
    ...announcementToJson(a),
    sync: await prisma.syncMessage.findUnique({
      where: { entityType_entityId: { entityType: 'announcement', entityId: a.id } },
      select: { state: true, channelId: true, messageId: true, lastError: true, syncedAt: true },
    }),
  });

  return routerOf('/api/guilds/:guildId/announcements', deps, [
    route({
      method: 'get',
      path: '/',
      summary: 'Announcements, newest first.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: listQuery,
      responses: { 200: { description: 'A page of announcements.', schema: z.object({ items: z.array(announcementJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const rows = await prisma.announcement.findMany({
          where: { guildId: ctx.params.guildId!, ...(q.status ? { status: q.status } : {}), ...afterCursor(q.cursor) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: q.limit + 1,
        });
        ctx.body = pageOf(rows, q.limit, announcementToJson);
      },
    }),
    route({
      method: 'post',
      path: '/preview',
      summary: 'The exact message an announcement would post (nothing stored).',
      tag: TAG,
      access: manage,
      body: announcementCreateSchema,
      responses: { 200: { description: 'The message.', schema: z.object({ channelId: z.string(), message: json }) } },
      handler: async (ctx, { body: input }) => {
        await requireInGuild(deps.guildDirectory, ctx.params.guildId!, { channels: { channelId: input.channelId }, roles: { pingRoleId: input.pingRoleId } });
        ctx.body = { channelId: input.channelId, message: announcementMessage({ id: 'preview', title: input.title, body: input.body, colour: input.colour ?? null, imageUrl: input.imageUrl ?? null, pingRoleId: input.pingRoleId ?? null }) };
      },
    }),
    route({
      method: 'post',
      path: '/',
      summary: 'Creates an announcement, sent now or at sendAt (an `id` of your own makes a retry find the first).',
      tag: TAG,
      access: manage,
      jsonBody: announcementCreateRequestSchema,
      responses: { 201: { description: 'The announcement.', schema: withSyncJson } },
      handler: async (ctx, { json: raw }) => {
        const { id, ...rest } = createBody.parse(raw);
        if (Object.keys(rest).length === 0) throw new ValidationError('Give at least channelId, title and body.');
        const input = announcementCreateSchema.parse(rest);
        const target = context(); // Temporal first: without it nothing is checked or stored
        await requireInGuild(deps.guildDirectory, ctx.params.guildId!, { channels: { channelId: input.channelId }, roles: { pingRoleId: input.pingRoleId } });
        const a = await createAnnouncement(target, ctx.params.guildId!, id ?? `api-${crypto.randomUUID()}`, rest as never, tokenAuditActor(ctx.state.auth).actorId, { draft: false });
        ctx.status = 201;
        ctx.body = await withSync(a);
      },
    }),
    route({
      method: 'get',
      path: '/:announcementId',
      summary: 'One announcement with its message state.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      params: idParam,
      responses: { 200: { description: 'The announcement.', schema: withSyncJson } },
      handler: async (ctx, { params: { announcementId } }) => {
        ctx.body = await withSync(await getAnnouncement(prisma, ctx.params.guildId!, announcementId));
      },
    }),
    route({
      method: 'patch',
      path: '/:announcementId',
      summary: 'Edits an announcement, before or after it was sent.',
      tag: TAG,
      access: manage,
      params: idParam,
      body: announcementPatchSchema,
      responses: { 200: { description: 'The announcement now.', schema: withSyncJson } },
      handler: async (ctx, { params: { announcementId }, body: patch }) => {
        if (Object.keys(patch).length === 0) throw new ValidationError('Nothing to change: give at least one field.');
        await getAnnouncement(prisma, ctx.params.guildId!, announcementId);
        const target = context();
        await requireInGuild(deps.guildDirectory, ctx.params.guildId!, { roles: { pingRoleId: patch.pingRoleId } });
        ctx.body = await withSync(await editAnnouncement(target, ctx.params.guildId!, announcementId, patch));
      },
    }),
    route({
      method: 'delete',
      path: '/:announcementId',
      summary: 'Cancels a scheduled announcement or takes a sent one down.',
      tag: TAG,
      access: manage,
      params: idParam,
      responses: { 200: { description: 'The announcement now.', schema: withSyncJson } },
      handler: async (ctx, { params: { announcementId } }) => {
        await getAnnouncement(prisma, ctx.params.guildId!, announcementId);
        ctx.body = await withSync(await cancelAnnouncement(context(), ctx.params.guildId!, announcementId));
      },
    }),
    route({
      method: 'post',
      path: '/:announcementId/unpin',
      summary: "Unpins a sent announcement's message (audited).",
      tag: TAG,
      access: manage,
      params: idParam,
      responses: { 200: { description: 'The announcement now.', schema: withSyncJson } },
      handler: async (ctx, { params: { announcementId } }) => {
        // An unknown id is 404 before anything needs Temporal (context() answers 503 without it).
        await getAnnouncement(prisma, ctx.params.guildId!, announcementId);
        ctx.body = await withSync(await unpinAnnouncement(context(), ctx.params.guildId!, announcementId, tokenAuditActor(ctx.state.auth)));
      },
    }),
  ]);
}
