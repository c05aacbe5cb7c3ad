import type { Prisma, PrismaClient } from '../../prisma/client';
import { ValidationError } from '../../lib/errors';
import { insufficientItems, inventoryKeyConflict } from './errors';
import { inTransaction, type Queryable } from '../../prisma/transactions';

/**
 * Inventories: how many of each item a member owns. The only way to change one is a movement, applied
 * once per idempotency key in the same transaction as the quantity change, and never below zero (the
 * movement is refused and nothing changes; the table's CHECK is the last line of defence).
 */
export interface InventoryMovementInput {
  guildId: string;
  ownerId: string;
  itemId: number;
  /** Non-zero: positive adds, negative removes. */
  delta: number;
  /** 1–200 characters, unique across inventories, e.g. `purchase:123:inventory`. */
  key: string;
  /** 'purchase' | 'purchase_revert' | 'role_expired' | 'admin_adjust' | … */
  type: string;
  actor: { type: 'user' | 'api_token' | 'system'; id: string };
  reason?: string | null;
  refs?: Record<string, string | number | boolean | null>;
}

export interface InventoryMovementResult {
  movementId: bigint;
  /** The owner's quantity of the item after the movement (now, for a replay). */
  quantity: number;
  /** true when the key had already been applied: nothing changed. */
  replayed: boolean;
}

function checkMovement(m: InventoryMovementInput): void {
  if (!Number.isSafeInteger(m.delta) || m.delta === 0 || Math.abs(m.delta) > 2_147_483_647) {
    throw new ValidationError('An inventory movement needs a non-zero whole delta.');
  }
  if (m.key.length < 1 || m.key.length > 200) throw new ValidationError('An inventory key has 1–200 characters.');
}

export async function applyInventoryMovement(prisma: PrismaClient, m: InventoryMovementInput): Promise<InventoryMovementResult> {
  checkMovement(m);
  return inTransaction(prisma, (client) => applyIn(client, m));
}

/**
 * The same on a connection inside the caller's transaction (prisma/transactions.ts inTransaction), so the
 * movement commits or rolls back with the caller's other writes — a ledger movement (transactionLedger).
 */
export async function applyInventoryMovementOn(client: Queryable, m: InventoryMovementInput): Promise<InventoryMovementResult> {
  checkMovement(m);
  return applyIn(client, m);
}

async function applyIn(client: Queryable, m: InventoryMovementInput): Promise<InventoryMovementResult> {
  const owned = async () =>
    (await client.query<{ quantity: number }>('SELECT quantity FROM inventory_items WHERE guild_id = $1 AND owner_id = $2 AND item_id = $3::int', [m.guildId, m.ownerId, m.itemId])).rows[0]?.quantity ?? 0;
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO inventory_movements (guild_id, owner_id, item_id, delta, idempotency_key, type, actor_type, actor_id, reason, refs)
     VALUES ($1, $2, $3::int, $4::int, $5, $6, $7, $8, $9, $10::jsonb)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
    [m.guildId, m.ownerId, m.itemId, m.delta, m.key, m.type, m.actor.type, m.actor.id, m.reason ?? null, JSON.stringify(m.refs ?? {})],
  );
  if (!inserted.rows[0]) {
    const first = (await client.query<{ id: string; guild_id: string; owner_id: string; item_id: number; delta: number }>('SELECT id, guild_id, owner_id, item_id, delta FROM inventory_movements WHERE idempotency_key = $1', [m.key])).rows[0];
    if (!first || first.guild_id !== m.guildId || first.owner_id !== m.ownerId || first.item_id !== m.itemId || first.delta !== m.delta) {
      throw inventoryKeyConflict(m.key);
    }
    return { movementId: BigInt(first.id), quantity: await owned(), replayed: true };
  }
  const changed =
    m.delta > 0
      ? await client.query<{ quantity: number }>(
          `INSERT INTO inventory_items (guild_id, owner_id, item_id, quantity, updated_at)
           VALUES ($1, $2, $3::int, $4::int, now())
           ON CONFLICT (guild_id, owner_id, item_id) DO UPDATE SET quantity = inventory_items.quantity + EXCLUDED.quantity, updated_at = now()
           RETURNING quantity`,
          [m.guildId, m.ownerId, m.itemId, m.delta],
        )
      : await client.query<{ quantity: number }>(
          `UPDATE inventory_items SET quantity = quantity + $4::int, updated_at = now()
           WHERE guild_id = $1 AND owner_id = $2 AND item_id = $3::int AND quantity + $4::int >= 0
           RETURNING quantity`,
          [m.guildId, m.ownerId, m.itemId, m.delta],
        );
  // Throwing rolls the movement back with the transaction.
  if (!changed.rows[0]) throw insufficientItems(m.itemId, await owned(), -m.delta);
  return { movementId: BigInt(inserted.rows[0].id), quantity: changed.rows[0].quantity, replayed: false };
}

export interface InventoryEntry {
  itemId: number;
  name: string;
  emoji: string | null;
  quantity: number;
  /** The item was removed from the shop (the member still owns it). */
  removed: boolean;
}

/** What a member owns (quantities above zero), by item id. */
export async function listInventory(prisma: PrismaClient, guildId: string, ownerId: string): Promise<InventoryEntry[]> {
  const rows = await prisma.inventoryItem.findMany({
    where: { guildId, ownerId, quantity: { gt: 0 } },
    include: { item: { select: { name: true, emoji: true, deletedAt: true } } },
    orderBy: { itemId: 'asc' },
  });
  return rows.map((r) => ({ itemId: r.itemId, name: r.item.name, emoji: r.item.emoji, quantity: r.quantity, removed: r.item.deletedAt !== null }));
}

export async function quantityOwned(db: Prisma.TransactionClient | PrismaClient, guildId: string, ownerId: string, itemId: number): Promise<number> {
  const row = await db.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId, ownerId, itemId } }, select: { quantity: true } });
  return row?.quantity ?? 0;
}
