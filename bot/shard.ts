/**
 * One shard of the bot in its own process, spawned by the sharding manager (`npm run bot` with
 * DISCORD_SHARD_COUNT above 1). discord.js reads the shard id and count from the manager's environment.
 */
import { runProcess } from '../lib/process';
import { startBotProcess } from './process';

// A shard whose manager is gone stops: a restarted manager would otherwise run a second copy of it.
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));

runProcess(`guildflow-bot-shard-${process.env.SHARDS ?? '?'}`, startBotProcess);
