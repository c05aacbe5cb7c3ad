import type Router from '@koa/router';
import { z } from 'zod';
import { addItem, editItem, itemToJson, listInventory, parseCategory, removeItem, type AuditActor } from '../../activities/shop';
import { itemCreateSchema, itemPatchSchema } from '../../lib/requests/shop-item';
import { syncShopItemPost, type ShopSyncDeps } from '../../activities/sync/shop-hook';
import { NotFoundError } from '../../lib/errors';
import { readFlowStatus } from '../../lib/flows/client';
import { purchaseFlow, purchaseStatusQuery } from '../../lib/flows/shop';
import type { Prisma, Purchase } from '../../prisma/client';
import { afterCursor, decodeKeyCursor, encodeKeyCursor, pageOf } from '../pagination';
import { tokenAuditActor } from '../auth';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { decimalString, flowStatus, isoDate, nextCursor, row } from '../openapi/schemas';

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

function purchaseToJson(p: Purchase) {
  return { ...p, unitPrice: p.unitPrice.toString(), total: p.total.toString() };
}

const itemJson = row({
  id: z.number().int(),
  guildId: z.string(),
  name: z.string(),
  description: z.string(),
  emoji: z.string().nullable(),
  price: decimalString,
  assetCode: z.string(),
  stock: z.number().int().nullable(),
  perUserLimit: z.number().int().nullable(),
  roleId: z.string().nullable(),
  roleDurationSeconds: z.number().int().nullable(),
  requiredRoleId: z.string().nullable(),
  active: z.boolean(),
  category: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  deletedAt: isoDate.nullable(),
}).meta({ id: 'ShopItem' });
const purchaseJson = row({
  id: z.string(),
  guildId: z.string(),
  userId: z.string(),
  itemId: z.number().int(),
  quantity: z.number().int(),
  unitPrice: decimalString,
  total: decimalString,
  assetCode: z.string(),
  status: z.string(),
  roleId: z.string().nullable(),
  roleExpiresAt: isoDate.nullable(),
  failureReason: z.string().nullable(),
  createdAt: isoDate,
  completedAt: isoDate.nullable(),
}).meta({ id: 'Purchase' });
const TAG = 'shop';

/**
 * The shop for the dashboard: items (mods read, admins write; writes audited), a member's inventory,
 * purchases with filters and cursor pagination, and one purchase with its flow's status (Temporal
 * unreachable: 503 temporal_unavailable).
 */
export function shopRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, taskQueue, syncSettings, guildDirectory } = deps;
  const sync: Omit<ShopSyncDeps, 'prisma' | 'temporal' | 'log'> = { taskQueue, syncSettings };
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const actorOf = (ctx: RouteContext): AuditActor => tokenAuditActor(ctx.state.auth);
  const write = { kind: 'guild', level: 'admin', grant: 'manage_shop' } as const;

  return routerOf('/api/guilds/:guildId/shop', deps, [
    route({
      method: 'get',
      path: '/items',
      summary: 'Shop items, by id.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: itemsQuery,
      responses: { 200: { description: 'A page of items.', schema: z.object({ items: z.array(itemJson), total: z.number().int(), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const where = { guildId: guildOf(ctx), ...(q.includeRemoved === 'true' ? {} : { deletedAt: null }), ...(q.category !== undefined ? { category: parseCategory(q.category) } : {}) };
        const after = q.cursor ? { id: { gt: Number(decodeKeyCursor(q.cursor, 1)[0]) } } : {};
        const [rows, total] = await prisma.$transaction([
          prisma.shopItem.findMany({ where: { ...where, ...after }, orderBy: { id: 'asc' }, skip: q.cursor ? 0 : (q.offset ?? 0), take: q.limit + 1 }),
          prisma.shopItem.count({ where }),
        ]);
        const items = rows.slice(0, q.limit);
        ctx.body = { items: items.map(itemToJson), total, nextCursor: rows.length > q.limit ? encodeKeyCursor([items[items.length - 1]!.id]) : null };
      },
    }),
    route({
      method: 'post',
      path: '/items',
      summary: 'Adds an item (audited; its shop post follows).',
      tag: TAG,
      access: write,
      body: itemCreateSchema,
      responses: { 201: { description: 'The item.', schema: itemJson } },
      handler: async (ctx, { body: input }) => {
        await requireInGuild(guildDirectory, guildOf(ctx), { roles: { roleId: input.roleId, requiredRoleId: input.requiredRoleId } });
        const item = await addItem(prisma, guildOf(ctx), input, actorOf(ctx));
        await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'saved'); // its post (message sync)
        ctx.status = 201;
        ctx.body = itemToJson(item);
      },
    }),
    route({
      method: 'patch',
      path: '/items/:itemId',
      summary: 'Edits an item (audited).',
      tag: TAG,
      access: write,
      params: itemParams,
      body: itemPatchSchema,
      responses: { 200: { description: 'The item now.', schema: itemJson } },
      handler: async (ctx, { params: { itemId }, body: patch }) => {
        await requireInGuild(guildDirectory, guildOf(ctx), { roles: { roleId: patch.roleId, requiredRoleId: patch.requiredRoleId } });
        const item = await editItem(prisma, guildOf(ctx), itemId, patch, actorOf(ctx));
        await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'saved');
        ctx.body = itemToJson(item);
      },
    }),
    route({
      method: 'delete',
      path: '/items/:itemId',
      summary: 'Removes an item (kept for the purchases that name it).',
      tag: TAG,
      access: write,
      params: itemParams,
      responses: { 204: { description: 'Removed.' } },
      handler: async (ctx, { params: { itemId } }) => {
        const item = await removeItem(prisma, guildOf(ctx), itemId, actorOf(ctx));
        await syncShopItemPost({ prisma, temporal, log: ctx.state.log, ...sync }, item, 'removed');
        ctx.status = 204;
      },
    }),
    route({
      method: 'get',
      path: '/inventory/:userId',
      summary: "A member's inventory.",
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      params: z.object({ userId: snowflake }),
      responses: {
        200: {
          description: 'What they hold.',
          schema: z.object({ userId: z.string(), items: z.array(z.object({ itemId: z.number().int(), name: z.string(), emoji: z.string().nullable(), quantity: z.number().int(), removed: z.boolean() })) }),
        },
      },
      handler: async (ctx, { params: { userId } }) => {
        ctx.body = { userId, items: await listInventory(prisma, guildOf(ctx), userId) };
      },
    }),
    route({
      method: 'get',
      path: '/purchases',
      summary: 'Purchases, newest first, with filters.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: purchasesQuery,
      responses: { 200: { description: 'A page of purchases.', schema: z.object({ items: z.array(purchaseJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
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
      },
    }),
    route({
      method: 'get',
      path: '/purchases/:purchaseId',
      summary: 'One purchase with its flow’s status.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      params: z.object({ purchaseId: z.string().min(1).max(64) }),
      responses: { 200: { description: 'The purchase.', schema: purchaseJson.extend({ workflow: flowStatus }) } },
      handler: async (ctx, { params: { purchaseId } }) => {
        const p = await prisma.purchase.findFirst({ where: { id: purchaseId, guildId: guildOf(ctx) } });
        if (!p) throw new NotFoundError(`There is no purchase ${purchaseId} in this guild.`);
        ctx.body = { ...purchaseToJson(p), workflow: await readFlowStatus(temporal, purchaseFlow.id(p.id), purchaseStatusQuery) };
      },
    }),
  ]);
}
