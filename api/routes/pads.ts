import type Router from '@koa/router';
import { z } from 'zod';
import { getPadSettings, padBoard, padSessionToJson, padSettingsSchema, padStats, updatePadSettings } from '../../activities/pads';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { MAX_PADS } from '../../lib/flows/pads';
import { endPadSession } from '../../lib/flows/pads.client';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { afterCursor, pageOf } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate, nextCursor, row } from '../openapi/schemas';

const sessionsQuery = z.object({
  host: snowflake.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const statsQuery = z.object({ host: snowflake.optional() });
const padParams = z.object({ pad: z.coerce.number().int().min(1).max(MAX_PADS) });

const sessionJson = row({ id: z.string(), guildId: z.string(), pad: z.number().int(), hostId: z.string(), type: z.string(), startedAt: isoDate, endedAt: isoDate.nullable(), minutes: z.number().int().nullable() }).meta({ id: 'PadSession' });
const settingsJson = row({ guildId: z.string(), padCount: z.number().int(), sessionsChannelId: z.string().nullable(), hostRoleIds: z.array(z.string()), createdAt: isoDate, updatedAt: isoDate }).meta({ id: 'PadSettings' });
const TAG = 'pads';

/**
 * Pads for the dashboard: the board (each pad free or its session), the session history (newest first,
 * cursor paged, optionally one host's), minutes per host and type, the settings (admins change them;
 * audited; channel and roles must be the guild's), and an admin's force end of a running session
 * (the same `end` update the bot sends, checked again by the flow).
 */
export function padRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, guildDirectory } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;

  return routerOf('/api/guilds/:guildId/pads', deps, [
    route({
      method: 'get',
      path: '/',
      summary: 'The board: each pad free or its session.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'Every pad.', schema: z.object({ pads: z.array(z.object({ pad: z.number().int(), session: sessionJson.nullable() })) }) } },
      handler: async (ctx) => {
        const board = await padBoard(prisma, guildOf(ctx));
        ctx.body = { pads: board.map(({ pad, session }) => ({ pad, session: session ? padSessionToJson(session) : null })) };
      },
    }),
    route({
      method: 'get',
      path: '/settings',
      summary: 'Pad settings.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'The settings.', schema: settingsJson } },
      handler: async (ctx) => {
        ctx.body = await getPadSettings(prisma, guildOf(ctx));
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      summary: 'Changes the pad settings (audited).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      jsonBody: padSettingsSchema.partial(),
      responses: { 200: { description: 'The settings now.', schema: settingsJson } },
      handler: async (ctx, { json: body }) => {
        const ids = padSettingsSchema.safeParse(body).data;
        await requireInGuild(guildDirectory, guildOf(ctx), { channels: { sessionsChannelId: ids?.sessionsChannelId }, roles: { hostRoleIds: ids?.hostRoleIds } });
        ctx.body = await updatePadSettings(prisma, guildOf(ctx), body, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'get',
      path: '/sessions',
      summary: 'Session history, newest first.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: sessionsQuery,
      responses: { 200: { description: 'A page of sessions.', schema: z.object({ items: z.array(sessionJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const rows = await prisma.padSession.findMany({
          where: { guildId: guildOf(ctx), ...(q.host ? { hostId: q.host } : {}), ...afterCursor(q.cursor) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: q.limit + 1,
        });
        ctx.body = pageOf(rows, q.limit, padSessionToJson);
      },
    }),
    route({
      method: 'get',
      path: '/stats',
      summary: 'Minutes per host and type.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: statsQuery,
      responses: { 200: { description: 'The stats.', schema: z.object({ items: z.array(z.object({ hostId: z.string(), type: z.string(), sessions: z.number().int(), minutes: z.number() })) }) } },
      handler: async (ctx, { query: q }) => {
        ctx.body = { items: await padStats(prisma, guildOf(ctx), q.host) };
      },
    }),
    route({
      method: 'post',
      path: '/:pad/end',
      summary: 'Ends the session running on a pad (the same update the bot sends).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      // Any pad 1..9: a session may still run on a pad above a lowered pad count.
      params: padParams,
      responses: { 200: { description: 'Ended.', schema: z.object({ endedBy: z.string().nullable(), endReason: z.string() }) } },
      handler: async (ctx, { params: { pad } }) => {
        const guildId = guildOf(ctx);
        const auth = ctx.state.auth;
        ctx.body = await endPadSession(temporal, guildId, pad, { guildId, userId: auth.ownerUserId, level: auth.level });
      },
    }),
  ]);
}
