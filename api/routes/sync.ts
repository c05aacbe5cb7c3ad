import Router from '@koa/router';
import { z } from 'zod';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { syncFlowId } from '../../lib/flows/sync';
import { removeSyncChannel, setSyncChannel, SYNC_CHANNEL_TYPES } from '../../lib/flows/sync-channels.client';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { flowTargetOf, type RouteDeps } from '../deps';
import { decodeCursor, encodeCursor } from '../pagination';

type State = AuthState & { log: Logger };

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

/**
 * The message sync for the dashboard: every synced message with its state (`pending` while Discord
 * fails, `orphaned` with the reason), and where a guild's leaderboard panel and shop item posts go.
 * Setting a channel (re)posts them there through their sync flows; removing the leaderboard's deletes
 * the panel; both are audited. Without Temporal the channel routes answer 503 `temporal_unavailable` and change nothing.
 */
export function syncRoutes(deps: RouteDeps): Router<State> {
  const { prisma, syncSettings } = deps;
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/sync' });
  // Throws 503 without Temporal, before anything is stored.
  const channelDeps = () => ({ prisma, target: flowTargetOf(deps), settings: syncSettings });

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
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
  });

  router.get('/channels', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = { items: await prisma.syncChannel.findMany({ where: { guildId: ctx.params.guildId! }, orderBy: { entityType: 'asc' } }) };
  });

  router.put('/channels/:entityType', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { entityType } = typeParam.parse(ctx.params);
    const body = channelBody.parse(await readJsonBody(ctx));
    channelDeps(); // nothing is stored when the flows cannot be told
    const guildId = ctx.params.guildId!;
    await requireInGuild(deps.guildDirectory, guildId, { channels: { channelId: body.channelId } });
    ctx.body = await setSyncChannel(channelDeps(), guildId, entityType, body, tokenAuditActor(ctx.state.auth));
  });

  router.delete('/channels/:entityType', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { entityType } = typeParam.parse(ctx.params);
    await removeSyncChannel(channelDeps(), ctx.params.guildId!, entityType, tokenAuditActor(ctx.state.auth));
    ctx.status = 204;
  });

  return router;
}
