import type Router from '@koa/router';
import { z } from 'zod';
import { createEmbed, deleteEmbed, editEmbed, embedCreateSchema, embedName, embedPatchSchema, embedToJson, getEmbed } from '../../activities/embeds';
import { ValidationError } from '../../lib/errors';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate, nextCursor } from '../openapi/schemas';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});
// The name is checked by the embeds service (embedName), with its own message.
const nameParams = z.object({ name: z.string() });
const embedJson = z
  .object({
    name: z.string(),
    title: z.string().nullable(),
    description: z.string().nullable(),
    colour: z.number().int().nullable(),
    imageUrl: z.string().nullable(),
    footer: z.string().nullable(),
    createdBy: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'SavedEmbed' });
const TAG = 'embeds';
const manage = { kind: 'guild', level: 'admin', grant: 'manage_announcements' } as const;

/**
 * Saved embeds (admins and Manage announcements holders): list by name (cursor + limit → nextCursor), read, create, change, delete. Every
 * write is checked against Discord's embed limits and audited (activities/embeds). Sending one is the
 * bot's /embed send (an announcement): the API posts announcements itself through /announcements.
 */
export function embedRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  return routerOf('/api/guilds/:guildId/embeds', deps, [
    route({
      method: 'get',
      path: '/',
      summary: 'Saved embeds, by name.',
      tag: TAG,
      access: manage,
      query: listQuery,
      responses: { 200: { description: 'A page of embeds.', schema: z.object({ items: z.array(embedJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const after = q.cursor ? decodeKeyCursor(q.cursor, 1)[0] : undefined;
        const rows = await prisma.savedEmbed.findMany({
          where: { guildId: ctx.params.guildId!, ...(after !== undefined ? { name: { gt: after } } : {}) },
          orderBy: { name: 'asc' },
          take: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        ctx.body = { items: page.map(embedToJson), nextCursor: rows.length > q.limit ? encodeKeyCursor([page[page.length - 1]!.name]) : null };
      },
    }),
    route({
      method: 'post',
      path: '/',
      summary: 'Saves an embed (checked against Discord’s limits, audited).',
      tag: TAG,
      access: manage,
      jsonBody: embedCreateSchema,
      responses: { 201: { description: 'The embed.', schema: embedJson } },
      handler: async (ctx, { json: body }) => {
        if (!body || typeof body !== 'object') throw new ValidationError('Give at least name, title and description.');
        ctx.status = 201;
        ctx.body = embedToJson(await createEmbed(prisma, ctx.params.guildId!, body as never, tokenAuditActor(ctx.state.auth)));
      },
    }),
    route({
      method: 'get',
      path: '/:name',
      summary: 'One saved embed.',
      tag: TAG,
      access: manage,
      params: nameParams,
      responses: { 200: { description: 'The embed.', schema: embedJson } },
      handler: async (ctx, { params }) => {
        ctx.body = embedToJson(await getEmbed(prisma, ctx.params.guildId!, embedName(params.name)));
      },
    }),
    route({
      method: 'patch',
      path: '/:name',
      summary: 'Changes a saved embed.',
      tag: TAG,
      access: manage,
      params: nameParams,
      jsonBody: embedPatchSchema,
      responses: { 200: { description: 'The embed now.', schema: embedJson } },
      handler: async (ctx, { params, json }) => {
        ctx.body = embedToJson(await editEmbed(prisma, ctx.params.guildId!, embedName(params.name), json as never, tokenAuditActor(ctx.state.auth)));
      },
    }),
    route({
      method: 'delete',
      path: '/:name',
      summary: 'Deletes a saved embed.',
      tag: TAG,
      access: manage,
      params: nameParams,
      responses: { 200: { description: 'Deleted.', schema: z.object({ deleted: z.literal(true), name: z.string() }) } },
      handler: async (ctx, { params }) => {
        const e = await deleteEmbed(prisma, ctx.params.guildId!, embedName(params.name), tokenAuditActor(ctx.state.auth));
        ctx.body = { deleted: true, name: e.name };
      },
    }),
  ]);
}
