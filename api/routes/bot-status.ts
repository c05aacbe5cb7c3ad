import Router from '@koa/router';
import { BOT_STATUS_STALE_MS, GUILDFLOW_VERSION, guildBotStatus } from '../../lib/bot-status';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, type AuthState } from '../auth';
import type { RouteDeps } from '../deps';

type GuildParams = { guildId: string };
type State = AuthState & { log: Logger };

/**
 * Whether the bot is serving this guild (mod level), from the heartbeat rows the bot writes
 * (lib/bot-status.ts; the API has no gateway of its own):
 * `GET …/bot-status` → `{ connected, stale, shard: { id, count } | null, pingMs, botVersion, lastHeartbeatAt,
 * heartbeatAgeMs, botStartedAt, apiVersion, staleAfterMs }`. `connected` is false when the shard serving the
 * guild said so, or its last heartbeat is older than `staleAfterMs` (`stale`), or no bot ever reported.
 */
export function botStatusRoutes({ prisma }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/bot-status' });

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    ctx.body = { ...(await guildBotStatus(prisma, guildId)), apiVersion: GUILDFLOW_VERSION, staleAfterMs: BOT_STATUS_STALE_MS };
  });

  return router;
}
