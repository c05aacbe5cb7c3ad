import { Status, type Client } from 'discord.js';
import { BOT_STATUS_INTERVAL_MS, reportShardStatus } from '../lib/bot-status';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';

/**
 * Reports each shard this client runs to `bot_shard_status` (lib/bot-status.ts) every `intervalMs`, so the
 * API can answer whether the bot is connected. stop() writes a last report saying disconnected, so the
 * dashboard shows a clean stop at once rather than after the heartbeat goes stale.
 */
export function startStatusReporter(client: Client, prisma: PrismaClient, log: Logger, intervalMs = BOT_STATUS_INTERVAL_MS): { stop(): Promise<void> } {
  const startedAt = new Date();
  const shardCount = client.shard?.count ?? (typeof client.options.shardCount === 'number' ? client.options.shardCount : 1);
  let reporting: Promise<void> = Promise.resolve();

  const report = (connected: (shardId: number) => boolean) =>
    (reporting = reporting.then(async () => {
      for (const [shardId, shard] of client.ws.shards) {
        await reportShardStatus(prisma, {
          shardId,
          shardCount,
          connected: connected(shardId) && shard.status === Status.Ready,
          pingMs: shard.ping >= 0 ? Math.round(shard.ping) : null,
          guilds: client.guilds.cache.filter((g) => g.shardId === shardId).size,
          startedAt,
        }).catch((err: unknown) => log.warn({ err, shardId }, 'could not report the shard status'));
      }
    }));

  void report(() => true);
  const timer = setInterval(() => void report(() => true), intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await report(() => false);
    },
  };
}
