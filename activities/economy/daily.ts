import type { PrismaClient } from '../../prisma/client';
import { systemAccount, userAccount, type Asset, type LedgerEntry } from '../ledger';
import { transactionLedger } from '../ledger/ledger';
import { currencyOf } from './currency';
import { DailyCooldownError, dailyOff } from './errors';
import { inTransaction, type Queryable } from '../../prisma/transactions';
import { getEconomySettings, type EconomySettings } from './settings';

export interface DailyClaimResult {
  /** What was paid: the daily amount plus the streak bonus. */
  amount: bigint;
  bonus: bigint;
  /** Consecutive claims including this one (1 = a new streak). */
  streak: number;
  /** This member's claims in this guild, ever; part of the ledger key. */
  claimNumber: number;
  claimedAt: Date;
  nextClaimAt: Date;
  /** The member's balance right after. */
  balance: bigint;
  currency: Asset;
  entry: LedgerEntry;
}

/** Claim n of a streak pays amount + min(n - 1, max) * bonus. */
function dailyReward(settings: Pick<EconomySettings, 'dailyAmount' | 'dailyStreakBonus' | 'dailyStreakMax'>, streak: number): { amount: bigint; bonus: bigint } {
  const bonus = BigInt(Math.min(streak - 1, settings.dailyStreakMax)) * settings.dailyStreakBonus;
  return { amount: settings.dailyAmount + bonus, bonus };
}

interface ClaimRow {
  streak: number;
  claims: number;
  last_claim_at: Date;
  now: Date;
}

/**
 * The daily reward, in ONE transaction: the member's claim row is locked (SELECT … FOR UPDATE, or created
 * by this claim), the cooldown checked, the streak computed, the reward moved from the guild's issuance
 * account under the key `daily:{guild}:{user}:{claimNumber}`, and the row updated. A crash anywhere rolls
 * all of it back; concurrent claims by the same member queue on the row lock and the later ones see the
 * earlier claim (cooldown). Times are the database's clock.
 */
export async function claimDaily(
  prisma: PrismaClient,
  input: { guildId: string; userId: string; interactionId?: string },
): Promise<DailyClaimResult> {
  const { guildId, userId } = input;
  const settings = await getEconomySettings(prisma, guildId);
  if (settings.dailyAmount <= 0n) throw dailyOff();

  return inTransaction(prisma, async (client) => {
    const ledger = transactionLedger(client);
    const currency = await currencyOf(ledger, guildId);
    const claim = await lockOrCreateClaim(client, guildId, userId);

    let streak = 1;
    let claimNumber = 1;
    let claimedAt = claim.now;
    if (claim.existing) {
      const { streak: lastStreak, claims, last_claim_at: last, now } = claim.existing;
      const nextClaimAt = new Date(last.getTime() + settings.dailyCooldownSeconds * 1000);
      if (now < nextClaimAt) throw new DailyCooldownError(nextClaimAt, now);
      const streakEnds = nextClaimAt.getTime() + settings.dailyStreakGraceSeconds * 1000;
      streak = now.getTime() <= streakEnds ? lastStreak + 1 : 1;
      claimNumber = claims + 1;
      claimedAt = now;
      await client.query('UPDATE economy_daily_claims SET streak = $3, claims = $4, last_claim_at = $5 WHERE guild_id = $1 AND user_id = $2', [
        guildId,
        userId,
        streak,
        claimNumber,
        claimedAt,
      ]);
    }

    const { amount, bonus } = dailyReward(settings, streak);
    const { entry } = await ledger.transfer({
      guildId,
      key: `daily:${guildId}:${userId}:${claimNumber}`,
      type: 'daily',
      actor: { type: 'user', id: userId },
      reason: streak > 1 ? `Daily reward (streak ${streak})` : 'Daily reward',
      refs: { streak, claimNumber, ...(input.interactionId ? { interactionId: input.interactionId } : {}) },
      asset: 'currency',
      from: systemAccount('issuance'),
      to: userAccount(userId),
      amount,
    });
    const balance = entry.postings.find((p) => p.account.ownerType === 'user' && p.account.ownerId === userId)?.balanceAfter ?? 0n;
    return {
      amount,
      bonus,
      streak,
      claimNumber,
      claimedAt,
      nextClaimAt: new Date(claimedAt.getTime() + settings.dailyCooldownSeconds * 1000),
      balance,
      currency,
      entry,
    };
  });
}

/**
 * The member's claim row, locked for this transaction — or, for a first claim, the row this claim inserts
 * (streak 1, claim 1). Two first claims at once: one inserts, the other waits on it, finds the row and
 * locks it.
 */
async function lockOrCreateClaim(client: Queryable, guildId: string, userId: string): Promise<{ existing?: ClaimRow; now: Date }> {
  const lock = async () => {
    const { rows } = await client.query<ClaimRow>(
      // clock_timestamp(): the time after the lock was granted (now() is the transaction's start).
      `SELECT streak, claims, last_claim_at, clock_timestamp() AS now FROM economy_daily_claims
        WHERE guild_id = $1 AND user_id = $2 FOR UPDATE`,
      [guildId, userId],
    );
    return rows[0];
  };
  const existing = await lock();
  if (existing) return { existing, now: existing.now };
  const { rows } = await client.query<{ last_claim_at: Date }>(
    `INSERT INTO economy_daily_claims (guild_id, user_id, streak, claims, last_claim_at) VALUES ($1, $2, 1, 1, clock_timestamp())
     ON CONFLICT (guild_id, user_id) DO NOTHING RETURNING last_claim_at`,
    [guildId, userId],
  );
  if (rows[0]) return { now: rows[0].last_claim_at };
  const raced = await lock();
  if (!raced) throw new Error(`daily claim row of ${userId} in ${guildId} vanished while claiming`);
  return { existing: raced, now: raced.now };
}
