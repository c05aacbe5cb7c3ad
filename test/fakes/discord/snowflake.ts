import { randomBytes } from 'node:crypto';

/** Discord's epoch (2015-01-01T00:00:00.000Z): snowflakes count milliseconds from here. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Generates ids laid out like Discord's: 42 bits of milliseconds since the Discord epoch, 5 bits worker,
 * 5 bits process, 12 bits increment. discord.js derives `createdTimestamp` from them, so they must decode
 * to a real time; the increment keeps ids strictly increasing within one process.
 */
export class SnowflakeGenerator {
  private lastMs = 0n;
  private increment = 0n;

  constructor(
    private readonly workerId = 1n,
    private readonly processId = 0n,
  ) {}

  /**
   * The next id; with `shard`, one that Discord would route to that shard (its timestamp picks the shard,
   * see `shardOfGuild`), so tests can place a guild on the shard they need.
   */
  next(at: number = Date.now(), [shardId, shardCount]: ShardTuple = [0, 1]): string {
    const count = BigInt(shardCount);
    const onShard = (ms: bigint) => ms + ((BigInt(shardId) - (ms % count) + count) % count);
    let ms = BigInt(at) - DISCORD_EPOCH;
    if (ms < this.lastMs) ms = this.lastMs;
    ms = onShard(ms);
    if (ms === this.lastMs) {
      this.increment += 1n;
      // 4096 ids in one millisecond: borrow the next millisecond (on the shard) rather than repeat an id.
      if (this.increment > 0xfffn) {
        ms = onShard(ms + 1n);
        this.increment = 0n;
      }
    } else {
      this.increment = 0n;
    }
    this.lastMs = ms;
    return ((ms << 22n) | (this.workerId << 17n) | (this.processId << 12n) | this.increment).toString();
  }
}

/** A gateway shard as IDENTIFY and READY carry it: [shard_id, num_shards]. */
export type ShardTuple = readonly [shardId: number, shardCount: number];

/** The shard that receives a guild's events, by Discord's formula: (guild_id >> 22) % num_shards. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A bot token shaped like Discord's: base64(user id) . base64(timestamp) . HMAC-like tail. */
export function botToken(botUserId: string): string {
  const head = Buffer.from(botUserId).toString('base64url');
  const stamp = randomBytes(4).toString('base64url');
  return `${head}.${stamp}.${randomBytes(28).toString('base64url')}`;
}

/** An interaction token: opaque, long, URL-safe, as Discord's are. */
export function interactionToken(interactionId: string): string {
  return Buffer.from(`interaction:${interactionId}:${randomBytes(48).toString('base64url')}`).toString('base64url');
}

/** A session id as sent in READY (32 hex characters). */
export function sessionId(): string {
  return randomBytes(16).toString('hex');
}
