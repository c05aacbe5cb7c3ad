/**
 * The whole of Guildflow in this process, as `npm start` runs it: uses DATABASE_URL and TEMPORAL_ADDRESS
 * when set, otherwise an embedded PostgreSQL and a Temporal dev server with their data under DATA_DIR;
 * then migrations, the worker, the API and (with DISCORD_TOKEN) the bot. The playground and the
 * end-to-end harness run the same stack with their own additions.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import type { Registry } from '../bot/router';
import { redactConfig, redactUrl, type Config } from '../lib/config';
import { startEmbeddedPostgres } from '../lib/dev/embedded-postgres';
import { legacyPgliteNotice } from '../lib/dev/legacy-data';
import { obtainTemporalCli } from '../lib/dev/temporal-cli';
import { startTemporalDevServer } from '../lib/dev/temporal-dev-server';
import type { Logger } from '../lib/logger';
import type { Stoppable } from '../lib/process';
import type { PrismaClient } from '../prisma/client';
import { obtainWorkflowBundle } from '../workers/workflow-bundle';

export interface StackOptions {
  /** Commands and component handlers the bot serves (default: the registry in bot/commands). */
  registry?: Registry;
  /** Worker overrides, e.g. test-only workflows and activities. */
  worker?: Partial<WorkerOptions>;
  /** false when the process installed the Temporal runtime itself (jest). */
  installRuntime?: boolean;
}

export interface RunningStack {
  apiUrl: string;
  temporalAddress: string;
  temporalUi?: string;
  databaseUrl: string;
  prisma: PrismaClient;
}

export async function startStack(
  { config, log, started }: { config: Config; log: Logger; started: Stoppable[] },
  opts: StackOptions = {},
): Promise<RunningStack> {
  const t0 = Date.now();
  log.debug({ config: redactConfig(config) }, 'configuration');
  mkdirSync(config.DATA_DIR, { recursive: true });

  // The database and Temporal take seconds each to come up: start them side by side while the workflow
  // bundle is checked (or built), and load the rest of Guildflow (a second or two of module loading) once
  // both are spawned, while they start. allSettled, so both are in `started` (and stopped) even when one fails.
  const bundling = bundleWorkflows(config, opts.worker, log);
  bundling.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
  const dbSpawned = deferred();
  const temporalSpawned = deferred();
  const dbStarting = embeddedDatabaseIfNeeded(config, log, started, dbSpawned.resolve);
  const temporalStarting = devServerIfNeeded(config, log, started, temporalSpawned.resolve);
  const settled = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);
  await Promise.all([Promise.race([dbSpawned.promise, settled(dbStarting)]), Promise.race([temporalSpawned.promise, settled(temporalStarting)])]);
  const loading = loadStackModules();
  loading.catch(() => undefined);
  const [db, temporalServer] = await Promise.allSettled([dbStarting, temporalStarting]);
  if (db.status === 'rejected') throw db.reason;
  if (temporalServer.status === 'rejected') throw temporalServer.reason;
  const databaseUrl = db.value;
  const { address: temporalAddress, uiUrl: temporalUi } = temporalServer.value;
  const [
    { startApiServer },
    { connectTemporalClient },
    { createPrismaClient },
    { deployMigrations },
    { startWorker },
    { installTemporalRuntime },
    { CODE_SHOP_OFF_MESSAGE },
    { PAYMENTS_OFF_MESSAGE },
  ] = await loading;

  const migrations = await deployMigrations(databaseUrl);
  log.info({ applied: migrations.applied }, migrations.applied.length ? 'migrations applied' : 'database schema up to date');

  const prisma = createPrismaClient(databaseUrl, { poolSize: config.DATABASE_URL ? config.DATABASE_POOL_SIZE : 5, log });
  started.push({ name: 'database pool', stop: () => prisma.$disconnect() });

  if (opts.installRuntime !== false) installTemporalRuntime({ log, metricsAddress: config.TEMPORAL_METRICS_ADDRESS });
  const temporal = await connectTemporalClient({ ...config, address: temporalAddress });
  started.push({ name: 'Temporal client', stop: () => temporal.connection.close() });

  const worker = await startWorker({ config, temporalAddress, prisma, log, overrides: { ...opts.worker, ...(await bundling) } });
  started.push({ name: 'worker', stop: worker.stop });
  worker.done.catch((err: unknown) => {
    log.fatal({ err }, 'worker stopped unexpectedly');
    process.kill(process.pid, 'SIGTERM');
  });

  if (config.DISCORD_TOKEN) {
    // Loaded only when the bot runs: discord.js's gateway client costs ~35 MB and a second at start-up.
    const [{ startBot }, { botFeaturesFromConfig }, { commands, components, featureSwitches }] = await Promise.all([import('../bot/run'), import('../bot/deps'), import('../bot/commands')]);
    const bot = await startBot(
      { ...config, DISCORD_TOKEN: config.DISCORD_TOKEN },
      { prisma, temporal: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE, log, ...botFeaturesFromConfig(config, log) },
      opts.registry ?? { commands, components, switches: featureSwitches },
    );
    started.push({ name: 'bot', stop: bot.stop });
  } else {
    log.info('Discord bot is off: set DISCORD_TOKEN (see .env.example) to turn it on.');
  }
  if (!config.MIDTRANS_SERVER_KEY) log.info(PAYMENTS_OFF_MESSAGE);
  if (!config.CODE_ENCRYPTION_KEY) log.info(CODE_SHOP_OFF_MESSAGE);

  const api = await startApiServer({
    config,
    prisma,
    temporal: temporal.connection,
    log,
    workerMetricsUrl: opts.installRuntime === false ? undefined : `http://${config.TEMPORAL_METRICS_ADDRESS}/metrics`,
    databaseUrl,
  });
  started.push({ name: 'API', stop: api.stop });

  log.info(
    {
      api: api.url,
      temporalUi: temporalUi ?? '(external cluster)',
      database: config.DATABASE_URL ? redactUrl(config.DATABASE_URL) : `embedded, data in ${path.join(config.DATA_DIR, 'postgres')}`,
      startupMs: Date.now() - t0,
    },
    `Guildflow is up: API ${api.url}${temporalUi ? `, Temporal UI ${temporalUi}` : ''}`,
  );
  return { apiUrl: api.url, temporalAddress, temporalUi, databaseUrl, prisma };
}

