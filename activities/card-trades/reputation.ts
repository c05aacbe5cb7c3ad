import type { PrismaClient } from '../../prisma/client';

/**
 * A trader's reputation, from their record across servers (collections are a member's, not a server's):
 *
 *   score = completed trades − 2 × disputes lost
 *   New       score < 1
 *   Bronze    score ≥ 1
 *   Silver    score ≥ 5,  average rating ≥ 4.0 (at least 3 ratings)
 *   Gold      score ≥ 15, average rating ≥ 4.3 (at least 5 ratings)
 *   Platinum  score ≥ 40, average rating ≥ 4.6 (at least 10 ratings)
 *
 * A tier needs every condition of its row; a trader who meets a score but not a rating stays a tier lower.
 */
export const REPUTATION_TIERS = ['New', 'Bronze', 'Silver', 'Gold', 'Platinum'] as const;
export type ReputationTier = (typeof REPUTATION_TIERS)[number];

const THRESHOLDS: { tier: ReputationTier; score: number; rating: number; ratings: number }[] = [
  { tier: 'Platinum', score: 40, rating: 4.6, ratings: 10 },
  { tier: 'Gold', score: 15, rating: 4.3, ratings: 5 },
  { tier: 'Silver', score: 5, rating: 4.0, ratings: 3 },
  { tier: 'Bronze', score: 1, rating: 0, ratings: 0 },
];

function tierOf(r: { completedTrades: number; disputesLost: number; averageRating: number | null; ratings: number }): ReputationTier {
  const score = r.completedTrades - 2 * r.disputesLost;
  for (const t of THRESHOLDS) {
    if (score >= t.score && r.ratings >= t.ratings && (t.ratings === 0 || (r.averageRating ?? 0) >= t.rating)) return t.tier;
  }
  return 'New';
}

export interface TraderProfile {
  userId: string;
  tier: ReputationTier;
  completedTrades: number;
  /** Average stars received (two decimals), null before the first rating. */
  averageRating: number | null;
  ratings: number;
  disputesLost: number;
  /** Distinct cards in the collection, copies on the have and want lists. */
  lists: { collection: number; haves: number; wants: number };
}

export async function traderProfile(prisma: PrismaClient, userId: string): Promise<TraderProfile> {
  const [completedTrades, rated, disputesLost, collection, haves, wants] = await Promise.all([
    prisma.cardTradeProposal.count({ where: { status: 'completed', OR: [{ proposerId: userId }, { recipientId: userId }] } }),
    prisma.cardTradeRating.aggregate({ where: { rateeId: userId }, _avg: { stars: true }, _count: { _all: true } }),
    prisma.cardTradeDispute.count({ where: { loserId: userId } }),
    prisma.cardCollectionItem.count({ where: { userId, quantity: { gt: 0 } } }),
    prisma.cardHave.count({ where: { userId } }),
    prisma.cardWant.count({ where: { userId } }),
  ]);
  const ratings = rated._count._all;
  const averageRating = rated._avg.stars === null ? null : Math.round(rated._avg.stars * 100) / 100;
  const r = { completedTrades, disputesLost, averageRating, ratings };
  return { userId, tier: tierOf(r), ...r, lists: { collection, haves, wants } };
}
