import { type Prisma, type PrismaClient } from '../../prisma/client';
import { ValidationError } from '../../lib/errors';
import { insufficientItems, inventoryKeyConflict } from './errors';

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

type Tx = Prisma.TransactionClient;

export async function applyInventoryMovement(prisma: PrismaClient, m: InventoryMovementInput): Promise<InventoryMovementResult> {
  if (!Number.isSafeInteger(m.delta) || m.delta === 0 || Math.abs(m.delta) > 2_147_483_647) {
    throw new ValidationError('An inventory movement needs a non-zero whole delta.');
  }
  if (m.key.length < 1 || m.key.length > 200) throw new ValidationError('An inventory key has 1–200 characters.');
  return prisma.$transaction((tx) => applyIn(tx, m));
}

/** The same, inside a caller's transaction. */
async function applyIn(tx: Tx, m: InventoryMovementInput): Promise<InventoryMovementResult> {
  const inserted = await tx.$queryRaw<{ id: bigint }[]>`
    INSERT INTO inventory_movements (guild_id, owner_id, item_id, delta, idempotency_key, type, actor_type, actor_id, reason, refs)
    VALUES (${m.guildId}, ${m.ownerId}, ${m.itemId}, ${m.delta}, ${m.key}, ${m.type}, ${m.actor.type}, ${m.actor.id}, ${m.reason ?? null}, ${JSON.stringify(m.refs ?? {})}::jsonb)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id`;
  if (!inserted[0]) {
    const first = await tx.inventoryMovement.findUnique({ where: { idempotencyKey: m.key } });
    if (!first || first.guildId !== m.guildId || first.ownerId !== m.ownerId || first.itemId !== m.itemId || first.delta !== m.delta) {
      throw inventoryKeyConflict(m.key);
    }
    const row = await tx.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId: m.guildId, ownerId: m.ownerId, itemId: m.itemId } } });
    return { movementId: first.id, quantity: row?.quantity ?? 0, replayed: true };
  }
  let quantity: number;
  if (m.delta > 0) {
    const rows = await tx.$queryRaw<{ quantity: number }[]>`
      INSERT INTO inventory_items (guild_id, owner_id, item_id, quantity, updated_at)
      VALUES (${m.guildId}, ${m.ownerId}, ${m.itemId}, ${m.delta}, now())
      ON CONFLICT (guild_id, owner_id, item_id) DO UPDATE SET quantity = inventory_items.quantity + EXCLUDED.quantity, updated_at = now()
      RETURNING quantity`;
    quantity = rows[0]!.quantity;
  } else {
    const rows = await tx.$queryRaw<{ quantity: number }[]>`
      UPDATE inventory_items SET quantity = quantity + ${m.delta}, updated_at = now()
      WHERE guild_id = ${m.guildId} AND owner_id = ${m.ownerId} AND item_id = ${m.itemId} AND quantity + ${m.delta} >= 0
      RETURNING quantity`;
    if (!rows[0]) {
      const row = await tx.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId: m.guildId, ownerId: m.ownerId, itemId: m.itemId } } });
      // Throwing rolls the movement back with the transaction.
      throw insufficientItems(m.itemId, row?.quantity ?? 0, -m.delta);
    }
    quantity = rows[0].quantity;
  }
  return { movementId: inserted[0].id, quantity, replayed: false };
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

export async function quantityOwned(db: Tx | PrismaClient, guildId: string, ownerId: string, itemId: number): Promise<number> {
  const row = await db.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId, ownerId, itemId } }, select: { quantity: true } });
  return row?.quantity ?? 0;
}