/**
 * The modules that take a second or more to load (the Temporal SDK, Prisma, Koa and every feature):
 * loaded only once the servers are spawned, so the loading overlaps their start-up.
 */
function loadStackModules() {
  return Promise.all([
    import('../api/server'),
    import('../lib/temporal'),
    import('../prisma/client'),
    import('../prisma/migrator'),
    import('../workers/run'),
    import('../workers/runtime'),
    import('../lib/crypto'),
    import('../lib/payments'),
    import('../lib/discord/guild-directory'),
    import('../lib/discord/rest'),
  ]);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function embeddedDatabaseIfNeeded(config: Config, log: Logger, started: Stoppable[], onSpawn: () => void): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const notice = legacyPgliteNotice(config.DATA_DIR);
  if (notice) log.warn(notice);
  const db = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_DB_PORT, log, onSpawn });
  started.push({ name: 'embedded PostgreSQL', stop: db.stop });
  return db.url;
}

async function devServerIfNeeded(config: Config, log: Logger, started: Stoppable[], onSpawn: () => void): Promise<{ address: string; uiUrl?: string }> {
  if (config.TEMPORAL_ADDRESS) return { address: config.TEMPORAL_ADDRESS };
  const cliPath = await obtainTemporalCli({ cliPath: config.TEMPORAL_CLI, log });
  const server = await startTemporalDevServer({
    cliPath,
    port: config.TEMPORAL_DEV_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile: path.join(config.DATA_DIR, 'temporal.db'),
    namespace: config.TEMPORAL_NAMESPACE,
    log,
    onSpawn,
  });
  started.push({ name: 'Temporal dev server', stop: server.stop });
  return { address: server.address, uiUrl: server.uiUrl };
}

/** Worker options carrying the workflow bundle (cached under DATA_DIR), unless a prebuilt bundle is configured. */
async function bundleWorkflows(config: Config, worker: Partial<WorkerOptions> | undefined, log: Logger): Promise<Partial<WorkerOptions>> {
  if (config.WORKFLOW_BUNDLE_PATH || worker?.workflowBundle) return {};
  const entry = worker?.workflowsPath ?? require.resolve('../workflows');
  const codePath = await obtainWorkflowBundle({ dataDir: config.DATA_DIR, entry, log });
  return { workflowBundle: { codePath }, workflowsPath: undefined };
}
