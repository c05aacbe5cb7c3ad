import Router from '@koa/router';
import { z } from 'zod';
import { getPadSettings, padBoard, padSessionToJson, padSettingsSchema, padStats, updatePadSettings } from '../../activities/pads';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { MAX_PADS } from '../../lib/flows/pads';
import { endPadSession } from '../../lib/flows/pads.client';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { afterCursor, pageOf } from '../pagination';

const sessionsQuery = z.object({
  host: snowflake.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const statsQuery = z.object({ host: snowflake.optional() });
const padParams = z.object({ pad: z.coerce.number().int().min(1).max(MAX_PADS) });

type State = AuthState & { log: Logger };

/**
 * Pads for the dashboard: the board (each pad free or its session), the session history (newest first,
 * cursor paged, optionally one host's), minutes per host and type, the settings (admins change them;
 * audited; channel and roles must be the guild's), and an admin's force end of a running session
 * (the same `end` update the bot sends, checked again by the flow).
 */
export function padRoutes({ prisma, temporal, guildDirectory }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/pads' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const board = await padBoard(prisma, guildOf(ctx));
    ctx.body = { pads: board.map(({ pad, session }) => ({ pad, session: session ? padSessionToJson(session) : null })) };
  });

  router.get('/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = await getPadSettings(prisma, guildOf(ctx));
  });
  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const body = await readJsonBody(ctx);
    const ids = padSettingsSchema.safeParse(body).data;
    await requireInGuild(guildDirectory, guildOf(ctx), { channels: { sessionsChannelId: ids?.sessionsChannelId }, roles: { hostRoleIds: ids?.hostRoleIds } });
    ctx.body = await updatePadSettings(prisma, guildOf(ctx), body, tokenAuditActor(ctx.state.auth));
  });

  router.get('/sessions', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = sessionsQuery.parse(ctx.query);
    const rows = await prisma.padSession.findMany({
      where: { guildId: guildOf(ctx), ...(q.host ? { hostId: q.host } : {}), ...afterCursor(q.cursor) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    ctx.body = pageOf(rows, q.limit, padSessionToJson);
  });

  router.get('/stats', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = statsQuery.parse(ctx.query);
    ctx.body = { items: await padStats(prisma, guildOf(ctx), q.host) };
  });

  router.post('/:pad/end', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const guildId = guildOf(ctx);
    // Any pad 1..9: a session may still run on a pad above a lowered pad count.
    const { pad } = padParams.parse(ctx.params);
    const auth = ctx.state.auth;
    ctx.body = await endPadSession(temporal, guildId, pad, { guildId, userId: auth.ownerUserId, level: auth.level });
  });

  return router;
}
