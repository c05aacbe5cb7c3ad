/** `perSecond` requests on average, up to `burst` at once after a quiet spell. */
export interface TokenBucketRule {
  perSecond: number;
  burst: number;
}

export type TokenDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * In-memory token buckets, one per key (e.g. a game id), for limits that guard this process from one
 * noisy caller. Unlike lib/rate-limit.ts (a database row per hit under an advisory lock, for actions
 * counted across processes), a take here costs no I/O, so it can sit in front of every request; the price
 * is that each API process counts on its own. Keys are only ever added for authenticated callers, so the
 * map stays as small as the set of callers.
 */
export function createTokenBuckets(rule: TokenBucketRule, now: () => number = () => performance.now()) {
  if (!(rule.perSecond > 0) || !Number.isFinite(rule.perSecond)) throw new Error(`token bucket rate must be a positive number, not ${rule.perSecond}`);
  if (!Number.isInteger(rule.burst) || rule.burst < 1) throw new Error(`token bucket burst must be a positive integer, not ${rule.burst}`);
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Takes one token from `key`'s bucket, or says how many whole seconds until one is there. */
    take(key: string): TokenDecision {
      const t = now();
      const b = buckets.get(key) ?? { tokens: rule.burst, at: t };
      b.tokens = Math.min(rule.burst, b.tokens + ((t - b.at) / 1000) * rule.perSecond);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / rule.perSecond)) };
    },
  };
}
