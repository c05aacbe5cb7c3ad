import { ValidationError } from '../../lib/errors';
import { checkRateLimit, recordRateLimitHit } from '../../lib/rate-limit';
import type { PrismaClient } from '../../prisma/client';
import { InsufficientFundsError, systemAccount, userAccount, type Actor, type Asset, type LedgerEntry } from '../ledger';
import { transactionLedger } from '../ledger/ledger';
import { currencyOf } from './currency';
import { notEnoughToRemove, RateLimitedError } from './errors';
import { inTransaction } from '../../prisma/transactions';
import { auditActorId, getEconomySettings } from './settings';
import { MAX_REASON_LENGTH } from '../../lib/requests/economy';

export interface AdjustInput {
  guildId: string;
  /**
   * Who does it (recorded on the entry and in the audit trail), and whose budget it uses: a person
   * (`user`: /economy, or an API token acting for them), or the operator (a CLI-minted token).
   */
  actor: Actor;
  userId: string;
  /** > 0 adds, < 0 removes. */
  amount: bigint;
  reason: string;
  /** Unique per request (the interaction id, the API's idempotency key): the same key never applies twice. */
  key: string;
}

export interface AdjustResult {
  entry: LedgerEntry;
  replayed: boolean;
  /** The member's balance right after. */
  balance: bigint;
  currency: Asset;
}

/**
 * The budget follows the person, whatever they act through: their /economy commands and every token they
 * minted (or minted from those) share `discord:<user id>`. The operator's tokens have no person and share
 * one budget, so minting more tokens never buys more changes.
 */
function adjustLimitKey(guildId: string, actor: Actor): string {
  return `economy.adjust:${guildId}:${actor.type === 'user' ? `discord:${actor.id}` : 'operator'}`;
}

/**
 * An admin adds to or removes from a member's balance, in ONE transaction: the admin's rate limit
 * (`adminAdjustLimitPerMinute`, per person, shared by every bot and API process: an advisory lock on the limit key,
 * then the hits of the last 60 s), the ledger movement between the guild's issuance account and the
 * member (key `admin_adjust:{guild}:{key}`), the hit and an audit event. Over the limit, or a removal
 * that would take the member below zero: refused, nothing changed. A replayed key returns the first
 * result without using the budget.
 */
export async function adjustBalance(prisma: PrismaClient, input: AdjustInput): Promise<AdjustResult> {
  const { guildId, userId, amount } = input;
  const reason = input.reason.trim();
  if (amount === 0n) throw new ValidationError('The amount cannot be 0.');
  if (!reason) throw new ValidationError('Give a reason: it is recorded with the change.');
  if (reason.length > MAX_REASON_LENGTH) throw new ValidationError(`The reason can be at most ${MAX_REASON_LENGTH} characters.`);
  const settings = await getEconomySettings(prisma, guildId);
  const ledgerKey = `admin_adjust:${guildId}:${input.key}`;
  const limitKey = adjustLimitKey(guildId, input.actor);

  return inTransaction(prisma, async (client) => {
    const ledger = transactionLedger(client);
    const currency = await currencyOf(ledger, guildId);
    const decision = await checkRateLimit(client, { key: limitKey, limit: settings.adminAdjustLimitPerMinute, windowSeconds: 60 });
    if (!decision.allowed) {
      // A retry of a change that was made is its first result, not a new change.
      const done = await ledger.entry(ledgerKey);
      if (done) return { entry: done, replayed: true, balance: balanceAfter(done, userId), currency };
      throw new RateLimitedError(decision.retryAfterSeconds, settings.adminAdjustLimitPerMinute);
    }
    const adding = amount > 0n;
    const magnitude = adding ? amount : -amount;
    let moved;
    try {
      moved = await ledger.transfer({
        guildId,
        key: ledgerKey,
        type: 'admin_adjust',
        actor: input.actor,
        reason,
        refs: { requestKey: input.key },
        asset: 'currency',
        from: adding ? systemAccount('issuance') : userAccount(userId),
        to: adding ? userAccount(userId) : systemAccount('issuance'),
        amount: magnitude,
      });
    } catch (err) {
      if (err instanceof InsufficientFundsError) {
        throw notEnoughToRemove(currency, err, userId, magnitude);
      }
      throw err;
    }
    if (!moved.replayed) {
      await recordRateLimitHit(client, limitKey);
      await client.query(
        `INSERT INTO audit_events (guild_id, actor_type, actor_id, action, target_type, target_id, data)
         VALUES ($1, $2, $3, 'economy.balance_adjusted', 'user', $4, $5::jsonb)`,
        [guildId, input.actor.type, auditActorId(input.actor), userId, JSON.stringify({ amount: amount.toString(), reason, entryId: moved.entry.id.toString() })],
      );
    }
    return { entry: moved.entry, replayed: moved.replayed, balance: balanceAfter(moved.entry, userId), currency };
  });
}

function balanceAfter(entry: LedgerEntry, userId: string): bigint {
  return entry.postings.find((p) => p.account.ownerType === 'user' && p.account.ownerId === userId)?.balanceAfter ?? 0n;
}
