/**
 * `npm run bot`: the Discord gateway client alone, for production. With DISCORD_SHARD_COUNT 1 (the
 * default) the bot runs in this process; otherwise this process is the sharding manager and each shard
 * runs in a process of its own (bot/shard.ts). Each path loads only what it needs.
 */
import { requireSettings } from '../lib/config';
import { runProcess } from '../lib/process';

runProcess('guildflow-bot', async (ctx) => {
  // Checked here as well as in each shard: a missing setting fails once, not in a respawn loop.
  const config = requireSettings(ctx.config, ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'DISCORD_TOKEN'], 'the bot');
  if (config.DISCORD_SHARD_COUNT === 1) {
    const { startBotProcess } = await import('./process');
    return startBotProcess(ctx);
  }
  const { startShards } = await import('./shards');
  return startShards({ ...ctx, config });
});
