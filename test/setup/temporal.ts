import { obtainTemporalCli } from '../../lib/dev/temporal-cli';
import { type TemporalDevServer, startTemporalDevServer } from '../../lib/dev/temporal-dev-server';
import type { Logger } from '../../lib/logger';
import { freePort } from '../../lib/net';

/**
 * One Temporal dev server for the whole jest run (starting one costs ~1.5 s; per file it would add up).
 * Jest workers are spawned after globalSetup, so they inherit the env vars set here.
 */
const ADDRESS_ENV = 'GF_TEST_TEMPORAL_ADDRESS';
const CLI_ENV = 'GF_TEST_TEMPORAL_CLI';

// globalSetup and globalTeardown run in the same process; this is how the handle gets across.
const holder = globalThis as { __gfTestTemporalServer?: TemporalDevServer };

export async function startSharedTemporal(log: Logger): Promise<void> {
  // Obtained even when reusing a server: tests that start their own server need it. May build (~3 min cold).
  const cliPath = await obtainTemporalCli({ cliPath: process.env.TEMPORAL_CLI, log });
  process.env[CLI_ENV] = cliPath;
  const existing = process.env[ADDRESS_ENV]?.trim();
  if (existing) {
    log.info({ address: existing }, `reusing the Temporal server from ${ADDRESS_ENV}`);
    return;
  }
  const server = await startTemporalDevServer({ cliPath, port: await freePort(), ui: false, log });
  holder.__gfTestTemporalServer = server;
  process.env[ADDRESS_ENV] = server.address;
}

export async function stopSharedTemporal(): Promise<void> {
  const server = holder.__gfTestTemporalServer;
  holder.__gfTestTemporalServer = undefined;
  await server?.stop();
}
