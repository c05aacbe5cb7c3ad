import { version } from '../package.json';
import type { PrismaClient } from '../prisma/client';

/**
 * How the bot tells the API (another process) that it is alive: each gateway shard's row in
 * `bot_shard_status`, rewritten every BOT_STATUS_INTERVAL_MS by the bot process serving it. A row older
 * than BOT_STATUS_STALE_MS — three reports missed plus slack — means that process is gone or stuck.
 */
export const BOT_STATUS_INTERVAL_MS = 15_000;
export const BOT_STATUS_STALE_MS = 60_000;

/** Guildflow's version (package.json): the bot reports it, the API answers its own beside it. */
export const GUILDFLOW_VERSION: string = version;

export interface ShardReport {
  shardId: number;
  shardCount: number;
  connected: boolean;
  /** The websocket heartbeat's round trip in ms; null before the first one. */
  pingMs: number | null;
  guilds: number;
  startedAt: Date;
}

/** Discord's rule: a guild is served by shard `(guild_id >> 22) % shard_count`. */
function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Writes a shard's report now (its heartbeat). */
export async function reportShardStatus(prisma: PrismaClient, report: ShardReport): Promise<void> {
  const data = { connected: report.connected, pingMs: report.pingMs, guilds: report.guilds, version: GUILDFLOW_VERSION, startedAt: report.startedAt, heartbeatAt: new Date() };
  await prisma.botShardStatus.upsert({
    where: { shardCount_shardId: { shardCount: report.shardCount, shardId: report.shardId } },
    create: { shardCount: report.shardCount, shardId: report.shardId, ...data },
    update: data,
  });
}

export interface GuildBotStatus {
  /** The shard serving this guild reported itself connected within BOT_STATUS_STALE_MS. */
  connected: boolean;
  /** The last report is older than BOT_STATUS_STALE_MS (the bot process is gone or stuck). */
  stale: boolean;
  shard: { id: number; count: number } | null;
  pingMs: number | null;
  botVersion: string | null;
  lastHeartbeatAt: string | null;
  heartbeatAgeMs: number | null;
  botStartedAt: string | null;
}

/**
 * The status of the shard serving `guildId`: of every shard count the bot has reported under, the row of
 * that count's shard for this guild, the freshest one (a resharded bot's old rows just grow stale).
 */
export async function guildBotStatus(prisma: PrismaClient, guildId: string, now = new Date()): Promise<GuildBotStatus> {
  const rows = await prisma.botShardStatus.findMany({ orderBy: { heartbeatAt: 'desc' } });
  const row = rows.find((r) => r.shardId === shardOfGuild(guildId, r.shardCount));
  if (!row) return { connected: false, stale: true, shard: null, pingMs: null, botVersion: null, lastHeartbeatAt: null, heartbeatAgeMs: null, botStartedAt: null };
  const age = Math.max(0, now.getTime() - row.heartbeatAt.getTime());
  const stale = age > BOT_STATUS_STALE_MS;
  return {
    connected: row.connected && !stale,
    stale,
    shard: { id: row.shardId, count: row.shardCount },
    pingMs: row.pingMs,
    botVersion: row.version,
    lastHeartbeatAt: row.heartbeatAt.toISOString(),
    heartbeatAgeMs: age,
    botStartedAt: row.startedAt.toISOString(),
  };
}
