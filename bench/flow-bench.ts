import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { REST } from 'discord.js';
import { loadConfig, type WorkerSettings } from '../lib/config';
import { createCodeKeyring, type CodeKeyring } from '../lib/crypto/codes';
import { obtainTemporalCli } from '../lib/dev/temporal-cli';
import { startTemporalDevServer, type TemporalDevServer } from '../lib/dev/temporal-dev-server';
import { createLogger, type Logger } from '../lib/logger';
import { freePort } from '../lib/net';
import { createPrismaClient, type PrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { seedDemoGuild, type DemoGuild } from '../test/fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../test/fakes/discord';
import { createEmptyDatabase } from '../test/helpers/database';
import { createGuildflowWorker } from '../workers/worker';

/**
 * What the flow benchmarks (orders, deposits, scale) share: their own Temporal dev server (in memory) unless
 * given a server's address, a migrated
 * database with the demo guild recorded, the fake Discord, Temporal clients and a way to start Guildflow's
 * worker. `close()` tears everything down in reverse; scenarios push their own steps onto `cleanup`.
 */
export interface FlowBench {
  prisma: PrismaClient;
  /** The database, for worker and API processes of their own. */
  databaseUrl: string;
  /** The codes' encryption key (32 bytes) behind `keyring`, for those processes' CODE_ENCRYPTION_KEY. */
  codeKey: Buffer;
  temporalAddress: string;
  discord: FakeDiscord;
  demo: DemoGuild;
  guildId: string;
  keyring: CodeKeyring;
  nativeConnection: NativeConnection;
  client: Client;
  cleanup: (() => Promise<unknown>)[];
  /**
   * Guildflow's worker (createGuildflowWorker, as production builds it) on `taskQueue`, activities logging
   * nothing, with the configured worker settings or `settings`. The workflow bundle is built once.
   */
  guildflowWorker(taskQueue: string, settings?: WorkerSettings): Promise<Worker>;
  close(): Promise<void>;
}

/** A Temporal dev server of the bench's own, in memory, with the flags Guildflow runs it with (eager starts and activities). */
export async function startBenchDevServer(log: Logger): Promise<TemporalDevServer> {
  const cliPath = await obtainTemporalCli({ log });
  return startTemporalDevServer({ cliPath, port: await freePort(), ui: false, log });
}

export async function startFlowBench(log: Logger, opts: { temporalAddress?: string } = {}): Promise<FlowBench> {
  if (!Runtime._instance) Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanup: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  };
  try {
    let temporalAddress = opts.temporalAddress;
    if (!temporalAddress) {
      const server = await startBenchDevServer(log);
      cleanup.push(() => server.stop());
      temporalAddress = server.address;
    }
    const db = await createEmptyDatabase();
    cleanup.push(() => db.drop());
    await deployMigrations(db.url);
    const prisma = createPrismaClient(db.url, { poolSize: 10 });
    cleanup.push(() => prisma.$disconnect());
    const discord = await startFakeDiscord();
    cleanup.push(() => discord.close());
    const demo = seedDemoGuild(discord);
    const guildId = demo.guild.id;
    await prisma.guild.create({ data: { id: guildId, name: demo.guild.name, ownerId: demo.owner.id } });
    const codeKey = randomBytes(32);
    const keyring = createCodeKeyring({ id: 'bench', key: codeKey });
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    cleanup.push(() => nativeConnection.close());
    const connection = await Connection.connect({ address: temporalAddress });
    cleanup.push(() => connection.close());
    const client = new Client({ connection });
    const rest = new REST({ api: discord.restUrl, retries: 0, globalRequestsPerSecond: 1e6 }).setToken(discord.token);
    const quiet = createLogger({ level: 'silent', pretty: false });
    let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
    return {
      prisma,
      databaseUrl: db.url,
      codeKey,
      temporalAddress,
      discord,
      demo,
      guildId,
      keyring,
      nativeConnection,
      client,
      cleanup,
      async guildflowWorker(taskQueue, settings = loadConfig()) {
        bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
        const config = { ...settings, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: undefined };
        return createGuildflowWorker(nativeConnection, config, { prisma, log: quiet, discord: rest, codes: keyring }, { workflowBundle: await bundle, workflowsPath: undefined });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
