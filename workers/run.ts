import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { temporalConnectionOptions } from '../lib/temporal';
import type { PrismaClient } from '../prisma/client';
import { createGuildflowWorker } from './worker';

export interface RunningWorker {
  /** Stops polling, lets running activities finish, then closes the connection. */
  stop(): Promise<void>;
  /** Settles when the worker stops for any reason (a fatal error rejects). */
  done: Promise<void>;
}

export async function startWorker(opts: {
  config: Config;
  temporalAddress: string;
  prisma: PrismaClient;
  log: Logger;
  overrides?: Partial<WorkerOptions>;
}): Promise<RunningWorker> {
  const log = opts.log.child({ component: 'worker' });
  const connection = await NativeConnection.connect(temporalConnectionOptions({ ...opts.config, address: opts.temporalAddress }));
  const worker = await createGuildflowWorker(connection, opts.config, { prisma: opts.prisma, log }, opts.overrides);
  const done = worker.run().finally(() => connection.close());
  log.info({ taskQueue: opts.config.TEMPORAL_TASK_QUEUE, namespace: opts.config.TEMPORAL_NAMESPACE }, 'worker polling');
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
