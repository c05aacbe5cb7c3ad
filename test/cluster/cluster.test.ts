import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startTemporalCluster, type TemporalCluster } from '../../lib/dev/temporal-cluster';
import { createLogger } from '../../lib/logger';
import { dropDatabases, testDatabaseServerUrl } from '../helpers/database';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { quietRuntime, runWorker } from '../helpers/temporal';
import { proceed, relay } from './workflows/relay';

// The production topology: two Temporal server processes sharing one PostgreSQL, a load balancer in
// front of their frontends (as a DNS name or a proxy would be in production), a worker and a client
// through it. Each node in turn dies by kill -9 while workflows wait on it; they still complete.
jest.setTimeout(8 * 60_000);

const suffix = `test_${process.pid}_${randomBytes(3).toString('hex')}`;
let dataDir: string;
let cluster: TemporalCluster | undefined;
let balancer: TcpProxy | undefined;
let connection: Connection | undefined;

beforeAll(async () => {
  quietRuntime();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-cluster-'));
  cluster = await startTemporalCluster({ databaseUrl: testDatabaseServerUrl(), nodes: 2, dataDir, databaseSuffix: suffix, log: createLogger({ level: 'warn' }) });
  balancer = await startTcpProxy(cluster.addresses.map((a) => ({ host: a.split(':')[0]!, port: Number(a.split(':')[1]) })));
  connection = await Connection.connect({ address: `127.0.0.1:${balancer.port}` });
});

afterAll(async () => {
  await connection?.close();
  await balancer?.close();
  await cluster?.stop();
  await dropDatabases(`temporal_${suffix}`, `temporal_visibility_${suffix}`);
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('runs workflows to completion while either node is killed -9', async () => {
  const client = new Client({ connection: connection! });
  const worker = await NativeConnection.connect({ address: `127.0.0.1:${balancer!.port}` });
  const increment = async (n: number) => n + 1;
  try {
    await runWorker({ connection: worker, workflowsPath: require.resolve('./workflows/relay'), activities: { increment } }, async ({ taskQueue }) => {
      const run = (name: string, n: number) => client.workflow.start(relay, { args: [n], taskQueue, workflowId: `${name}-${n}-${suffix}` });
      for (const victim of [1, 0]) {
        // Eight workflows spread over the 16 history shards, so some live on the victim's shards.
        const waiting = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((n) => run(`before-kill-${victim}`, n)));
        const pid = cluster!.node(victim).pid();
        await cluster!.node(victim).kill('SIGKILL');
        expect(cluster!.node(victim).pid()).toBeUndefined();
        expect(() => process.kill(pid!, 0)).toThrow();

        // In flight before the kill, and started after it: all complete on the surviving node.
        const started = await Promise.all([0, 1, 2, 3].map((n) => run(`after-kill-${victim}`, n)));
        const handles = [...waiting, ...started];
        await Promise.all(handles.map((h) => h.signal(proceed)));
        expect(await Promise.all(handles.map((h) => h.result()))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4]);
        if (victim === 1) await cluster!.node(1).start();
      }
    });
  } finally {
    await worker.close();
  }
});
