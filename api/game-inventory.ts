import { createLedger, userAccount } from '../activities/ledger';
import type { PetVariant } from '../activities/trades';
import type { PrismaClient } from '../prisma/client';

/** What a game sees of a linked member: gems as decimal strings (they can pass 2^53), pets by species key. */
export interface GameInventoryView {
  gems: { balance: string; held: string; available: string };
  pets: { species: string; name: string; variant: PetVariant; quantity: number }[];
}

/**
 * A member's gems (the ledger's 'gems' account: `held` is what pending withdrawals reserve) and pet stacks
 * (quantities above zero). Pets of a species the guild deleted are left out: the game can neither deposit
 * nor withdraw them, so it has nothing to show them as. Pets already escrowed by a pending withdrawal are
 * not the member's any more; GET /roblox/v1/withdrawals lists them. Two reads, not one snapshot: a
 * transfer landing in between can show in one half only, which a display can live with.
 */
export function createGameInventory(prisma: PrismaClient) {
  const ledger = createLedger(prisma);
  return async function inventoryOf(guildId: string, userId: string): Promise<GameInventoryView> {
    const [gems, holdings] = await Promise.all([
      ledger.balance(guildId, userAccount(userId), 'gems'),
      prisma.petHolding.findMany({
        where: { guildId, ownerId: userId, quantity: { gt: 0 }, species: { deletedAt: null } },
        include: { species: true },
        orderBy: [{ species: { key: 'asc' } }, { variant: 'asc' }],
      }),
    ]);
    return {
      gems: { balance: String(gems.balance), held: String(gems.held), available: String(gems.available) },
      pets: holdings.map((h) => ({ species: h.species.key, name: h.species.name, variant: h.variant as PetVariant, quantity: h.quantity })),
    };
  };
}
