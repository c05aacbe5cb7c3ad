import type { PrismaClient } from '../../prisma/client';

/**
 * The overall cap on what one game may deposit per UTC day, all its servers and players together: a
 * leaked game secret or a duplicating bug in a game can then create at most one day's worth of gems and
 * pets. Set per game (roblox_games.max_daily_deposit_gems / _pets); these are the defaults.
 */
const DEFAULT_DAILY_DEPOSIT_CAP = { gems: 10_000_000_000n, pets: 10_000 } as const;

/** Statuses of a deposit that counts against the day: accepted by the check (about to be credited) or credited. */
const COUNTED = ['accepted', 'credited'];

export type DailyCapResult = { ok: true } | { ok: false; message: string };

const petCount = (pets: unknown): number => (Array.isArray(pets) ? pets.reduce((n: number, p: { quantity?: unknown }) => n + (typeof p?.quantity === 'number' ? p.quantity : 0), 0) : 0);

/**
 * Counts a checked deposit against its game's cap for today and marks it `accepted`, or refuses it
 * (status `refused`, reason `daily_cap`). Atomic per game: the game's deposits are summed under a
 * transaction-scoped advisory lock, so two deposits checked at once cannot both take the last room. A
 * deposit already counted (a retried activity) passes again without being counted twice.
 */
export async function reserveDailyDeposit(prisma: PrismaClient, depositId: string): Promise<DailyCapResult> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.gameDeposit.findUniqueOrThrow({ where: { id: depositId } });
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`deposit-cap:${row.gameId}`}, 0))`;
    const current = await tx.gameDeposit.findUniqueOrThrow({ where: { id: depositId } });
    if (COUNTED.includes(current.status)) return { ok: true };
    if (current.status === 'refused') return { ok: false, message: current.message ?? 'Refused.' };
    const game = await tx.robloxGame.findUnique({ where: { id: row.gameId }, select: { maxDailyDepositGems: true, maxDailyDepositPets: true } });
    const cap = { gems: game?.maxDailyDepositGems ?? DEFAULT_DAILY_DEPOSIT_CAP.gems, pets: game?.maxDailyDepositPets ?? DEFAULT_DAILY_DEPOSIT_CAP.pets };
    const [used] = await tx.$queryRaw<{ gems: bigint; pets: bigint }[]>`
      SELECT coalesce(sum(gems), 0)::bigint AS gems,
             coalesce(sum((SELECT coalesce(sum((p->>'quantity')::bigint), 0) FROM jsonb_array_elements(pets) p)), 0)::bigint AS pets
      FROM game_deposits
      WHERE game_id = ${row.gameId} AND status = ANY(${COUNTED}) AND created_at >= date_trunc('day', now(), 'UTC')`;
    const usedGems = used?.gems ?? 0n;
    const usedPets = Number(used?.pets ?? 0n);
    if (usedGems + current.gems > cap.gems || usedPets + petCount(current.pets) > cap.pets) {
      const left = `${cap.gems - usedGems < 0n ? 0n : cap.gems - usedGems} gems and ${Math.max(0, cap.pets - usedPets)} pets left`;
      const message = `This game has reached its daily deposit cap (${cap.gems} gems and ${cap.pets} pets per UTC day; ${left} today): nothing was deposited. Try again after 00:00 UTC.`;
      await tx.gameDeposit.update({ where: { id: depositId }, data: { status: 'refused', reason: 'daily_cap', message, completedAt: new Date() } });
      return { ok: false, message };
    }
    await tx.gameDeposit.update({ where: { id: depositId }, data: { status: 'accepted' } });
    return { ok: true };
  });
}
