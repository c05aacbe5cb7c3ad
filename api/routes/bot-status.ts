import type Router from '@koa/router';
import { z } from 'zod';
import { BOT_STATUS_STALE_MS, GUILDFLOW_VERSION, guildBotStatus } from '../../lib/bot-status';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate } from '../openapi/schemas';

const botStatusJson = z
  .object({
    connected: z.boolean().meta({ description: 'False when the shard serving the guild said so, its last heartbeat is older than staleAfterMs, or no bot ever reported.' }),
    stale: z.boolean(),
    shard: z.object({ id: z.number().int(), count: z.number().int() }).nullable(),
    pingMs: z.number().nullable(),
    botVersion: z.string().nullable(),
    lastHeartbeatAt: isoDate.nullable(),
    heartbeatAgeMs: z.number().nullable(),
    botStartedAt: isoDate.nullable(),
    apiVersion: z.string(),
    staleAfterMs: z.number().int(),
  })
  .meta({ id: 'BotStatus' });

/**
 * Whether the bot is serving this guild (mod level), from the heartbeat rows the bot writes
 * (lib/bot-status.ts; the API has no gateway of its own).
 */
export function botStatusRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  return routerOf('/api/guilds/:guildId/bot-status', deps, [
    route({
      method: 'get',
      path: '/',
      summary: 'Whether the bot is serving this guild',
      tag: 'bot',
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: "The serving shard's last heartbeat.", schema: botStatusJson } },
      handler: async (ctx) => {
        ctx.body = { ...(await guildBotStatus(prisma, ctx.params.guildId!)), apiVersion: GUILDFLOW_VERSION, staleAfterMs: BOT_STATUS_STALE_MS };
      },
    }),
  ]);
}
