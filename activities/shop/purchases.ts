import { type Prisma, type Purchase, type PrismaClient, type ShopItem } from '../../prisma/client';
import { ValidationError } from '../../lib/errors';
import type { PurchaseInput } from '../../lib/flows/shop';
import { type ShopError, itemNotFound, itemUnavailable, outOfStock, perUserLimit, priceChanged, purchaseFailed, purchaseNotFound, purchaseState, requestKeyTaken, requiredRoleMissing } from './errors';
import { quantityOwned } from './inventory';

/**
 * Purchases (shop_purchases), each run by the workflow `purchase:{id}`. The steps that touch stock are
 * single transactions keyed by the purchase, so a retried activity never takes or returns stock twice:
 * `stockTaken` flips in the same transaction as the stock itself.
 */

/** The confirm click as the service takes it: the flow's input with the price as a bigint. */
export type CreatePurchaseInput = Omit<PurchaseInput, 'reply' | 'memberRoleIds' | 'expectedUnitPrice'> & {
  memberRoleIds: readonly string[];
  expectedUnitPrice?: bigint | null;
};

export type CreatePurchaseResult =
  | { ok: true; purchase: Purchase; item: ShopItem; replayed: boolean }
  /** Refused: nothing changed; `purchase` is the failed record when the item exists. */
  | { ok: false; error: ShopError; purchase: Purchase | null; replayed: boolean };

/**
 * Creates the pending purchase once per requestKey, after the checks: the item is live and active (and
 * still at the price shown), the member has its required role, the per-member limit counts what they own
 * plus their pending purchases, and enough stock is left (the stock itself is taken later, atomically).
 * A refusal is recorded as a failed purchase with the reason. Checks and insert run under a per
 * (guild, member, item) lock, so concurrent purchases cannot both slip under the limit.
 */
export async function createPurchase(prisma: PrismaClient, input: CreatePurchaseInput): Promise<CreatePurchaseResult> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > 1000) {
    throw new ValidationError('The quantity must be a whole number from 1 to 1000.');
  }
  const existing = await byRequestKey(prisma, input);
  if (existing) return existing;
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`shop:${input.guildId}:${input.userId}:${input.itemId}`}, 0))`;
      const again = await byRequestKey(tx, input);
      if (again) return again;
      const item = await tx.shopItem.findFirst({ where: { id: input.itemId, guildId: input.guildId } });
      if (!item) return { ok: false, error: itemNotFound(input.itemId), purchase: null, replayed: false } as const;
      const refusal = await check(tx, input, item);
      const purchase = await tx.purchase.create({
        data: {
          id: input.purchaseId,
          requestKey: input.requestKey,
          guildId: input.guildId,
          userId: input.userId,
          itemId: item.id,
          quantity: input.quantity,
          unitPrice: item.price,
          total: item.price * BigInt(input.quantity),
          assetCode: item.assetCode,
          roleId: item.roleId,
          status: refusal ? 'failed' : 'pending',
          failureReason: refusal?.message ?? null,
        },
      });
      return refusal ? ({ ok: false, error: refusal, purchase, replayed: false } as const) : ({ ok: true, purchase, item, replayed: false } as const);
    });
  } catch (err) {
    // Two confirms raced past the first look-up with different purchase ids for one request key.
    if ((err as { code?: string }).code === 'P2002') {
      const found = await byRequestKey(prisma, input);
      if (found) return found;
    }
    throw err;
  }
}

async function byRequestKey(db: Prisma.TransactionClient | PrismaClient, input: CreatePurchaseInput): Promise<CreatePurchaseResult | null> {
  const purchase = await db.purchase.findUnique({ where: { requestKey: input.requestKey }, include: { item: true } });
  if (!purchase) return null;
  const { item, ...row } = purchase;
  // The key comes from a button: only the member and server that made the purchase get it back.
  if (row.guildId !== input.guildId || row.userId !== input.userId) return { ok: false, error: requestKeyTaken(), purchase: null, replayed: false };
  if (row.status === 'failed') {
    return { ok: false, error: purchaseFailed(row.failureReason), purchase: row, replayed: true };
  }
  return { ok: true, purchase: row, item, replayed: true };
}

async function check(tx: Prisma.TransactionClient, input: CreatePurchaseInput, item: ShopItem): Promise<ShopError | null> {
  if (item.deletedAt) return itemNotFound(item.name);
  if (!item.active) return itemUnavailable(item.name);
  if (input.expectedUnitPrice != null && input.expectedUnitPrice !== item.price) return priceChanged(item.name);
  if (item.requiredRoleId && !input.memberRoleIds.includes(item.requiredRoleId)) return requiredRoleMissing(item.name, item.requiredRoleId);
  if (item.perUserLimit !== null) {
    const owned = await quantityOwned(tx, input.guildId, input.userId, item.id);
    const pending = await tx.purchase.aggregate({
      where: { guildId: input.guildId, userId: input.userId, itemId: item.id, status: 'pending' },
      _sum: { quantity: true },
    });
    const onTheWay = pending._sum.quantity ?? 0;
    if (owned + onTheWay + input.quantity > item.perUserLimit) return perUserLimit(item.name, item.perUserLimit, owned, onTheWay);
  }
  if (item.stock !== null && item.stock < input.quantity) return outOfStock(item.name, item.stock);
  return null;
}

/** Locks the purchase row for the rest of the transaction. */
async function lockPurchase(tx: Prisma.TransactionClient, purchaseId: string): Promise<Purchase> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM shop_purchases WHERE id = ${purchaseId} FOR UPDATE`;
  if (!rows[0]) throw purchaseNotFound(purchaseId);
  return tx.purchase.findUniqueOrThrow({ where: { id: purchaseId } });
}

