import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { obtainTemporalCli } from '../../lib/dev/temporal-cli';
import { startTemporalCluster } from '../../lib/dev/temporal-cluster';
import { startTemporalDevServer, type TemporalDevServer } from '../../lib/dev/temporal-dev-server';
import type { Logger } from '../../lib/logger';
import { freePort } from '../../lib/net';
import { dropDatabases, testDatabaseServerUrl } from '../helpers/database';
import { startTcpProxy } from '../helpers/tcp-proxy';

/**
 * The Temporal side of the chaos topology: the address Guildflow's processes are given and a way to
 * kill -9 one server node and bring it back. The one place that knows which Temporal runs.
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

export type ChaosTemporalKind = 'cluster' | 'dev-server';

export function startChaosTemporal(kind: ChaosTemporalKind, opts: { dataDir: string; log: Logger }): Promise<ChaosTemporal> {
  return kind === 'cluster' ? startCluster(opts) : startDevServer(opts);
}

/**
 * Two Temporal server processes on PostgreSQL (databases temporal_chaos_<pid> and its visibility twin,
 * dropped at the end) behind a load balancer, as production runs them: a killed node's connections move
 * to the other, and its shards with them.
 */
async function startCluster({ dataDir, log }: { dataDir: string; log: Logger }): Promise<ChaosTemporal> {
  const suffix = `chaos_${process.pid}`;
  const databases = [`temporal_${suffix}`, `temporal_visibility_${suffix}`];
  const cluster = await startTemporalCluster({ databaseUrl: testDatabaseServerUrl(), nodes: 2, dataDir, databaseSuffix: suffix, log: quiet(log) }).catch(async (err: unknown) => {
    await dropDatabases(...databases);
    throw err;
  });
  const balancer = await startTcpProxy(cluster.addresses.map((a) => ({ host: a.split(':')[0]!, port: Number(a.split(':')[1]) })));
  return {
    kind: 'server cluster on PostgreSQL',
    address: `127.0.0.1:${balancer.port}`,
    nodes: cluster.addresses.length,
    async killNode(i, downMs) {
      await cluster.node(i).kill('SIGKILL');
      await delay(downMs);
      await cluster.node(i).start();
    },
    async stop() {
      await balancer.close();
      await cluster.stop();
      await dropDatabases(...databases);
    },
  };
}

/**
 * The dev server with its state in a SQLite file (`--db-filename`): a kill -9 and a restart on the same
 * file keeps every workflow. In memory it would lose them all. One node: while it is down, nothing runs.
 */
async function startDevServer({ dataDir, log }: { dataDir: string; log: Logger }): Promise<ChaosTemporal> {
  const cliPath = await obtainTemporalCli({ cliPath: process.env.TEMPORAL_CLI, log });
  const options = { cliPath, port: await freePort(), ui: false, dbFile: path.join(dataDir, 'temporal.db'), log: quiet(log), startTimeoutMs: 120_000 };
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

/** Its kills are ours: the "exited unexpectedly" error each would log is noise here. */
function quiet(log: Logger): Logger {
  return log.child({ part: 'temporal' }, { level: 'fatal' });
}
