import Router from '@koa/router';
import { z } from 'zod';
import {
  addItem,
  editItem,
  itemCreateSchema,
  itemPatchSchema,
  itemToJson,
  listInventory,
  parseCategory,
  removeItem,
  type AuditActor,
} from '../../activities/shop';
import { syncShopItemPost, type ShopSyncDeps } from '../../activities/sync/shop-hook';
import { NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { readFlowStatus } from '../../lib/flows/client';
import { purchaseFlow, purchaseStatusQuery } from '../../lib/flows/shop';
import type { Prisma, Purchase } from '../../prisma/client';
import { afterCursor, decodeKeyCursor, encodeKeyCursor, pageOf } from '../pagination';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

const itemParams = z.object({ itemId: z.coerce.number().int().min(1).max(2_147_483_647) });
const itemsQuery = z.object({
  includeRemoved: z.enum(['true', 'false']).default('false'),
  /** Only items of this category (matched as stored: lower case). */
  category: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
  /** Deprecated: use `cursor` (kept for one release). */
  offset: z.coerce.number().int().min(0).optional(),
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

function purchaseToJson(p: Purchase) {
  return { ...p, unitPrice: p.unitPrice.toString(), total: p.total.toString() };
}

/**
 * The shop for the dashboard: items (mods read, admins write; writes audited), a member's inventory,
 * purchases with filters and cursor pagination, and one purchase with its flow's status (Temporal
 * unreachable: 503 temporal_unavailable).
 */
export function shopRoutes({ prisma, temporal, taskQueue, syncSettings, guildDirectory }: RouteDeps): Router<State> {
  const sync: Omit<ShopSyncDeps, 'prisma' | 'temporal' | 'log'> = { taskQueue, syncSettings };
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/shop' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const actorOf = (ctx: { state: State }): AuditActor => tokenAuditActor(ctx.state.auth);

  router.get('/items', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = itemsQuery.parse(ctx.query);
    const where = { guildId: guildOf(ctx), ...(q.includeRemoved === 'true' ? {} : { deletedAt: null }), ...(q.category !== undefined ? { category: parseCategory(q.category) } : {}) };
    const after = q.cursor ? { id: { gt: Number(decodeKeyCursor(q.cursor, 1)[0]) } } : {};
    const [rows, total] = await prisma.$transaction([
      prisma.shopItem.findMany({ where: { ...where, ...after }, orderBy: { id: 'asc' }, skip: q.cursor ? 0 : (q.offset ?? 0), take: q.limit + 1 }),
      prisma.shopItem.count({ where }),
    ]);
    const items = rows.slice(0, q.limit);
    ctx.body = { items: items.map(itemToJson), total, nextCursor: rows.length > q.limit ? encodeKeyCursor([items[items.length - 1]!.id]) : null };
  });

  router.post('/items', requireGuildToken(prisma, 'admin', 'manage_shop'), async (ctx) => {
    const input = itemCreateSchema.parse(await readJsonBody(ctx));
    await requireInGuild(guildDirectory, guildOf(ctx), { roles: { roleId: input.roleId, requiredRoleId: input.requiredRoleId } });
    const item = await addItem(prisma, guildOf(ctx), input, actorOf(ctx));
    await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'saved'); // its post (message sync)
    ctx.status = 201;
    ctx.body = itemToJson(item);
  });

  router.patch('/items/:itemId', requireGuildToken(prisma, 'admin', 'manage_shop'), async (ctx) => {
    const { itemId } = itemParams.parse(ctx.params);
    const patch = itemPatchSchema.parse(await readJsonBody(ctx));
    await requireInGuild(guildDirectory, guildOf(ctx), { roles: { roleId: patch.roleId, requiredRoleId: patch.requiredRoleId } });
    const item = await editItem(prisma, guildOf(ctx), itemId, patch, actorOf(ctx));
    await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'saved');
    ctx.body = itemToJson(item);
  });

  router.delete('/items/:itemId', requireGuildToken(prisma, 'admin', 'manage_shop'), async (ctx) => {
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
    ctx.body = { ...purchaseToJson(p), workflow: await readFlowStatus(temporal, purchaseFlow.id(p.id), purchaseStatusQuery) };
  });

  return router;
}
