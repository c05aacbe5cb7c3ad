import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { REST } from '@discordjs/rest';
import { Routes, type RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { ShardingManager, type Shard } from 'discord.js';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Stoppable } from '../lib/process';

/** Shards run as processes here (the manager's default mode), never as worker threads. */
const pidOf = (child: ChildProcess | Worker) => ('pid' in child ? child.pid : undefined);

/** Discord lets the shards of one rate-limit bucket IDENTIFY once per 5 s (discord.js waits 5.5 s). */
const IDENTIFY_INTERVAL_MS = 5_500;
/** How long a shard process may take from spawn to its gateway READY before the manager says so. */
const READY_TIMEOUT_MS = 60_000;
/** A shard drains its interaction handlers for up to 10 s when stopped (bot/run.ts); then it is killed. */
const STOP_GRACE_MS = 20_000;

type ShardSettings = Pick<Config, 'DISCORD_API_URL' | 'DISCORD_SHARD_COUNT'> & { DISCORD_TOKEN: string };

/** How many shards to run, and how far apart to start them, from GET /gateway/bot. */
async function shardPlan(config: ShardSettings): Promise<{ count: number; spawnIntervalMs: number }> {
  const gateway = (await new REST({ api: config.DISCORD_API_URL }).setToken(config.DISCORD_TOKEN).get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  const count = config.DISCORD_SHARD_COUNT === 'auto' ? gateway.shards : config.DISCORD_SHARD_COUNT;
  // Shard i shares its bucket with shard i + max_concurrency; started in order, those are this far apart.
  return { count, spawnIntervalMs: Math.ceil(IDENTIFY_INTERVAL_MS / gateway.session_start_limit.max_concurrency) };
}

/**
 * `npm run bot` with more than one shard: a discord.js ShardingManager runs each shard in its own process
 * (bot/shard.ts, under the same Node loader and flags as this one), respawns one that dies, and on stop
 * asks each to shut down cleanly. Pushed onto `started` before the first spawn, so a stop during start-up
 * leaves no shard behind.
 */
export async function startShards({ config, log, started }: { config: ShardSettings; log: Logger; started: Stoppable[] }): Promise<void> {
  const { count, spawnIntervalMs } = await shardPlan(config);
  const entry = path.join(__dirname, `shard${path.extname(__filename)}`);
  const manager = new ShardingManager(entry, { totalShards: count, token: config.DISCORD_TOKEN, respawn: true, execArgv: process.execArgv });
  let stopping = false;

  const stopShard = async (shard: Shard) => {
    const child = shard.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    // SIGTERM: the shard stops its gateway client, Temporal client and pool in order (lib/process.ts).
    shard.kill();
    const timer = setTimeout(() => {
      log.warn({ shard: shard.id, shardPid: child.pid, graceMs: STOP_GRACE_MS }, 'bot shard did not stop in time; killing it');
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  started.push({
    name: 'bot shards',
    async stop() {
      stopping = true;
      manager.respawn = false;
      await Promise.all(manager.shards.map(stopShard));
    },
  });

  manager.on('shardCreate', (shard) => {
    shard.on('spawn', (child) => log.info({ shard: shard.id, shardPid: pidOf(child) }, 'bot shard process started'));
    shard.on('ready', () => log.info({ shard: shard.id, shardPid: shard.process?.pid }, 'bot shard ready'));
    shard.on('death', (child) => {
      if (stopping) return;
      const exit = 'exitCode' in child ? { exitCode: child.exitCode, signal: child.signalCode } : {};
      log.warn({ shard: shard.id, shardPid: pidOf(child), ...exit }, 'bot shard process exited; respawning it');
    });
    // A respawn that fails (the new process died or never got READY) is retried when it exits.
    shard.on('error', (err) => log.error({ err, shard: shard.id }, 'bot shard did not come back'));
  });

  log.info({ shards: count, shardSetting: config.DISCORD_SHARD_COUNT }, 'starting bot shards');
  for (let id = 0; id < count && !stopping; id++) {
    if (id > 0) await sleep(spawnIntervalMs);
    if (stopping) break;
    // A shard that fails to start is not fatal: its exit respawns it, and the log says so.
    await manager
      .createShard(id)
      .spawn(READY_TIMEOUT_MS)
      .catch((err: unknown) => log.error({ err, shard: id }, 'bot shard did not start'));
  }
}
