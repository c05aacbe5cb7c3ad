import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { obtainTemporalCli } from '../../lib/dev/temporal-cli';
import { startTemporalDevServer, type TemporalDevServer } from '../../lib/dev/temporal-dev-server';
import type { Logger } from '../../lib/logger';
import { freePort } from '../../lib/net';

/**
 * The Temporal side of the chaos topology: its frontend address(es) and a way to kill -9 one server node
 * and bring it back. The one place that knows which Temporal runs.
 */
export interface ChaosTemporal {
  kind: string;
  /** What Guildflow's processes are given as TEMPORAL_ADDRESS. */
  address: string;
  nodes: number;
  /** SIGKILL node `i`, wait `downMs`, start it again on the same state; resolves once it serves. */
  killNode(i: number, downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The dev server with its state in a SQLite file (`--db-filename`): a kill -9 and a restart on the same
 * file keeps every workflow, as a server node on PostgreSQL would. In memory it would lose them all.
 */
export async function startChaosTemporal({ dataDir, log }: { dataDir: string; log: Logger }): Promise<ChaosTemporal> {
  const cliPath = await obtainTemporalCli({ cliPath: process.env.TEMPORAL_CLI, log });
  const port = await freePort();
  // Its kills are ours: the "exited unexpectedly" error each would log is noise here.
  const options = { cliPath, port, ui: false, dbFile: path.join(dataDir, 'temporal.db'), log: log.child({ part: 'temporal' }, { level: 'fatal' }), startTimeoutMs: 120_000 };
  let server: TemporalDevServer = await startTemporalDevServer(options);
  return {
    kind: 'dev server (SQLite file)',
    address: server.address,
    nodes: 1,
    async killNode(_i, downMs) {
      process.kill(server.pid, 'SIGKILL');
      await delay(downMs);
      server = await startTemporalDevServer(options);
    },
    stop: () => server.stop(),
  };
}
