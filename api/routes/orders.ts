import Router from '@koa/router';
import { z } from 'zod';
import { ensurePackages, packageToJson, setPackage } from '../../activities/codes/packages';
import { getCodeShopSettings, importCodes, stockCounts } from '../../activities/codes/stock';
import { orderToJson } from '../../activities/orders';
import { snowflake } from '../../lib/discord/snowflake';
import { AppError, NotFoundError } from '../../lib/errors';
import { FlowClosedError } from '../../lib/flows/client';
import { ORDER_STATUSES } from '../../lib/flows/orders';
import { readOrderStatus, sendOrderAdminAction } from '../../lib/flows/orders.client';
import type { Logger } from '../../lib/logger';
import type { Prisma } from '../../prisma/client';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { afterCursor, cursorOrBefore, pageWithNext } from '../pagination';

const listQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  userId: snowflake.optional(),
  cursor: z.string().max(200).optional(),
  /** Deprecated: the `next` of the previous page; use `cursor`. */
  before: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const processBody = z.object({ action: z.enum(['retry', 'complete', 'refund']) }).strict();
const importBody = z.object({ codes: z.string().min(1).max(2_000_000) }).strict();
/** 0 or null for the hourly limits: unlimited. */
const settingsBody = z
  .object({
    ordersPerMemberPerHour: z.number().int().min(0).max(1000).nullable().optional(),
    topupsPerMemberPerHour: z.number().int().min(0).max(1000).nullable().optional(),
    redeliveriesPerDay: z.number().int().min(0).max(100).optional(),
  })
  .strict();
const packageBody = z.object({ price: z.union([z.string().regex(/^\d{1,16}$/), z.number().int().min(0)]), active: z.boolean().optional() }).strict();

type State = AuthState & { log: Logger };

const settingsToJson = (s: Awaited<ReturnType<typeof getCodeShopSettings>>) => ({
  lowStockThreshold: s.lowStockThreshold,
  topupWaitSeconds: s.topupWaitSeconds,
  deliveryTimeoutSeconds: s.deliveryTimeoutSeconds,
  ordersPerMemberPerHour: s.ordersPerMemberPerHour,
  topupsPerMemberPerHour: s.topupsPerMemberPerHour,
  redeliveriesPerDay: s.redeliveriesPerDay,
});

/**
 * The code shop for the dashboard: orders (mods read; admins process a `needs_admin` order by signalling
 * its workflow), stock counts and packages (mods read; admins import codes and set prices). Codes are
 * never returned. Settings: the per-member limits (orders and top-ups per hour, re-deliveries per day).
 */
export function orderRoutes({ prisma, temporal, codes }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const audit = (ctx: { state: State; params: Record<string, string> }, action: string, targetType: string, targetId: string, data: object) =>
    prisma.auditEvent.create({ data: { guildId: guildOf(ctx), ...tokenAuditActor(ctx.state.auth), action, targetType, targetId, data } });

  router.get('/orders', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const cursor = await cursorOrBefore(q, 'order', (id) => prisma.codeOrder.findFirst({ where: { id, guildId: guildOf(ctx) } }));
    const where: Prisma.CodeOrderWhereInput = {
      guildId: guildOf(ctx),
      ...(q.status ? { status: q.status } : {}),
      ...(q.userId ? { userId: q.userId } : {}),
      ...afterCursor(cursor),
    };
    const rows = await prisma.codeOrder.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    ctx.body = pageWithNext(rows, q.limit, orderToJson);
  });

  router.get('/orders/:orderId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const id = z.string().min(1).max(64).parse(ctx.params.orderId);
    const o = await prisma.codeOrder.findFirst({ where: { id, guildId: guildOf(ctx) } });
    if (!o) throw new NotFoundError(`There is no order ${id} in this guild.`);
    const workflow = await readOrderStatus(temporal, o.id);
    const codeCount = await prisma.code.groupBy({ by: ['status'], where: { orderId: o.id }, _count: { _all: true } });
    ctx.body = { ...orderToJson(o), codes: Object.fromEntries(codeCount.map((c) => [c.status, c._count._all])), workflow };
  });

  router.post('/orders/:orderId/process', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const id = z.string().min(1).max(64).parse(ctx.params.orderId);
    const { action } = processBody.parse(await readJsonBody(ctx));
    const o = await prisma.codeOrder.findFirst({ where: { id, guildId: guildOf(ctx) } });
    if (!o) throw new NotFoundError(`There is no order ${id} in this guild.`);
    if (o.status !== 'needs_admin') throw new AppError('order_not_waiting', `Order ${id} is ${o.status}; only an order that needs an admin can be processed.`, 409);
    if (!(await sendOrderAdminAction(temporal, o.id, { action, by: tokenAuditActor(ctx.state.auth).actorId }))) {
      throw new FlowClosedError(`Order ${o.id} is no longer running: nothing was changed.`);
    }
    await audit(ctx, `code_order.${action}`, 'code_order', o.id, { action });
    ctx.status = 202;
    ctx.body = { orderId: o.id, action, accepted: true };
  });

  router.get('/codes/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = settingsToJson(await getCodeShopSettings(prisma, guildOf(ctx)));
  });

  router.patch('/codes/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const body = settingsBody.parse(await readJsonBody(ctx));
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
  });

  router.get('/codes/stock', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const packages = await ensurePackages(prisma, guildOf(ctx));
    ctx.body = { stock: await stockCounts(prisma, guildOf(ctx)), packages: packages.map(packageToJson) };
  });

  router.post('/codes/import', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { codes: text } = importBody.parse(await readJsonBody(ctx, 4 * 1024 * 1024));
    if (!codes) throw new AppError('code_shop_disabled', 'The code shop is not set up (CODE_ENCRYPTION_KEY is not set).', 503);
    const report = await importCodes(prisma, codes, guildOf(ctx), text);
    await audit(ctx, 'codes.imported', 'codes', guildOf(ctx), { added: report.added, duplicates: report.duplicates, invalid: report.invalid.length });
    ctx.body = report;
  });

  router.put('/codes/packages/:quantity', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const quantity = z.coerce.number().int().min(1).max(1000).parse(ctx.params.quantity);
    const body = packageBody.parse(await readJsonBody(ctx));
    const p = await setPackage(prisma, guildOf(ctx), { quantity, price: BigInt(body.price), ...(body.active === undefined ? {} : { active: body.active }) });
    await audit(ctx, 'code_package.saved', 'code_package', String(p.id), packageToJson(p));
    ctx.body = packageToJson(p);
  });

  return router;
}
