import type Router from '@koa/router';
import { z } from 'zod';
import { addGrant, grantToJson, listGrants, removeGrant } from '../../activities/grants';
import { grantInputSchema } from '../../lib/requests/grants';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { ValidationError } from '../../lib/errors';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate, nextCursor } from '../openapi/schemas';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const grantParams = z.object({ guildId: z.string(), id: z.coerce.number().int().min(1).max(2 ** 31 - 1) });

function grantIdOf(cursor: string): number {
  const id = Number(decodeKeyCursor(cursor, 1)[0]);
  if (!Number.isInteger(id) || id < 1) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return id;
}

const grantJson = z.object({ id: z.number().int(), guildId: z.string(), permission: z.string(), subjectType: z.enum(['user', 'role']), subjectId: z.string(), grantedBy: z.string(), createdAt: isoDate }).meta({ id: 'Grant' });
const TAG = 'grants';

/** Grants (lib/grants.ts): admins give members and roles named permissions; every change is audited. */
export function grantRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, guildDirectory } = deps;
  return routerOf('/api/guilds/:guildId/grants', deps, [
    route({
      method: 'get',
      path: '/',
      summary: "The guild's grants.",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      query: listQuery,
      responses: { 200: { description: 'A page of grants.', schema: z.object({ grants: z.array(grantJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const rows = await listGrants(prisma, ctx.params.guildId!, { afterId: q.cursor ? grantIdOf(q.cursor) : undefined, take: q.limit + 1 });
        const page = rows.slice(0, q.limit);
        ctx.body = { grants: page.map(grantToJson), nextCursor: rows.length > q.limit ? encodeKeyCursor([page[page.length - 1]!.id]) : null };
      },
    }),
    route({
      method: 'post',
      path: '/',
      summary: 'Gives a member or a role a grant (200 when it was already held).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      body: grantInputSchema,
      responses: {
        201: { description: 'Granted.', schema: z.object({ grant: grantJson, added: z.literal(true) }) },
        200: { description: 'Already held: nothing changed.', schema: z.object({ grant: grantJson, added: z.literal(false) }) },
      },
      handler: async (ctx, { body: input }) => {
        const guildId = ctx.params.guildId!;
        await requireInGuild(guildDirectory, guildId, input.subjectType === 'role' ? { roles: { subjectId: input.subjectId } } : { members: { subjectId: input.subjectId } });
        const { grant, added } = await addGrant(prisma, guildId, input, tokenAuditActor(ctx.state.auth));
        ctx.status = added ? 201 : 200;
        ctx.body = { grant: grantToJson(grant), added };
      },
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Removes a grant.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      params: grantParams,
      responses: { 200: { description: 'The grant removed.', schema: z.object({ grant: grantJson }) } },
      handler: async (ctx, { params: { guildId, id } }) => {
        ctx.body = { grant: grantToJson(await removeGrant(prisma, guildId, { id }, tokenAuditActor(ctx.state.auth))) };
      },
    }),
  ]);
}
