import Router from '@koa/router';
import { z } from 'zod';
import {
  announcementCreateSchema,
  announcementMessage,
  announcementPatchSchema,
  announcementToJson,
  cancelAnnouncement,
  createAnnouncement,
  editAnnouncement,
  getAnnouncement,
  unpinAnnouncement,
  type AnnouncementContext,
} from '../../activities/announcements';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { flowTargetOf, type RouteDeps } from '../deps';
import { afterCursor, pageOf } from '../pagination';

type State = AuthState & { log: Logger };

const idParam = z.object({ announcementId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an announcement id') });
const listQuery = z.object({
  status: z.enum(['draft', 'scheduled', 'sent', 'cancelled', 'deleted']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});
const createBody = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id: letters, digits, - and _ (at most 64)').optional() }).passthrough();

/**
 * Announcements for the dashboard: list and read (mods), create (sent now or at sendAt), preview (the
 * exact message, nothing stored), edit before or after sending, cancel or take down (admins). A create
 * may carry its own `id` so a retried request finds the first one. The message state of a sent one is
 * its sync flow's (`sync` in the answer). Unpin (admins) unpins a sent, pinned one's message, audited.
 * Changes without Temporal answer 503 `temporal_unavailable`.
 */
export function announcementRoutes(deps: RouteDeps): Router<State> {
  const { prisma, syncSettings } = deps;
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/announcements' });
  const context = (): AnnouncementContext => ({ prisma, ...flowTargetOf(deps), syncSettings });
  const withSync = async (a: Awaited<ReturnType<typeof getAnnouncement>>) => ({
    ...announcementToJson(a),
    sync: await prisma.syncMessage.findUnique({
      where: { entityType_entityId: { entityType: 'announcement', entityId: a.id } },
      select: { state: true, channelId: true, messageId: true, lastError: true, syncedAt: true },
    }),
  });

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const rows = await prisma.announcement.findMany({
      where: { guildId: ctx.params.guildId!, ...(q.status ? { status: q.status } : {}), ...afterCursor(q.cursor) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    ctx.body = pageOf(rows, q.limit, announcementToJson);
  });

  router.post('/preview', requireGuildToken(prisma, 'admin', 'manage_announcements'), async (ctx) => {
    const input = announcementCreateSchema.parse(await readJsonBody(ctx));
    await requireInGuild(deps.guildDirectory, ctx.params.guildId!, { channels: { channelId: input.channelId }, roles: { pingRoleId: input.pingRoleId } });
    ctx.body = { channelId: input.channelId, message: announcementMessage({ id: 'preview', title: input.title, body: input.body, colour: input.colour ?? null, imageUrl: input.imageUrl ?? null, pingRoleId: input.pingRoleId ?? null }) };
  });

  router.post('/', requireGuildToken(prisma, 'admin', 'manage_announcements'), async (ctx) => {
    const raw = await readJsonBody(ctx);
    const { id, ...rest } = createBody.parse(raw);
    if (Object.keys(rest).length === 0) throw new ValidationError('Give at least channelId, title and body.');
    const input = announcementCreateSchema.parse(rest);
    const target = context(); // Temporal first: without it nothing is checked or stored
    await requireInGuild(deps.guildDirectory, ctx.params.guildId!, { channels: { channelId: input.channelId }, roles: { pingRoleId: input.pingRoleId } });
    const a = await createAnnouncement(target, ctx.params.guildId!, id ?? `api-${crypto.randomUUID()}`, rest as never, tokenAuditActor(ctx.state.auth).actorId, { draft: false });
    ctx.status = 201;
    ctx.body = await withSync(a);
  });

  router.get('/:announcementId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { announcementId } = idParam.parse(ctx.params);
    ctx.body = await withSync(await getAnnouncement(prisma, ctx.params.guildId!, announcementId));
  });

  router.patch('/:announcementId', requireGuildToken(prisma, 'admin', 'manage_announcements'), async (ctx) => {
    const { announcementId } = idParam.parse(ctx.params);
    const patch = announcementPatchSchema.parse(await readJsonBody(ctx));
    if (Object.keys(patch).length === 0) throw new ValidationError('Nothing to change: give at least one field.');
    await getAnnouncement(prisma, ctx.params.guildId!, announcementId);
    const target = context();
    await requireInGuild(deps.guildDirectory, ctx.params.guildId!, { roles: { pingRoleId: patch.pingRoleId } });
    ctx.body = await withSync(await editAnnouncement(target, ctx.params.guildId!, announcementId, patch));
  });

  router.delete('/:announcementId', requireGuildToken(prisma, 'admin', 'manage_announcements'), async (ctx) => {
    const { announcementId } = idParam.parse(ctx.params);
    await getAnnouncement(prisma, ctx.params.guildId!, announcementId);
    ctx.body = await withSync(await cancelAnnouncement(context(), ctx.params.guildId!, announcementId));
  });

  router.post('/:announcementId/unpin', requireGuildToken(prisma, 'admin', 'manage_announcements'), async (ctx) => {
    const { announcementId } = idParam.parse(ctx.params);
    // An unknown id is 404 before anything needs Temporal (context() answers 503 without it).
    await getAnnouncement(prisma, ctx.params.guildId!, announcementId);
    ctx.body = await withSync(await unpinAnnouncement(context(), ctx.params.guildId!, announcementId, tokenAuditActor(ctx.state.auth)));
  });

  return router;
}
