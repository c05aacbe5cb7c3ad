import Router from '@koa/router';
import { z } from 'zod';
import { signalSync } from '../../activities/sync';
import { AppError, NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

type State = AuthState & { log: Logger };

const CHANNEL_TYPES = ['leaderboard', 'shop_item'] as const;
const typeParam = z.object({ entityType: z.enum(CHANNEL_TYPES, { error: `entityType: one of ${CHANNEL_TYPES.join(', ')}` }) });
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
});

/**
 * The message sync for the dashboard: every synced message with its state (`pending` while Discord
 * fails, `orphaned` with the reason), and where a guild's leaderboard panel and shop item posts go.
 * Setting a channel (re)posts them there through their sync flows; removing the leaderboard's deletes
 * the panel.
 */
export function syncRoutes({ prisma, temporal, taskQueue, syncSettings }: RouteDeps): Router<State> {
  const opts = { taskQueue, syncSettings };
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/sync' });
  const flows = () => {
    if (!temporal || !opts.taskQueue) throw new AppError('unavailable', 'Message sync needs Temporal, which this API process is not connected to.', 503);
    return { temporal, taskQueue: opts.taskQueue };
  };

  /** Wakes every flow of the type (they re-render and move, post or delete as the new setting says). */
  async function resync(guildId: string, entityType: (typeof CHANNEL_TYPES)[number], asset: string, removed: boolean): Promise<number> {
    const { temporal: client, taskQueue } = flows();
    const settings = opts.syncSettings;
    if (entityType === 'leaderboard') {
      await signalSync(client, taskQueue, { entityType, entityId: `${guildId}:${asset}`, guildId }, { settings, deleted: removed });
      return 1;
    }
    const items = await prisma.shopItem.findMany({ where: { guildId, deletedAt: null }, select: { id: true } });
    for (const it of items) await signalSync(client, taskQueue, { entityType, entityId: String(it.id), guildId }, { settings });
    return items.length;
  }

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const items = await prisma.syncMessage.findMany({
      where: { guildId: ctx.params.guildId!, ...(q.state ? { state: q.state } : {}), ...(q.entityType ? { entityType: q.entityType } : {}) },
      orderBy: [{ updatedAt: 'desc' }],
      take: q.limit,
    });
    ctx.body = { items: items.map((m) => ({ ...m, workflowId: `sync:${m.entityType}:${m.entityId}` })) };
  });

  router.get('/channels', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = { items: await prisma.syncChannel.findMany({ where: { guildId: ctx.params.guildId! }, orderBy: { entityType: 'asc' } }) };
  });

  router.put('/channels/:entityType', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { entityType } = typeParam.parse(ctx.params);
    const body = channelBody.parse(await readJsonBody(ctx));
    flows();
    const guildId = ctx.params.guildId!;
    const options = entityType === 'leaderboard' ? { asset: body.asset ?? 'currency', size: body.size ?? 10 } : {};
    const row = await prisma.syncChannel.upsert({
      where: { guildId_entityType: { guildId, entityType } },
      create: { guildId, entityType, channelId: body.channelId, options },
      update: { channelId: body.channelId, options, updatedAt: new Date() },
    });
    const flowsWoken = await resync(guildId, entityType, options.asset ?? 'currency', false);
    ctx.body = { ...row, flowsWoken };
  });

  router.delete('/channels/:entityType', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { entityType } = typeParam.parse(ctx.params);
    const guildId = ctx.params.guildId!;
    const row = await prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId, entityType } } });
    if (!row) throw new NotFoundError(`No channel is set for ${entityType} messages.`);
    flows();
    await prisma.syncChannel.delete({ where: { guildId_entityType: { guildId, entityType } } });
    await resync(guildId, entityType, (row.options as { asset?: string }).asset ?? 'currency', true);
    ctx.status = 204;
  });

  return router;
}
