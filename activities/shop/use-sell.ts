import { ValidationError } from '../../lib/errors';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import { inTransaction, type Queryable } from '../../prisma/transactions';
import { transactionLedger } from '../ledger/ledger';
import { systemAccount, userAccount, type LedgerEntry } from '../ledger/types';
import { itemNotSellable, itemNotUsable, notOwnedEnough, ShopError } from './errors';
import { applyInventoryMovementOn, type InventoryMovementInput, type InventoryMovementResult } from './inventory';

/**
 * A member consumes (/use) or sells back (/sell) units they own, where the item allows it. Each is ONE
 * database transaction under ONE idempotency key (from the interaction): the inventory movement, the
 * ledger credit of a sale and the audit event commit together or not at all, and the same key again
 * changes nothing and returns the first result. Stock is not returned: a sold unit leaves the economy.
 */
export interface OwnedItemAction {
  guildId: string;
  userId: string;
  item: ShopItem;
  quantity: number;
  /** e.g. `use:{interactionId}` / `sell:{interactionId}`: the inventory movement's key and the ledger's. */
  key: string;
}

export interface UseResult {
  /** What the member owns after it. */
  left: number;
  replayed: boolean;
}

export interface SellResult extends UseResult {
  /** Paid per unit: floor(price × sellBackPercent / 100). */
  unitPrice: bigint;
  total: bigint;
  /** The credit's journal entry; null when the total is 0 (nothing to credit). */
  entry: LedgerEntry | null;
}

const MAX_QUANTITY = 1000;

function checkQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) throw new ValidationError(`The quantity must be a whole number from 1 to ${MAX_QUANTITY}.`);
}

/** What a sale of one unit pays, or null when the item cannot be sold back. */
export function sellBackUnitPrice(item: Pick<ShopItem, 'price' | 'sellBackPercent'>): bigint | null {
  return item.sellBackPercent === null ? null : (item.price * BigInt(item.sellBackPercent)) / 100n;
}

/** Takes the units out of the inventory; "not enough" is said in the member's words. */
async function takeUnits(client: Queryable, a: OwnedItemAction, type: 'use' | 'sell_back', refs: InventoryMovementInput['refs']): Promise<InventoryMovementResult> {
  try {
    return await applyInventoryMovementOn(client, {
      guildId: a.guildId,
      ownerId: a.userId,
      itemId: a.item.id,
      delta: -a.quantity,
      key: a.key,
      type,
      actor: { type: 'user', id: a.userId },
      refs,
    });
  } catch (err) {
    if (err instanceof ShopError && err.code === 'insufficient_items') throw notOwnedEnough(a.item.name, Number((err.details as { have?: number } | undefined)?.have ?? 0), a.quantity);
    throw err;
  }
}

async function audit(client: Queryable, a: OwnedItemAction, action: string, data: Record<string, unknown>): Promise<void> {
  await client.query(
    `INSERT INTO audit_events (guild_id, actor_type, actor_id, action, target_type, target_id, data)
     VALUES ($1, 'user', $2, $3, 'shop_item', $4, $5::jsonb)`,
    [a.guildId, `discord:${a.userId}`, action, String(a.item.id), JSON.stringify({ ...data, quantity: a.quantity, key: a.key })],
  );
}

/** `/use`: consumes `quantity` units of a usable item the member owns; audited once. */
export async function useItem(prisma: PrismaClient, a: OwnedItemAction): Promise<UseResult> {
  checkQuantity(a.quantity);
  if (!a.item.usable) throw itemNotUsable(a.item.name);
  return inTransaction(prisma, async (client) => {
    const moved = await takeUnits(client, a, 'use', {});
    if (!moved.replayed) await audit(client, a, 'shop_item.used', {});
    return { left: moved.quantity, replayed: moved.replayed };
  });
}

/**
 * `/sell`: the units leave the inventory and floor(price × percent / 100) each is credited from the
 * guild's sink (where purchases went), in one transaction. Refused, changing nothing, when the item
 * cannot be sold back or the member owns too few.
 */
export async function sellItem(prisma: PrismaClient, a: OwnedItemAction): Promise<SellResult> {
  checkQuantity(a.quantity);
  const unitPrice = sellBackUnitPrice(a.item);
  if (unitPrice === null) throw itemNotSellable(a.item.name);
  const total = unitPrice * BigInt(a.quantity);
  return inTransaction(prisma, async (client) => {
    const ledger = transactionLedger(client);
    const moved = await takeUnits(client, a, 'sell_back', { unitPrice: unitPrice.toString() });
    if (moved.replayed) {
      // The first sale stands, at the price it was made.
      const entry = await ledger.entry(a.key);
      const paid = entry?.postings.find((p) => p.account.ownerType === 'user')?.amount ?? 0n;
      return { left: moved.quantity, replayed: true, unitPrice: paid / BigInt(a.quantity), total: paid, entry };
    }
    const credit =
      total > 0n
        ? await ledger.transfer({
            guildId: a.guildId,
            key: a.key,
            type: 'refund',
            actor: { type: 'user', id: a.userId },
            reason: `Sold back ${a.quantity} × ${a.item.name}`,
            refs: { sellBack: true, itemId: a.item.id, quantity: a.quantity },
            asset: a.item.assetCode,
            from: systemAccount('sink'),
            to: userAccount(a.userId),
            amount: total,
          })
        : null;
    await audit(client, a, 'shop_item.sold_back', { unitPrice: unitPrice.toString(), total: total.toString(), entryId: credit?.entry.id.toString() ?? null });
    return { left: moved.quantity, replayed: false, unitPrice, total, entry: credit?.entry ?? null };
  });
}
