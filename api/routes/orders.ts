import type Router from '@koa/router';
import { z } from 'zod';
import { ensurePackages, packageToJson, setPackage } from '../../activities/codes/packages';
import { getCodeShopSettings, importCodes, stockCounts } from '../../activities/codes/stock';
import { orderToJson } from '../../activities/orders';
import { snowflake } from '../../lib/discord/snowflake';
import { codeImport, codeShopLimits, packageParams, packagePrice } from '../../lib/requests/code-shop';
import { AppError, NotFoundError } from '../../lib/errors';
import { FlowClosedError } from '../../lib/flows/client';
import { ORDER_STATUSES } from '../../lib/flows/orders';
import { readOrderStatus, sendOrderAdminAction } from '../../lib/flows/orders.client';
import type { Prisma } from '../../prisma/client';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { afterCursor, cursorOrBefore, pageWithNext } from '../pagination';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { decimalString, flowStatus, isoDate, nextCursor } from '../openapi/schemas';

const listQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  userId: snowflake.optional(),
  cursor: z.string().max(200).optional(),
  /** Deprecated: the `next` of the previous page; use `cursor`. */
  before: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const processBody = z.object({ action: z.enum(['retry', 'complete', 'refund']) }).strict();
const settingsToJson = (s: Awaited<ReturnType<typeof getCodeShopSettings>>) => ({
  lowStockThreshold: s.lowStockThreshold,
  topupWaitSeconds: s.topupWaitSeconds,
  deliveryTimeoutSeconds: s.deliveryTimeoutSeconds,
  ordersPerMemberPerHour: s.ordersPerMemberPerHour,
  topupsPerMemberPerHour: s.topupsPerMemberPerHour,
  redeliveriesPerDay: s.redeliveriesPerDay,
});

const orderParams = z.object({ orderId: z.string().min(1).max(64) });
/** activities/orders orderToJson: the whole row, the price as a decimal string. */
const orderJson = z
  .object({
    id: z.string(),
    guildId: z.string(),
    userId: z.string(),
    packageId: z.number().int(),
    quantity: z.number().int(),
    price: decimalString,
    assetCode: z.string(),
    status: z.string(),
    failureReason: z.string().nullable(),
    deliveredVia: z.string().nullable(),
    topupPaymentId: z.string().nullable(),
    requestKey: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
    completedAt: isoDate.nullable(),
  })
  .meta({ id: 'CodeOrder' });
const settingsJson = z.object({
  lowStockThreshold: z.number().int(),
  topupWaitSeconds: z.number().int(),
  deliveryTimeoutSeconds: z.number().int(),
  ordersPerMemberPerHour: z.number().int().nullable(),
  topupsPerMemberPerHour: z.number().int().nullable(),
  redeliveriesPerDay: z.number().int(),
});
/** activities/codes packageToJson: the whole row, the price as a decimal string. */
const packageJson = z
  .object({ id: z.number().int(), guildId: z.string(), quantity: z.number().int(), price: decimalString, assetCode: z.string(), active: z.boolean(), createdAt: isoDate, updatedAt: isoDate })
  .meta({ id: 'CodePackage' });
const TAG = 'orders';

/**
 * The code shop for the dashboard: orders (mods read; admins process a `needs_admin` order by signalling
 * its workflow), stock counts and packages (mods read; admins import codes and set prices). Codes are
 * never returned. Settings: the per-member limits (orders and top-ups per hour, re-deliveries per day).
 */
