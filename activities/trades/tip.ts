import { userAccount } from '../ledger';
import { transactionLedger } from '../ledger/ledger';
import type { PrismaClient } from '../../prisma/client';
import { inTransaction } from '../../prisma/transactions';
import { movePetsOn, type PetVariant } from './pets';

/**
 * A tip: gems and/or pets from one member to another in one database transaction, so both move or
 * neither does — a refusal of the pets (too few) rolls the gems back with it, and there is no undo step
 * that could itself fail. Keyed by the interaction (`tip:{interactionId}`): the same tip again moves
 * nothing and says it was replayed.
 */
export interface TipInput {
  guildId: string;
  /** `tip:{interactionId}`. */
  key: string;
  fromUserId: string;
  toUserId: string;
  gems: bigint;
  pets: { speciesId: number; variant: PetVariant; quantity: number } | null;
}

export async function sendTip(prisma: PrismaClient, tip: TipInput): Promise<{ replayed: boolean }> {
  const actor = { type: 'user' as const, id: tip.fromUserId };
  return inTransaction(prisma, async (client) => {
    let replayed = false;
    if (tip.gems > 0n) {
      const moved = await transactionLedger(client).transfer({ guildId: tip.guildId, key: `${tip.key}:gems`, type: 'give', actor, asset: 'gems', from: userAccount(tip.fromUserId), to: userAccount(tip.toUserId), amount: tip.gems, reason: 'Tip' });
      replayed = moved.replayed;
    }
    if (tip.pets) {
      const { speciesId, variant, quantity } = tip.pets;
      const moved = await movePetsOn(client, {
        guildId: tip.guildId,
        key: tip.key,
        type: 'tip',
        actor,
        reason: 'Tip',
        moves: [
          { ownerId: tip.fromUserId, speciesId, variant, delta: -quantity },
          { ownerId: tip.toUserId, speciesId, variant, delta: quantity },
        ],
      });
      replayed = moved.replayed;
    }
    return { replayed };
  });
}