/**
 * Takes the purchase's quantity from a limited item's stock (`stock >= q` checked by the UPDATE itself)
 * and sets stockTaken in the same transaction. Unlimited items: nothing to take. Again: no change.
 */
export async function takeStock(prisma: PrismaClient, purchaseId: string): Promise<{ taken: boolean; replayed: boolean; stockLeft: number | null }> {
  return prisma.$transaction(async (tx) => {
    const p = await lockPurchase(tx, purchaseId);
    const item = await tx.shopItem.findUniqueOrThrow({ where: { id: p.itemId } });
    if (p.stockTaken) return { taken: true, replayed: true, stockLeft: item.stock };
    if (p.status !== 'pending') throw purchaseState(p.id, p.status, 'given stock');
    if (item.stock === null) return { taken: false, replayed: false, stockLeft: null };
    const rows = await tx.$queryRaw<{ stock: number }[]>`
      UPDATE shop_items SET stock = stock - ${p.quantity}, updated_at = now()
      WHERE id = ${p.itemId} AND stock IS NOT NULL AND stock >= ${p.quantity}
      RETURNING stock`;
    if (!rows[0]) {
      const now = await tx.shopItem.findUniqueOrThrow({ where: { id: p.itemId } });
      if (now.stock === null) return { taken: false, replayed: false, stockLeft: null };
      throw outOfStock(item.name, now.stock);
    }
    await tx.purchase.update({ where: { id: p.id }, data: { stockTaken: true } });
    return { taken: true, replayed: false, stockLeft: rows[0].stock };
  });
}

/** Puts back what takeStock took, only if it did (stockTaken), and clears the flag: once, whatever the retries. */
export async function restock(prisma: PrismaClient, purchaseId: string): Promise<{ restocked: boolean }> {
  return prisma.$transaction(async (tx) => {
    const p = await lockPurchase(tx, purchaseId);
    if (!p.stockTaken) return { restocked: false };
    // An item made unlimited meanwhile stays unlimited.
    await tx.$executeRaw`UPDATE shop_items SET stock = stock + ${p.quantity}, updated_at = now() WHERE id = ${p.itemId} AND stock IS NOT NULL`;
    await tx.purchase.update({ where: { id: p.id }, data: { stockTaken: false } });
    return { restocked: true };
  });
}

/** Records the role grant and when it ends (now + the item's duration); the first call's times stay. */
export async function markRoleGranted(prisma: PrismaClient, purchaseId: string, durationSeconds: number | null): Promise<Purchase> {
  return prisma.$transaction(async (tx) => {
    const p = await lockPurchase(tx, purchaseId);
    if (p.roleGrantedAt) return p;
    const grantedAt = new Date();
    return tx.purchase.update({
      where: { id: p.id },
      data: { roleGrantedAt: grantedAt, roleExpiresAt: durationSeconds ? new Date(grantedAt.getTime() + durationSeconds * 1000) : null },
    });
  });
}

export async function completePurchase(prisma: PrismaClient, purchaseId: string): Promise<Purchase> {
  return prisma.$transaction(async (tx) => {
    const p = await lockPurchase(tx, purchaseId);
    if (p.status === 'completed' || p.status === 'role_expired') return p;
    if (p.status !== 'pending') throw purchaseState(p.id, p.status, 'completed');
    return tx.purchase.update({ where: { id: p.id }, data: { status: 'completed', completedAt: new Date() } });
  });
}

/** Marks a pending purchase failed with the reason (the first reason stays). Refused once completed. */
export async function failPurchase(prisma: PrismaClient, purchaseId: string, reason: string): Promise<Purchase> {
  return prisma.$transaction(async (tx) => {
    const p = await lockPurchase(tx, purchaseId);
    if (p.status === 'failed') return p;
    if (p.status !== 'pending') throw purchaseState(p.id, p.status, 'marked failed');
    return tx.purchase.update({ where: { id: p.id }, data: { status: 'failed', failureReason: reason.slice(0, 1000), roleGrantedAt: null, roleExpiresAt: null } });
  });
}

/** The timed role ended: `role_expired`, with when it was removed (null when there was nothing to remove). */
export async function markRoleExpired(prisma: PrismaClient, purchaseId: string, removed: boolean): Promise<Purchase> {
  return prisma.$transaction(async (tx) => {
    const p = await lockPurchase(tx, purchaseId);
    if (p.status === 'role_expired') return p;
    if (p.status !== 'completed') throw purchaseState(p.id, p.status, 'marked role_expired');
    return tx.purchase.update({ where: { id: p.id }, data: { status: 'role_expired', roleRemovedAt: removed ? new Date() : null } });
  });
}

/**
 * Whether another of the member's purchases still grants the same role (permanently, or until later
 * than this one): then this purchase's expiry must not take the role away.
 */
export async function roleStillGrantedElsewhere(prisma: PrismaClient, purchaseId: string): Promise<boolean> {
  const p = await prisma.purchase.findUniqueOrThrow({ where: { id: purchaseId } });
  if (!p.roleId) return false;
  const other = await prisma.purchase.findFirst({
    where: {
      id: { not: p.id },
      guildId: p.guildId,
      userId: p.userId,
      roleId: p.roleId,
      status: { in: ['completed', 'pending'] },
      roleGrantedAt: { not: null },
      OR: [{ roleExpiresAt: null }, { roleExpiresAt: { gt: p.roleExpiresAt ?? new Date() } }],
    },
    select: { id: true },
  });
  return other !== null;
}
