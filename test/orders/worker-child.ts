/**
 * A Guildflow worker in its own process, for the crash test (order-crash.test.ts): the real workflows and
 * activities against the test's database, Temporal server, fake Discord and code key, given by env.
 * Prints "worker ready" once polling; killed with SIGKILL by the test.
 */
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createActivities } from '../../activities';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { createLogger } from '../../lib/logger';
import { createPrismaClient } from '../../prisma/client';

async function main(): Promise<void> {
  const env = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const prisma = createPrismaClient(env('GF_CHILD_DATABASE_URL'), { poolSize: 4 });
  const connection = await NativeConnection.connect({ address: env('GF_TEST_TEMPORAL_ADDRESS') });
  const rest = new REST({ api: env('GF_CHILD_DISCORD_URL'), retries: 0, timeout: 300_000 }).setToken(env('GF_CHILD_DISCORD_TOKEN'));
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: env('GF_CHILD_TASK_QUEUE'),
    workflowsPath: require.resolve('../../workflows'),
    activities: createActivities({
      prisma,
      log: createLogger({ level: 'silent', pretty: false }),
      discord: rest,
      codes: createCodeKeyring({ id: 'test-k1', key: Buffer.from(env('GF_CHILD_CODE_KEY'), 'base64') }),
    }),
  });
  const running = worker.run();
  process.stdout.write('worker ready\n');
  await running;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
