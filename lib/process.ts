import { loadConfig, type Config } from './config';
import { ConfigError } from './errors';
import { createLogger, type Logger } from './logger';

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * Runs a Guildflow process: validated config, a logger, the parts `start` brings up (pushed onto `started`
 * as each comes up), and an orderly stop on SIGINT/SIGTERM — in reverse order, so the worker drains
 * before the services it needs go. A second signal forces the exit.
 */
export function runProcess(name: string, start: (ctx: { config: Config; log: Logger; started: Stoppable[] }) => Promise<void>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger({ level: config.LOG_LEVEL, name });
  const started: Stoppable[] = [];
  let stopping = false;

  const stopAll = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    for (const part of [...started].reverse()) {
      try {
        await part.stop();
        log.info(`${part.name} stopped`);
      } catch (err) {
        code = 1;
        log.error({ err }, `${part.name} did not stop cleanly`);
      }
    }
    log.info({ exitCode: code }, code === 0 ? 'stopped cleanly' : 'stopped with errors');
    log.flush();
    process.exit(code);
  };

  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Wrappers (npm, tsx) relay the signal a terminal already sent to the whole group: copies within a
      // second are the same request. A later one is a person insisting.
      if (stopping) {
        if (Date.now() - firstSignalAt < 1000) return;
        log.warn(`second ${signal}: exiting now`);
        process.exit(1);
      }
      firstSignalAt = Date.now();
      void stopAll(signal, 0);
    });
  }

  start({ config, log, started }).catch((err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else log.fatal({ err }, `${name} could not start`);
    void stopAll('start-up failed', 1);
  });
}