export function orderRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, codes } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const audit = (ctx: RouteContext, action: string, targetType: string, targetId: string, data: object) =>
    prisma.auditEvent.create({ data: { guildId: guildOf(ctx), ...tokenAuditActor(ctx.state.auth), action, targetType, targetId, data } });
  const mod = { kind: 'guild', level: 'mod' } as const;
  const admin = { kind: 'guild', level: 'admin' } as const;

  return routerOf('/api/guilds/:guildId', deps, [
    route({
      method: 'get',
      path: '/orders',
      summary: 'Code orders, newest first, with filters.',
      tag: TAG,
      access: mod,
      query: listQuery,
      responses: { 200: { description: 'A page of orders.', schema: z.object({ items: z.array(orderJson), nextCursor, next: z.string().nullable().meta({ deprecated: true }) }) } },
      handler: async (ctx, { query: q }) => {
        const cursor = await cursorOrBefore(q, 'order', (id) => prisma.codeOrder.findFirst({ where: { id, guildId: guildOf(ctx) } }));
        const where: Prisma.CodeOrderWhereInput = {
          guildId: guildOf(ctx),
          ...(q.status ? { status: q.status } : {}),
          ...(q.userId ? { userId: q.userId } : {}),
          ...afterCursor(cursor),
        };
        const rows = await prisma.codeOrder.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
        ctx.body = pageWithNext(rows, q.limit, orderToJson);
      },
    }),
    route({
      method: 'get',
      path: '/orders/:orderId',
      summary: 'One order, its codes by status (never the codes) and its flow’s status.',
      tag: TAG,
      access: mod,
      params: orderParams,
      responses: { 200: { description: 'The order.', schema: orderJson.extend({ codes: z.record(z.string(), z.number().int()), workflow: flowStatus }) } },
      handler: async (ctx, { params: { orderId: id } }) => {
        const o = await prisma.codeOrder.findFirst({ where: { id, guildId: guildOf(ctx) } });
        if (!o) throw new NotFoundError(`There is no order ${id} in this guild.`);
        const workflow = await readOrderStatus(temporal, o.id);
        const codeCount = await prisma.code.groupBy({ by: ['status'], where: { orderId: o.id }, _count: { _all: true } });
        ctx.body = { ...orderToJson(o), codes: Object.fromEntries(codeCount.map((c) => [c.status, c._count._all])), workflow };
      },
    }),
    route({
      method: 'post',
      path: '/orders/:orderId/process',
      summary: 'Retries, completes or refunds an order that needs an admin.',
      tag: TAG,
      access: admin,
      params: orderParams,
      body: processBody,
      responses: { 202: { description: 'Sent to the order’s flow.', schema: z.object({ orderId: z.string(), action: z.enum(['retry', 'complete', 'refund']), accepted: z.literal(true) }) } },
      handler: async (ctx, { params: { orderId: id }, body: { action } }) => {
        const o = await prisma.codeOrder.findFirst({ where: { id, guildId: guildOf(ctx) } });
        if (!o) throw new NotFoundError(`There is no order ${id} in this guild.`);
        if (o.status !== 'needs_admin') throw new AppError('order_not_waiting', `Order ${id} is ${o.status}; only an order that needs an admin can be processed.`, 409);
        if (!(await sendOrderAdminAction(temporal, o.id, { action, by: tokenAuditActor(ctx.state.auth).actorId }))) {
          throw new FlowClosedError(`Order ${o.id} is no longer running: nothing was changed.`);
        }
        await audit(ctx, `code_order.${action}`, 'code_order', o.id, { action });
        ctx.status = 202;
        ctx.body = { orderId: o.id, action, accepted: true };
      },
    }),
    route({
      method: 'get',
      path: '/codes/settings',
      summary: 'The code shop’s per-member limits.',
      tag: TAG,
      access: mod,
      responses: { 200: { description: 'The settings.', schema: settingsJson } },
      handler: async (ctx) => {
        ctx.body = settingsToJson(await getCodeShopSettings(prisma, guildOf(ctx)));
      },
    }),
    route({
      method: 'patch',
      path: '/codes/settings',
      summary: 'Changes the per-member limits (0 or null: unlimited; audited).',
      tag: TAG,
      access: admin,
      body: codeShopLimits,
      responses: { 200: { description: 'The settings now.', schema: settingsJson } },
      handler: async (ctx, { body }) => {
        await getCodeShopSettings(prisma, guildOf(ctx));
        const s = await prisma.codeShopSettings.update({
          where: { guildId: guildOf(ctx) },
          data: {
            ...(body.ordersPerMemberPerHour !== undefined ? { ordersPerMemberPerHour: body.ordersPerMemberPerHour || null } : {}),
            ...(body.topupsPerMemberPerHour !== undefined ? { topupsPerMemberPerHour: body.topupsPerMemberPerHour || null } : {}),
            ...(body.redeliveriesPerDay !== undefined ? { redeliveriesPerDay: body.redeliveriesPerDay } : {}),
          },
        });
        await audit(ctx, 'code_shop_settings.updated', 'code_shop_settings', guildOf(ctx), body);
        ctx.body = settingsToJson(s);
      },
    }),
    route({
      method: 'get',
      path: '/codes/stock',
      summary: 'Code stock counts and the packages.',
      tag: TAG,
      access: mod,
      responses: { 200: { description: 'Stock and packages.', schema: z.object({ stock: z.object({ available: z.number().int(), reserved: z.number().int(), delivered: z.number().int() }), packages: z.array(packageJson) }) } },
      handler: async (ctx) => {
        const packages = await ensurePackages(prisma, guildOf(ctx));
        ctx.body = { stock: await stockCounts(prisma, guildOf(ctx)), packages: packages.map(packageToJson) };
      },
    }),
    route({
      method: 'post',
      path: '/codes/import',
      summary: 'Imports codes, one a line (encrypted at rest; audited).',
      tag: TAG,
      access: admin,
      body: codeImport,
      bodyLimitBytes: 4 * 1024 * 1024,
      responses: {
        200: { description: 'What was added.', schema: z.object({ added: z.number().int(), duplicates: z.number().int(), invalid: z.array(z.object({ line: z.number().int(), reason: z.string() })), available: z.number().int() }) },
      },
      handler: async (ctx, { body: { codes: text } }) => {
        if (!codes) throw new AppError('code_shop_disabled', 'The code shop is not set up (CODE_ENCRYPTION_KEY is not set).', 503);
        const report = await importCodes(prisma, codes, guildOf(ctx), text);
        await audit(ctx, 'codes.imported', 'codes', guildOf(ctx), { added: report.added, duplicates: report.duplicates, invalid: report.invalid.length });
        ctx.body = report;
      },
    }),
    route({
      method: 'put',
      path: '/codes/packages/:quantity',
      summary: 'Sets the price of a package of codes (audited).',
      tag: TAG,
      access: admin,
      params: packageParams,
      body: packagePrice,
      responses: { 200: { description: 'The package.', schema: packageJson } },
      handler: async (ctx, { params: { quantity }, body }) => {
        const p = await setPackage(prisma, guildOf(ctx), { quantity, price: BigInt(body.price), ...(body.active === undefined ? {} : { active: body.active }) });
        await audit(ctx, 'code_package.saved', 'code_package', String(p.id), packageToJson(p));
        ctx.body = packageToJson(p);
      },
    }),
  ]);
}
