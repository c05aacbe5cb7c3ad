import type Router from '@koa/router';
import { z } from 'zod';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { syncFlowId } from '../../lib/flows/sync';
import { removeSyncChannel, setSyncChannel, SYNC_CHANNEL_TYPES } from '../../lib/flows/sync-channels.client';
import { tokenAuditActor } from '../auth';
import { flowTargetOf, type RouteDeps } from '../deps';
import { decodeCursor, encodeCursor } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate, nextCursor, row } from '../openapi/schemas';

const typeParam = z.object({ entityType: z.enum(SYNC_CHANNEL_TYPES, { error: `entityType: one of ${SYNC_CHANNEL_TYPES.join(', ')}` }) });
const channelBody = z
  .object({
    channelId: snowflake,
    /** leaderboard: which asset and how many holders (1–25). */
    asset: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/).optional(),
    size: z.number().int().min(1).max(25).optional(),
  })
  .strict();
const listQuery = z.object({
  state: z.enum(['creating', 'synced', 'pending', 'orphaned', 'deleted']).optional(),
  entityType: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/**
 * Synced messages are listed most recently changed first, so the cursor names the last row's
 * (updatedAt, entityType:entityId) rather than the (createdAt, id) of api/pagination.ts; it is as opaque.
 */
const keyOf = (m: { entityType: string; entityId: string }) => `${m.entityType}:${m.entityId}`;
function afterSyncCursor(cursor: string | undefined) {
  if (!cursor) return {};
  const { createdAt: at, id } = decodeCursor(cursor);
  const split = id.indexOf(':');
  const [entityType, entityId] = [id.slice(0, split), id.slice(split + 1)];
  return { OR: [{ updatedAt: { lt: at } }, { updatedAt: at, entityType: { lt: entityType } }, { updatedAt: at, entityType, entityId: { lt: entityId } }] };
}

/** The whole row, and the id of the flow that keeps it in sync. */
const syncMessageJson = z
  .object({
    entityType: z.string(),
    entityId: z.string(),
    guildId: z.string(),
    channelId: z.string().nullable(),
    messageId: z.string().nullable(),
    state: z.string(),
    contentHash: z.string().nullable(),
    creates: z.number().int().meta({ description: 'Messages posted: the first and every re-creation.' }),
    edits: z.number().int(),
    lastError: z.string().nullable(),
    syncedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
    workflowId: z.string(),
  })
  .meta({ id: 'SyncMessage' });
const syncChannelJson = row({ guildId: z.string(), entityType: z.string(), channelId: z.string() }).meta({ id: 'SyncChannel' });
const TAG = 'sync';

/**
 * The message sync for the dashboard: every synced message with its state (`pending` while Discord
 * fails, `orphaned` with the reason), and where a guild's leaderboard panel and shop item posts go.
 * Setting a channel (re)posts them there through their sync flows; removing the leaderboard's deletes
 * the panel; both are audited. Without Temporal the channel routes answer 503 `temporal_unavailable` and change nothing.
 */
export function syncRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, syncSettings } = deps;
  // Throws 503 without Temporal, before anything is stored.
  const channelDeps = () => ({ prisma, target: flowTargetOf(deps), settings: syncSettings });

  return routerOf('/api/guilds/:guildId/sync', deps, [
    route({
      method: 'get',
      path: '/',
      summary: 'Synced messages, most recently changed first, with their state.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: listQuery,
      responses: { 200: { description: 'A page of synced messages.', schema: z.object({ items: z.array(syncMessageJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const rows = await prisma.syncMessage.findMany({
          where: { guildId: ctx.params.guildId!, ...(q.state ? { state: q.state } : {}), ...(q.entityType ? { entityType: q.entityType } : {}), ...afterSyncCursor(q.cursor) },
          orderBy: [{ updatedAt: 'desc' }, { entityType: 'desc' }, { entityId: 'desc' }],
          take: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        const last = page[page.length - 1];
        ctx.body = {
          items: page.map((m) => ({ ...m, workflowId: syncFlowId(m.entityType, m.entityId) })),
          nextCursor: rows.length > q.limit && last ? encodeCursor({ createdAt: last.updatedAt, id: keyOf(last) }) : null,
        };
      },
    }),
    route({
      method: 'get',
      path: '/channels',
      summary: 'Where the leaderboard panel and shop item posts go.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'The channels.', schema: z.object({ items: z.array(syncChannelJson) }) } },
      handler: async (ctx) => {
        ctx.body = { items: await prisma.syncChannel.findMany({ where: { guildId: ctx.params.guildId! }, orderBy: { entityType: 'asc' } }) };
      },
    }),
    route({
      method: 'put',
      path: '/channels/:entityType',
      summary: 'Sets a channel: its messages are (re)posted there (audited).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      params: typeParam,
      body: channelBody,
      responses: { 200: { description: 'The channel, and how many sync flows were woken.', schema: syncChannelJson.extend({ flowsWoken: z.number().int() }) } },
      handler: async (ctx, { params: { entityType }, body }) => {
        channelDeps(); // nothing is stored when the flows cannot be told
        const guildId = ctx.params.guildId!;
        await requireInGuild(deps.guildDirectory, guildId, { channels: { channelId: body.channelId } });
        ctx.body = await setSyncChannel(channelDeps(), guildId, entityType, body, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'delete',
      path: '/channels/:entityType',
      summary: "Removes a channel (the leaderboard's panel is deleted; audited).",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      params: typeParam,
      responses: { 204: { description: 'Removed.' } },
      handler: async (ctx, { params: { entityType } }) => {
        await removeSyncChannel(channelDeps(), ctx.params.guildId!, entityType, tokenAuditActor(ctx.state.auth));
        ctx.status = 204;
      },
    }),
  ]);
}
