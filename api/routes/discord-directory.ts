import type Router from '@koa/router';
import { z } from 'zod';
import { AppError, NotFoundError } from '../../lib/errors';
import { DiscordUnavailableError, type GuildDirectory, type Listing } from '../../lib/discord/guild-directory';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';
import { errorBody, isoDate } from '../openapi/schemas';

/** `?refresh=true` asks Discord again (unless the cached list is only seconds old). */
const directoryQuery = z.object({ refresh: z.enum(['true', 'false']).optional() }).strict();

const channelJson = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.number().int().meta({ description: "Discord's channel type (0 text, 2 voice, 4 category, 5 announcement, 15 forum, …)." }),
    parentId: z.string().nullable().meta({ description: 'The category it sits in, if any.' }),
    position: z.number().int(),
  })
  .meta({ id: 'DiscordChannel' });
const roleJson = z
  .object({
    id: z.string().meta({ description: "The guild's own id is @everyone." }),
    name: z.string(),
    color: z.number().int(),
    position: z.number().int(),
    managed: z.boolean().meta({ description: "Given by an integration (a bot's own role): nobody can be given it." }),
    mentionable: z.boolean(),
  })
  .meta({ id: 'DiscordRole' });

const TAG = 'discord';
const read = { kind: 'guild', level: 'mod' } as const;
const errors = {
  404: { description: 'Guildflow is not in the guild (not_found).', schema: errorBody },
  503: { description: 'Discord cannot be asked: no DISCORD_TOKEN in this process, or Discord down (discord_unavailable).', schema: errorBody },
};

/**
 * The guild's channels and roles for the dashboard's pickers, read from Discord through the API's guild
 * directory (lib/discord/guild-directory.ts), which also checks every id a write names: the pickers and
 * the checks see the same cached lists. Cached 60 s; `refresh=true` re-reads (at most every 5 s), and a
 * role id a write names that is missing from the cached list is read again before it is refused.
 */
export function discordDirectoryRoutes(deps: RouteDeps): Router<RouteState> {
  const { guildDirectory } = deps;
  return routerOf('/api/guilds/:guildId', deps, [
    route({
      method: 'get',
      path: '/channels',
      summary: "The guild's channels, in Discord's order (by position)",
      tag: TAG,
      access: read,
      query: directoryQuery,
      responses: { 200: { description: 'The channels and when they were read from Discord.', schema: z.object({ channels: z.array(channelJson), fetchedAt: isoDate }) }, ...errors },
      handler: async (ctx, { query }) => {
        const guildId = ctx.params.guildId!;
        const list = await ask(guildDirectory, guildId, (d) => d.channels(guildId, { fresh: query.refresh === 'true' }));
        ctx.body = { channels: list.items, fetchedAt: list.fetchedAt.toISOString() };
      },
    }),
    route({
      method: 'get',
      path: '/roles',
      summary: "The guild's roles, highest first",
      tag: TAG,
      access: read,
      query: directoryQuery,
      responses: { 200: { description: 'The roles and when they were read from Discord.', schema: z.object({ roles: z.array(roleJson), fetchedAt: isoDate }) }, ...errors },
      handler: async (ctx, { query }) => {
        const guildId = ctx.params.guildId!;
        const list = await ask(guildDirectory, guildId, (d) => d.roles(guildId, { fresh: query.refresh === 'true' }));
        ctx.body = { roles: list.items, fetchedAt: list.fetchedAt.toISOString() };
      },
    }),
  ]);
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
