import Router from '@koa/router';
import { z } from 'zod';
import { listInventory } from '../../activities/shop';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { snowflake } from '../../lib/discord/snowflake';
import type { Logger } from '../../lib/logger';
import { findMember, listMembers } from '../../lib/member-list';
import { requireGuildToken, type AuthState } from '../auth';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

const membersQuery = z
  .object({
    /** A part of the display name or username (case-insensitive), or the start of a user id. */
    search: z.string().trim().min(1).max(100).optional(),
    cursor: z.string().max(400).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

type GuildParams = { guildId: string; userId?: string };
type State = AuthState & { log: Logger };

/**
 * The guild's members for the dashboard (mod level), from the member directory the bot keeps
 * (lib/member-directory.ts), each with their balances and verified Roblox account:
 * - `GET …/members?search=&cursor=&limit=` → `{ members: [Member], nextCursor }`, in name order
 *   (case-insensitive), current members only; Member = `{ userId, username, displayName, avatarUrl, isBot,
 *   joinedAt, balances: [{ asset, balance, held, available }], roblox: { id, name, displayName, verifiedAt } | null }`
 *   (amounts are decimal strings);
 * - `GET …/members/:userId` → Member plus `leftAt`, `inventory: [{ itemId, name, emoji, quantity, removed }]`
 *   and `links.statement` / `links.statementCsv` (the ledger's entries for the member). 404 when the bot has
 *   never seen that user in this guild.
 */
export function memberRoutes({ prisma }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/members' });
  const read = requireGuildToken(prisma, 'mod');

  router.get('/', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = membersQuery.parse(ctx.query);
    const after = q.cursor ? memberKeyOf(q.cursor) : undefined;
    const page = await listMembers(prisma, { guildId, search: q.search, after, limit: q.limit });
    ctx.body = { members: page.items, nextCursor: page.next ? encodeKeyCursor([page.next.name, page.next.userId]) : null };
  });

  router.get('/:userId', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const userId = snowflake.parse(ctx.params.userId);
    const member = await findMember(prisma, guildId, userId);
    if (!member) throw new NotFoundError(`User ${userId} is not a member Guildflow has seen in this server.`);
    const statement = `/api/guilds/${guildId}/ledger/entries?account=user:${userId}`;
    ctx.body = {
      ...member,
      inventory: await listInventory(prisma, guildId, userId),
      links: { statement, statementCsv: statement.replace('/entries?', '/entries.csv?') },
    };
  });

  return router;
}

function memberKeyOf(cursor: string): { name: string; userId: string } {
  const [name, userId] = decodeKeyCursor(cursor, 2);
  if (!/^\d{1,21}$/.test(userId!)) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return { name: name!, userId: userId! };
}
