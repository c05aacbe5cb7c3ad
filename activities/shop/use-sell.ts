import { ValidationError } from '../../lib/errors';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import { inTransaction, type Queryable } from '../../prisma/transactions';
import { transactionLedger } from '../ledger/ledger';
import { systemAccount, userAccount, type LedgerEntry } from '../ledger/types';
import { itemNotFound, itemNotSellable, itemNotUsable, notOwnedEnough, ShopError } from './errors';
import { applyInventoryMovementOn, type InventoryMovementResult } from './inventory';

/**
 * A member consumes (/use) or sells back (/sell) units they own, where the item allows it. Each is ONE
 * database transaction under ONE idempotency key (from the interaction): the inventory movement, the
 * ledger credit of a sale and the audit event commit together or not at all, and the same key again
 * changes nothing and returns the first result. Stock is not returned: a sold unit leaves the economy.
 */
export interface OwnedItemAction {
  guildId: string;
  userId: string;
  /** As the caller found it (names the item in answers); its settings are read again under a lock. */
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

type ItemSettings = Pick<ShopItem, 'price' | 'usable' | 'sellBackPercent' | 'assetCode'>;

/**
 * The item's settings as they are now, locked against an admin edit until the transaction ends — or, when
 * this key was already applied, null: a retry returns the first result whatever the item says today.
 */
async function settingsUnlessReplay(client: Queryable, a: OwnedItemAction): Promise<ItemSettings | null> {
  const done = await client.query('SELECT 1 FROM inventory_movements WHERE idempotency_key = $1', [a.key]);
  if (done.rows[0]) return null;
  const { rows } = await client.query<{ price: string; usable: boolean; sell_back_percent: number | null; asset_code: string }>(
    'SELECT price::text AS price, usable, sell_back_percent, asset_code FROM shop_items WHERE id = $1 AND guild_id = $2 AND deleted_at IS NULL FOR SHARE',
    [a.item.id, a.guildId],
  );
  if (!rows[0]) throw itemNotFound(a.item.id);
  return { price: BigInt(rows[0].price), usable: rows[0].usable, sellBackPercent: rows[0].sell_back_percent, assetCode: rows[0].asset_code };
}

/** Takes the units out of the inventory; "not enough" is said in the member's words. */
async function takeUnits(client: Queryable, a: OwnedItemAction, type: 'use' | 'sell_back'): Promise<InventoryMovementResult> {
  try {
    return await applyInventoryMovementOn(client, {
      guildId: a.guildId,
      ownerId: a.userId,
      itemId: a.item.id,
      delta: -a.quantity,
      key: a.key,
      type,
      actor: { type: 'user', id: a.userId },
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
  return inTransaction(prisma, async (client) => {
    const settings = await settingsUnlessReplay(client, a);
    if (settings && !settings.usable) throw itemNotUsable(a.item.name);
    const moved = await takeUnits(client, a, 'use');
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
  return inTransaction(prisma, async (client) => {
    const ledger = transactionLedger(client);
    const settings = await settingsUnlessReplay(client, a);
    const unitPrice = settings && sellBackUnitPrice(settings);
    if (settings && unitPrice === null) throw itemNotSellable(a.item.name);
    const moved = await takeUnits(client, a, 'sell_back');
    // A replay (seen above, or a concurrent first sale that committed meanwhile) returns the first result.
    if (moved.replayed || !settings || unitPrice === null) {
      // The first sale stands, at the price it was made.
      const entry = await ledger.entry(a.key);
      const paid = entry?.postings.find((p) => p.account.ownerType === 'user')?.amount ?? 0n;
      return { left: moved.quantity, replayed: true, unitPrice: paid / BigInt(a.quantity), total: paid, entry };
    }
    const total = unitPrice * BigInt(a.quantity);
    const credit =
      total > 0n
        ? await ledger.transfer({
            guildId: a.guildId,
            key: a.key,
            type: 'sell_back',
            actor: { type: 'user', id: a.userId },
            reason: `Sold back ${a.quantity} × ${a.item.name}`,
            refs: { sellBack: true, itemId: a.item.id, quantity: a.quantity },
            asset: settings.assetCode,
            from: systemAccount('sink'),
            to: userAccount(a.userId),
            amount: total,
          })
        : null;
    await audit(client, a, 'shop_item.sold_back', { unitPrice: unitPrice.toString(), total: total.toString(), entryId: credit?.entry.id.toString() ?? null });
    return { left: moved.quantity, replayed: false, unitPrice, total, entry: credit?.entry ?? null };
  });
}
