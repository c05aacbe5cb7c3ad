import type { Prisma } from '../../prisma/client';

/**
 * Per-member rate limits of the code shop (orders and top-ups per hour, re-deliveries per day), checked
 * inside the transaction that writes the counted row: a transaction-scoped advisory lock per (limit,
 * guild, member) makes a second concurrent request wait for the first's row before it counts.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Serialises the member's requests against one limit until the transaction ends. */
export async function lockMemberLimit(tx: Prisma.TransactionClient, scope: string, guildId: string, userId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${scope}:${guildId}:${userId}`}, 0))`;
}

/** The start of the rolling window ending now. */
export const windowStart = (windowMs: number, now = new Date()): Date => new Date(now.getTime() - windowMs);

/**
 * null while the member has room in the window; else when the oldest counted request leaves the window,
 * in whole minutes (at least 1). `recent` are the creation times inside the window, oldest first.
 */
export function minutesUntilRoom(recent: Date[], limit: number, windowMs: number, now = new Date()): number | null {
  if (recent.length < limit) return null;
  // Room comes back when this many of the oldest have left the window: the last of them is at length - limit.
  const oldest = recent[recent.length - limit]!;
  return Math.max(1, Math.ceil((oldest.getTime() + windowMs - now.getTime()) / 60_000));
}

export const minutes = (n: number): string => `${n} minute${n === 1 ? '' : 's'}`;

/** The hourly limit in force: null or 0 in the settings means unlimited. */
export const hourlyLimit = (setting: number | null): number | null => (setting ? setting : null);
