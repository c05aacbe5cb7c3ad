import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from '../../lib/logger';
import { freePort } from '../../lib/net';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { startFakeMidtrans, type FakeMidtrans } from '../fakes/midtrans';
import { startFakeRoblox, type FakeRoblox } from '../fakes/roblox';
import { fakeServicesEnv } from '../fakes/stack-env';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { descendants } from '../helpers/processes';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { supervise, type Supervised } from './supervised';
import { startChaosTemporal, type ChaosTemporal, type ChaosTemporalKind } from './temporal';

/**
 * The production topology on one machine, as real processes: Temporal, N `npm run worker`, M `npm run api`
 * and `npm run bot` (sharded: one process per shard), against the fakes of Discord, Roblox and Midtrans. Every Guildflow process reaches
 * PostgreSQL through a TCP proxy the test cuts; the harness's own checks use the database directly.
 */
export interface Topology {
  db: TestDatabase;
  dbProxy: TcpProxy;
  temporal: ChaosTemporal;
  /** The harness's client (its connection follows the frontend through restarts). */
  temporalClient: Client;
  discord: FakeDiscord;
  roblox: FakeRoblox;
  midtrans: FakeMidtrans;
  demo: DemoGuild;
  workers: Supervised[];
  apis: Supervised[];
  apiUrls: string[];
  bot: Supervised;
  /** The bot's shard processes (its children when sharded; the bot itself when not). */
  shardPids(): number[];
  stop(): Promise<void>;
}

export interface TopologyOptions {
  workers: number;
  apis: number;
  /** Bot shards, each its own process under `npm run bot`'s sharding manager (1: the bot alone). */
  shards: number;
  temporal: ChaosTemporalKind;
  /** Settings for every Guildflow process (shorter timers than production). */
  env: Record<string, string>;
  log: Logger;
}

const MIDTRANS_SERVER_KEY = 'SB-Mid-server-chaos';
/** The code and game-secret key every process shares (the setup registers the game with it). */
export const CHAOS_CODE_KEY = Buffer.alloc(32, 9).toString('base64');
/** A killed process comes back after this long, as an orchestrator's restart would. */
const RESTART_DELAY_MS = 1_000;

export async function startTopology(opts: TopologyOptions): Promise<Topology> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((err: unknown) => opts.log.warn({ err }, 'chaos: a part did not stop cleanly'));
  };
  try {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gf-chaos-'));
    stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const db = await createTestDatabase();
    stops.push(() => db.drop());
    const target = new URL(db.url);
    const dbProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    stops.push(() => dbProxy.close());
    const proxiedUrl = new URL(db.url);
    proxiedUrl.port = String(dbProxy.port);

    const [discord, roblox, midtrans, temporal] = await Promise.all([
      startFakeDiscord({ maxConcurrency: opts.shards }),
      startFakeRoblox(),
      startFakeMidtrans({ serverKey: MIDTRANS_SERVER_KEY }),
      startChaosTemporal(opts.temporal, { dataDir, log: opts.log }),
    ]);
    stops.push(() => temporal.stop(), () => midtrans.close(), () => roblox.close(), () => discord.close());
    const demo = seedDemoGuild(discord, 'Chaos guild');
    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());

    const apiPorts = await Promise.all(Array.from({ length: opts.apis }, () => freePort()));
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const common = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      // Info: the ready lines the supervisor waits for, and the retries the report counts.
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      DATABASE_URL: proxiedUrl.toString(),
      DATABASE_POOL_SIZE: '4',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'chaos',
      // Payment notifications go to the first API; when it is down the fake retries, then the flow polls.
      ...fakeServicesEnv({ discord, roblox, midtrans, midtransServerKey: MIDTRANS_SERVER_KEY, apiUrl: apiUrls[0]! }),
      CODE_ENCRYPTION_KEY: CHAOS_CODE_KEY,
      CODE_ENCRYPTION_KEY_ID: 'chaos',
      ...opts.env,
    };
    const part = (name: string, file: string, readyLine: string, env: Record<string, string>) => {
      const supervised = supervise({ name, file, readyLine, restartDelayMs: RESTART_DELAY_MS, env: { ...common, ...env } });
      stops.push(() => supervised.stop());
      return supervised;
    };
    const workers: Supervised[] = [];
    for (let i = 0; i < opts.workers; i++) {
      workers.push(part(`worker-${i + 1}`, 'workers/main.ts', 'worker polling', { TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` }));
    }
    const apis = apiPorts.map((port, i) => part(`api-${i + 1}`, 'api/main.ts', 'API listening', { PORT: String(port) }));
    const bot = part('bot', 'bot/main.ts', 'bot logged in', { DISCORD_SHARD_COUNT: String(opts.shards) });
    await Promise.all([...workers, ...apis, bot].map((p) => p.ready()));
    await discord.waitFor(() => discord.connectedSessions() >= opts.shards, 120_000, `${opts.shards} bot shards on the gateway`);

    return {
      db,
      dbProxy,
      temporal,
      temporalClient: new Client({ connection }),
      discord,
      roblox,
      midtrans,
      demo,
      workers,
      apis,
      apiUrls,
      bot,
      shardPids() {
        const pid = bot.pid();
        if (pid === undefined) return [];
        const shards = descendants(pid).filter((p) => p.cmd.includes('node'));
        return shards.length ? shards.map((p) => p.pid) : [pid];
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
