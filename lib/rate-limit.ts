import type pg from 'pg';

/** `limit` actions per `windowSeconds` (a sliding window) for everyone sharing `key`, e.g. `economy.adjust:{guild}:{actor}`. */
export interface RateLimitRule {
  key: string;
  limit: number;
  windowSeconds: number;
}

export type RateLimitDecision =
  | { allowed: true; used: number }
  /** `retryAfterSeconds` (≥ 1): when the oldest hit that counts leaves the window. */
  | { allowed: false; used: number; retryAfterSeconds: number };

/**
 * A rate limit every process shares, kept in the database (table rate_limit_hits). Use it inside the
 * transaction that does the limited thing:
 *
 *   const decision = await checkRateLimit(client, rule);   // waits for others on the same key
 *   if (!decision.allowed) → refuse (change nothing)
 *   … do the thing …
 *   await recordRateLimitHit(client, rule.key);
 *   COMMIT                                                  // the lock is released here
 *
 * `checkRateLimit` takes a transaction-scoped advisory lock on the key, so two callers on any processes
 * cannot both see the last free slot; a rollback leaves the budget as it was. Hits older than the window
 * are deleted on the way. Clock: the database's, so every process counts alike.
 */
export async function checkRateLimit(client: Pick<pg.ClientBase, 'query'>, rule: RateLimitRule): Promise<RateLimitDecision> {
  if (!Number.isInteger(rule.limit) || rule.limit < 1) throw new Error(`rate limit for ${rule.key} must be a positive integer, not ${rule.limit}`);
  if (!(rule.windowSeconds > 0)) throw new Error(`rate limit window for ${rule.key} must be positive`);
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`rate-limit:${rule.key}`]);
  // After the lock: the clock of this moment, not of the transaction's start (it may have waited).
  const { rows: clock } = await client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  const now = clock[0]!.now;
  const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000);
  await client.query('DELETE FROM rate_limit_hits WHERE key = $1 AND created_at <= $2', [rule.key, windowStart]);
  const { rows } = await client.query<{ created_at: Date }>('SELECT created_at FROM rate_limit_hits WHERE key = $1 ORDER BY created_at', [rule.key]);
  const used = rows.length;
  if (used < rule.limit) return { allowed: true, used };
  // One slot frees up when the hit `used - limit` places from the oldest leaves the window.
  const freesAt = rows[used - rule.limit]!.created_at.getTime() + rule.windowSeconds * 1000;
  return { allowed: false, used, retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now.getTime()) / 1000)) };
}

/** Counts one action against `key`; call it in the transaction that checked the limit (see checkRateLimit). */
export async function recordRateLimitHit(client: Pick<pg.ClientBase, 'query'>, key: string): Promise<void> {
  await client.query('INSERT INTO rate_limit_hits (key, created_at) VALUES ($1, clock_timestamp())', [key]);
}
