import Router from '@koa/router';
import { z } from 'zod';
import { AppError, NotFoundError } from '../../lib/errors';
import { DiscordUnavailableError, type GuildDirectory, type Listing } from '../../lib/discord/guild-directory';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, type AuthState } from '../auth';
import type { RouteDeps } from '../deps';

/** `?refresh=true` asks Discord again (unless the cached list is only seconds old). */
const directoryQuery = z.object({ refresh: z.enum(['true', 'false']).optional() }).strict();

/**
 * The answers, for the OpenAPI description:
 * - `GET …/channels` → `{ channels: [{ id, name, type, parentId, position }], fetchedAt }` (Discord's order:
 *   by position);
 * - `GET …/roles` → `{ roles: [{ id, name, color, position, managed, mentionable }], fetchedAt }` (highest
 *   first; the guild's own id is @everyone).
 * Errors: 404 `not_found` when Guildflow is not in the guild, 503 `discord_unavailable` when Discord cannot
 * be asked (no DISCORD_TOKEN in this process, or Discord down).
 */
type State = AuthState & { log: Logger };
type GuildParams = { guildId: string };

/**
 * The guild's channels and roles for the dashboard's pickers, read from Discord through the API's guild
 * directory (lib/discord/guild-directory.ts), which also checks every id a write names: the pickers and
 * the checks see the same cached lists. Cached 60 s; `refresh=true` re-reads (at most every 5 s), and a
 * role id a write names that is missing from the cached list is read again before it is refused.
 */
export function discordDirectoryRoutes({ prisma, guildDirectory }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId' });
  const read = requireGuildToken(prisma, 'mod');

  router.get('/channels', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = directoryQuery.parse(ctx.query);
    const list = await ask(guildDirectory, guildId, (d) => d.channels(guildId, { fresh: q.refresh === 'true' }));
    ctx.body = { channels: list.items, fetchedAt: list.fetchedAt.toISOString() };
  });

  router.get('/roles', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = directoryQuery.parse(ctx.query);
    const list = await ask(guildDirectory, guildId, (d) => d.roles(guildId, { fresh: q.refresh === 'true' }));
    ctx.body = { roles: list.items, fetchedAt: list.fetchedAt.toISOString() };
  });

  return router;
}

/** One directory question: 503 without a directory or with Discord unreachable, 404 when the bot is not in the guild. */
async function ask<T>(directory: GuildDirectory | undefined, guildId: string, question: (d: GuildDirectory) => Promise<Listing<T> | null>): Promise<Listing<T>> {
  if (!directory) throw new DiscordUnavailableError('This API process has no Discord connection (DISCORD_TOKEN): channels and roles cannot be listed.');
  let list: Listing<T> | null;
  try {
    list = await question(directory);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new DiscordUnavailableError('Discord could not be reached to list the channels and roles; try again in a moment.');
  }
  if (!list) throw new NotFoundError(`Guildflow is not in guild ${guildId} (or Discord does not let it see the guild).`);
  return list;
}
