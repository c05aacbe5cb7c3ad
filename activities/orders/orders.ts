import { NotFoundError } from '../../lib/errors';
import { ORDER_FAILURES, type OrderInput, type OrderStatus } from '../../lib/flows/orders';
import { Prisma, type CodeOrder, type CodePackage, type PrismaClient } from '../../prisma/client';
import { HOUR_MS, hourlyLimit, lockMemberLimit, minutes, minutesUntilRoom, windowStart } from '../codes/member-limits';
import { ensurePackages } from '../codes/packages';
import { getCodeShopSettings } from '../codes/stock';

/*
 * Code orders in the database (`code_orders`), written by the `order:{id}` workflow. Status moves:
 * pending → awaiting_funds ⇄ pending → completed | failed | needs_admin → completed | refunded.
 */

/** What an order row is made from: the flow's input without its timings. */
export type CreateOrderInput = Pick<OrderInput, 'orderId' | 'requestKey' | 'guildId' | 'userId' | 'packageId' | 'expectedPrice'>;

export type CreateOrderResult = { ok: true; order: CodeOrder; pkg: CodePackage } | { ok: false; type: string; reason: string };

/**
 * An order already made for this id, returned only to the request that made it (same guild, member and
 * request key): the id comes from a button and proves nothing, so another guild's or member's click with it
 * is refused and sees nothing of the order.
 */
function replayed(existing: CodeOrder & { package: CodePackage }, input: CreateOrderInput): CreateOrderResult {
  const { package: pkg, ...order } = existing;
  if (order.guildId !== input.guildId || order.userId !== input.userId || order.requestKey !== input.requestKey) return conflict;
  return { ok: true, order, pkg };
}
const conflict = { ok: false, type: ORDER_FAILURES.orderConflict, reason: 'This request belongs to another order: nothing was changed.' } as const;

/**
 * The pending order for a confirm click, once per order id; refusals change nothing. A member at the
 * guild's hourly order limit is refused before anything exists (no row, no hold).
 */
export async function createOrder(prisma: PrismaClient, input: CreateOrderInput): Promise<CreateOrderResult> {
  const existing = await prisma.codeOrder.findUnique({ where: { id: input.orderId }, include: { package: true } });
  if (existing) return replayed(existing, input);
  await ensurePackages(prisma, input.guildId);
  const pkg = await prisma.codePackage.findFirst({ where: { id: input.packageId, guildId: input.guildId } });
  if (!pkg) return { ok: false, type: ORDER_FAILURES.packageNotFound, reason: 'That package does not exist in this server.' };
  if (!pkg.active) return { ok: false, type: ORDER_FAILURES.packageUnavailable, reason: `The ${pkg.quantity}-code package is not on sale right now.` };
  if (input.expectedPrice != null && BigInt(input.expectedPrice) !== pkg.price) {
    return { ok: false, type: ORDER_FAILURES.priceChanged, reason: 'The price of this package changed since you asked: open the order menu again to see the new price.' };
  }
  const limit = hourlyLimit((await getCodeShopSettings(prisma, input.guildId)).ordersPerMemberPerHour);
  try {
    return await prisma.$transaction(async (tx): Promise<CreateOrderResult> => {
      if (limit) {
        // Under the member's lock, so two confirms at once cannot both take the last place.
        await lockMemberLimit(tx, 'code-orders', input.guildId, input.userId);
        const recent = await tx.codeOrder.findMany({
          where: { guildId: input.guildId, userId: input.userId, createdAt: { gte: windowStart(HOUR_MS) } },
          orderBy: { createdAt: 'asc' },
          select: { createdAt: true },
        });
        const wait = minutesUntilRoom(recent.map((r) => r.createdAt), limit, HOUR_MS);
        if (wait !== null) {
          return { ok: false, type: ORDER_FAILURES.memberLimit, reason: `You can place ${limit} order${limit === 1 ? '' : 's'} per hour; try again in ${minutes(wait)}.` };
        }
      }
      const order = await tx.codeOrder.create({
        data: { id: input.orderId, requestKey: input.requestKey, guildId: input.guildId, userId: input.userId, packageId: pkg.id, quantity: pkg.quantity, price: pkg.price, assetCode: pkg.assetCode },
      });
      return { ok: true, order, pkg };
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const again = await prisma.codeOrder.findUnique({ where: { id: input.orderId }, include: { package: true } });
      return again ? replayed(again, input) : conflict;
    }
    throw err;
  }
}

export async function getOrder(prisma: PrismaClient, orderId: string): Promise<CodeOrder> {
  const o = await prisma.codeOrder.findUnique({ where: { id: orderId } });
  if (!o) throw new NotFoundError(`There is no order ${orderId}.`);
  return o;
}

const FINAL: OrderStatus[] = ['completed', 'failed', 'refunded'];

/** Moves the order to `status` unless it already ended (idempotent; a final order is never reopened). */
export async function setOrderStatus(prisma: PrismaClient, orderId: string, status: OrderStatus, extra: { failureReason?: string | null; deliveredVia?: string; topupPaymentId?: string } = {}): Promise<CodeOrder> {
  await prisma.codeOrder.updateMany({
    where: { id: orderId, status: { notIn: FINAL.filter((s) => s !== status) } },
    data: {
      status,
      ...(extra.failureReason !== undefined ? { failureReason: extra.failureReason?.slice(0, 1000) ?? null } : {}),
      ...(extra.deliveredVia ? { deliveredVia: extra.deliveredVia } : {}),
      ...(extra.topupPaymentId ? { topupPaymentId: extra.topupPaymentId } : {}),
      ...(status === 'completed' ? { completedAt: new Date() } : {}),
    },
  });
  return getOrder(prisma, orderId);
}

export function orderToJson(o: CodeOrder) {
  return { ...o, price: o.price.toString() };
}
