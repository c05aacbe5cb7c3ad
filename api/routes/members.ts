import type Router from '@koa/router';
import { z } from 'zod';
import { listInventory } from '../../activities/shop';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { snowflake } from '../../lib/discord/snowflake';
import { findMember, listMembers } from '../../lib/member-list';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';
import { decimalString, errorBody, isoDate, nextCursor } from '../openapi/schemas';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

const membersQuery = z
  .object({
    /** A part of the display name or username (case-insensitive), or the start of a user id. */
    search: z.string().trim().min(1).max(100).optional(),
    cursor: z.string().max(400).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
const memberParams = z.object({ userId: snowflake });

const memberJson = z
  .object({
    userId: z.string(),
    username: z.string().nullable(),
    displayName: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    isBot: z.boolean(),
    joinedAt: isoDate.nullable(),
    balances: z.array(z.object({ asset: z.string(), balance: decimalString, held: decimalString, available: decimalString })).meta({ description: 'Every asset of the guild (zeros included), in asset order.' }),
    roblox: z.object({ id: z.string(), name: z.string(), displayName: z.string(), verifiedAt: isoDate }).nullable(),
  })
  .meta({ id: 'Member' });
const memberDetailJson = memberJson
  .extend({
    leftAt: isoDate.nullable(),
    inventory: z.array(z.object({ itemId: z.number().int(), name: z.string(), emoji: z.string().nullable(), quantity: z.number().int(), removed: z.boolean() })),
    links: z.object({ statement: z.string(), statementCsv: z.string() }).meta({ description: "The ledger's entries for the member (JSON and CSV)." }),
  })
  .meta({ id: 'MemberDetail' });

const TAG = 'members';
const read = { kind: 'guild', level: 'mod' } as const;

/**
 * The guild's members for the dashboard (mod level), from the member directory the bot keeps
 * (lib/member-directory.ts), each with their balances and verified Roblox account: the list in name order
 * (case-insensitive), current members only; one member with their inventory and statement links (404 when
 * the bot has never seen that user in this guild). Amounts are decimal strings.
 */
export function memberRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  return routerOf('/api/guilds/:guildId/members', deps, [
    route({
      method: 'get',
      path: '/',
      summary: "A page of the guild's current members, in name order",
      tag: TAG,
      access: read,
      query: membersQuery,
      responses: { 200: { description: 'The page and the cursor of the next one.', schema: z.object({ members: z.array(memberJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const guildId = ctx.params.guildId!;
        const after = q.cursor ? memberKeyOf(q.cursor) : undefined;
        const page = await listMembers(prisma, { guildId, search: q.search, after, limit: q.limit });
        ctx.body = { members: page.items, nextCursor: page.next ? encodeKeyCursor([page.next.name, page.next.userId]) : null };
      },
    }),
    route({
      method: 'get',
      path: '/:userId',
      summary: 'One member, with their inventory and statement links',
      tag: TAG,
      access: read,
      params: memberParams,
      responses: {
        200: { description: 'The member (leftAt set when they left the server).', schema: memberDetailJson },
        404: { description: 'The bot has never seen that user in this guild.', schema: errorBody },
      },
      handler: async (ctx, { params: { userId } }) => {
        const guildId = ctx.params.guildId!;
        const member = await findMember(prisma, guildId, userId);
        if (!member) throw new NotFoundError(`User ${userId} is not a member Guildflow has seen in this server.`);
        const statement = `/api/guilds/${guildId}/ledger/entries?account=user:${userId}`;
        ctx.body = {
          ...member,
          inventory: await listInventory(prisma, guildId, userId),
          links: { statement, statementCsv: statement.replace('/entries?', '/entries.csv?') },
        };
      },
    }),
  ]);
}

function memberKeyOf(cursor: string): { name: string; userId: string } {
  const [name, userId] = decodeKeyCursor(cursor, 2);
  if (!/^\d{1,21}$/.test(userId!)) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return { name: name!, userId: userId! };
}
