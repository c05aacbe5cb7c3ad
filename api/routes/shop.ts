import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import {
  addItem,
  editItem,
  itemCreateSchema,
  itemPatchSchema,
  itemToJson,
  listInventory,
  removeItem,
  type AuditActor,
} from '../../activities/shop';
import { syncShopItemPost, type ShopSyncDeps } from '../../activities/sync/shop-hook';
import { NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { Prisma, Purchase } from '../../prisma/client';
import { purchaseStatusQuery, purchaseWorkflowId, type PurchaseState } from '../../workflows/purchase';
import { afterCursor, pageOf } from '../pagination';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

const itemParams = z.object({ itemId: z.coerce.number().int().min(1).max(2_147_483_647) });
const itemsQuery = z.object({
  includeRemoved: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const PURCHASE_STATUSES = ['pending', 'completed', 'failed', 'role_expired'] as const;
const purchasesQuery = z.object({
  status: z.enum(PURCHASE_STATUSES).optional(),
  userId: snowflake.optional(),
  itemId: z.coerce.number().int().min(1).optional(),
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

type State = AuthState & { log: Logger };

export function purchaseToJson(p: Purchase) {
  return { ...p, unitPrice: p.unitPrice.toString(), total: p.total.toString() };
}

/**
 * The shop for the dashboard: items (mods read, admins write; writes audited), a member's inventory,
 * purchases with filters and cursor pagination, and one purchase with its workflow's status.
 */
export function shopRoutes({ prisma, temporal, taskQueue, syncSettings }: RouteDeps): Router<State> {
  const sync: Omit<ShopSyncDeps, 'prisma' | 'temporal' | 'log'> = { taskQueue, syncSettings };
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/shop' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const actorOf = (ctx: { state: State }): AuditActor => ({ actorType: 'api_token', actorId: `token:${ctx.state.auth.tokenId}` });

  router.get('/items', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = itemsQuery.parse(ctx.query);
    const where = { guildId: guildOf(ctx), ...(q.includeRemoved === 'true' ? {} : { deletedAt: null }) };
    const [items, total] = await prisma.$transaction([
      prisma.shopItem.findMany({ where, orderBy: { id: 'asc' }, skip: q.offset, take: q.limit }),
      prisma.shopItem.count({ where }),
    ]);
    ctx.body = { items: items.map(itemToJson), total };
  });

  router.post('/items', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const input = itemCreateSchema.parse(await readJsonBody(ctx));
    const item = await addItem(prisma, guildOf(ctx), input, actorOf(ctx));
    await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'saved'); // its post (message sync)
    ctx.status = 201;
    ctx.body = itemToJson(item);
  });

  router.patch('/items/:itemId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { itemId } = itemParams.parse(ctx.params);
    const patch = itemPatchSchema.parse(await readJsonBody(ctx));
    const item = await editItem(prisma, guildOf(ctx), itemId, patch, actorOf(ctx));
    await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'saved');
    ctx.body = itemToJson(item);
  });

  router.delete('/items/:itemId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { itemId } = itemParams.parse(ctx.params);
    const item = await removeItem(prisma, guildOf(ctx), itemId, actorOf(ctx));
    await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'removed');
    ctx.status = 204;
  });

  router.get('/inventory/:userId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const userId = snowflake.parse(ctx.params.userId);
    ctx.body = { userId, items: await listInventory(prisma, guildOf(ctx), userId) };
  });

  router.get('/purchases', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = purchasesQuery.parse(ctx.query);
    const where: Prisma.PurchaseWhereInput = {
      guildId: guildOf(ctx),
      ...(q.status ? { status: q.status } : {}),
      ...(q.userId ? { userId: q.userId } : {}),
      ...(q.itemId ? { itemId: q.itemId } : {}),
      ...(q.since || q.until ? { createdAt: { ...(q.since ? { gte: q.since } : {}), ...(q.until ? { lt: q.until } : {}) } } : {}),
      ...afterCursor(q.cursor),
    };
    const rows = await prisma.purchase.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    ctx.body = pageOf(rows, q.limit, purchaseToJson);
  });

  router.get('/purchases/:purchaseId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const purchaseId = z.string().min(1).max(64).parse(ctx.params.purchaseId);
    const p = await prisma.purchase.findFirst({ where: { id: purchaseId, guildId: guildOf(ctx) } });
    if (!p) throw new NotFoundError(`There is no purchase ${purchaseId} in this guild.`);
    ctx.body = { ...purchaseToJson(p), workflow: await workflowStatus(temporal, purchaseWorkflowId(p.id), ctx.state.log) };
  });

  return router;
}

/** The flow's Temporal status, and its own `status` query while it runs (e.g. waiting out a timed role). */
async function workflowStatus(temporal: Client | undefined, workflowId: string, log: Logger) {
  if (!temporal) return { workflowId, status: 'UNAVAILABLE' as const };
  const handle = temporal.workflow.getHandle(workflowId);
  try {
    const d = await handle.describe();
    let state: PurchaseState | null = null;
    if (d.status.name === 'RUNNING') {
      state = await temporal.withDeadline(Date.now() + 3000, () => handle.query(purchaseStatusQuery)).catch((err: unknown) => {
        log.warn({ err, workflowId }, 'purchase status query failed');
        return null;
      });
    }
    return { workflowId, status: d.status.name, startTime: d.startTime, closeTime: d.closeTime ?? null, historyLength: d.historyLength, state };
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return { workflowId, status: 'NOT_FOUND' as const };
    throw err;
  }
}
