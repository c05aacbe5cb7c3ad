import path from 'node:path';
import { loadConfig, type Config } from '../lib/config';
import { obtainTemporalCli } from '../lib/dev/temporal-cli';
import { startTemporalDevServer } from '../lib/dev/temporal-dev-server';
import type { Logger } from '../lib/logger';
import { freePort } from '../lib/net';
import type { FakeDiscord } from '../test/fakes/discord';
import { createEmptyDatabase } from '../test/helpers/database';

/**
 * What the whole-stack benches (interactions, tickets) run Guildflow against: a fresh database, a Temporal
 * dev server keeping its state in `dataDir`, and the production config pointing at them and at the fake
 * Discord (plus `env`). Their stops are pushed onto `cleanup`.
 */
export async function benchStackConfig(opts: {
  taskQueue: string;
  dataDir: string;
  discord: FakeDiscord;
  log: Logger;
  cleanup: (() => Promise<unknown>)[];
  env?: Record<string, string>;
}): Promise<Config> {
  const db = await createEmptyDatabase();
  opts.cleanup.push(() => db.drop());
  const temporalServer = await startTemporalDevServer({
    cliPath: await obtainTemporalCli({ cliPath: process.env.TEMPORAL_CLI, log: opts.log }),
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(opts.dataDir, 'temporal.db'),
    log: opts.log,
  });
  opts.cleanup.push(() => temporalServer.stop());
  return loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: opts.dataDir,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    DISCORD_TOKEN: opts.discord.token,
    DISCORD_API_URL: opts.discord.restUrl,
    ...opts.env,
  });
}
