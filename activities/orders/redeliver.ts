import type { CodeKeyring } from '../../lib/crypto/codes';
import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors';
import type { CodeOrder, PrismaClient } from '../../prisma/client';
import { DAY_MS, lockMemberLimit, minutes, minutesUntilRoom, windowStart } from '../codes/member-limits';
import { codesForDelivery, getCodeShopSettings } from '../codes/stock';
import { deliveryMessage } from './messages';

/**
 * Sends a completed order's codes again, by DM, to the member who bought it. Whether it may, and the
 * count against the member's daily cap, are decided in one transaction under the member's lock that
 * writes the re-delivery row *before* the DM goes: two clicks at once cannot both take the last place,
 * and a crash after the send can only over-count, never give a code out beyond the cap. A DM that could
 * not be sent (DMs closed) removes its row, so it does not count. Each sent re-delivery is audited
 * (`order.redelivered`) with the order and the number of codes, never the codes.
 */

/** The one message a delivery DM carries: its embeds and, for many codes, a .txt file. */
export type DeliveryDm = ReturnType<typeof deliveryMessage>;

/** Raised by the sender when the member's DMs are closed (nothing was sent). */
export class DmsClosedError extends AppError {
  constructor() {
    super('dms_closed', 'Your direct messages are closed: allow DMs from this server’s members and try again. This request was not counted.', 409);
  }
}

export interface RedeliveryResult {
  order: CodeOrder;
  codes: number;
  /** Re-deliveries the member has left in the rolling 24 hours after this one. */
  left: number;
}

export async function redeliverOrder(
  prisma: PrismaClient,
  keyring: CodeKeyring,
  input: { guildId: string; userId: string; orderId: string },
  sendDm: (message: DeliveryDm) => Promise<void>,
): Promise<RedeliveryResult> {
  const { redeliveriesPerDay: cap } = await getCodeShopSettings(prisma, input.guildId);
  const { order, row, used } = await prisma.$transaction(async (tx) => {
    await lockMemberLimit(tx, 'code-redeliveries', input.guildId, input.userId);
    // The buyer comes from the order row, never from the request: a crafted id shows nothing of another's order.
    const order = await tx.codeOrder.findFirst({ where: { id: input.orderId, guildId: input.guildId } });
    if (!order) throw new NotFoundError(`There is no order ${input.orderId} in this server.`);
    if (order.userId !== input.userId) throw new ForbiddenError('Only the member who bought an order can have its codes sent again.');
    if (order.status !== 'completed') throw new AppError('order_not_completed', `Order ${order.id} is ${order.status.replace('_', ' ')}: only a completed order’s codes can be sent again.`);
    if (cap <= 0) throw new AppError('redelivery_off', 'Codes cannot be sent again on this server.');
    const recent = await tx.codeOrderRedelivery.findMany({
      where: { guildId: input.guildId, userId: input.userId, createdAt: { gte: windowStart(DAY_MS) } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    });
    const wait = minutesUntilRoom(recent.map((r) => r.createdAt), cap, DAY_MS);
    if (wait !== null) throw new AppError('redelivery_limit_reached', `You can have codes sent again ${cap} time${cap === 1 ? '' : 's'} per day; try again in ${minutes(wait)}.`, 429);
    const row = await tx.codeOrderRedelivery.create({ data: { guildId: input.guildId, userId: input.userId, orderId: order.id } });
    return { order, row, used: recent.length + 1 };
  });
  let codes: number;
  try {
    const plain = await codesForDelivery(prisma, keyring, order.id);
    codes = plain.length;
    await sendDm(deliveryMessage(order, plain));
  } catch (err) {
    // Not sent: the request does not count.
    await prisma.codeOrderRedelivery.delete({ where: { id: row.id } });
    throw err;
  }
  await prisma.auditEvent.create({
    data: {
      guildId: order.guildId,
      actorType: 'user',
      actorId: `discord:${input.userId}`,
      action: 'order.redelivered',
      targetType: 'code_order',
      targetId: order.id,
      data: { codes, redeliveryId: row.id.toString() },
    },
  });
  return { order, codes, left: Math.max(0, cap - used) };
}
