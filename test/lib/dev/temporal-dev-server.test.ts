import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { devServerArgs, startTemporalDevServer, type TemporalDevServer } from '../../../lib/dev/temporal-dev-server';
import { isAlive } from '../../../lib/dev/process';
import { createLogger } from '../../../lib/logger';
import { freePort } from '../../../lib/net';
import { GuildId } from '../../../lib/search-attributes';
import { testTemporalCli, uniqueTaskQueue } from '../../helpers/temporal';

// A server of its own (not the shared one): persistence, the Web UI and stop() are what is under test.
const log = createLogger({ level: 'warn', pretty: false });
let dir: string;
const running = new Set<TemporalDevServer>();

async function start(dbFile: string): Promise<TemporalDevServer> {
  const server = await startTemporalDevServer({ cliPath: testTemporalCli(), port: await freePort(), uiPort: await freePort(), dbFile, log });
  running.add(server);
  return server;
}

async function stop(server: TemporalDevServer): Promise<void> {
  await server.stop();
  running.delete(server);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-temporal-'));
});
afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  await fs.rm(dir, { recursive: true, force: true });
});

describe('startTemporalDevServer', () => {
  it('serves the Web UI, keeps state in its db file across a restart, and stop() leaves no process', async () => {
    const dbFile = path.join(dir, 'nested', 'temporal.db'); // the directory does not exist yet
    const workflowId = `test-persist-${randomUUID()}`;

    const first = await start(dbFile);
    expect(first.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ui = await fetch(first.uiUrl!);
    expect(ui.status).toBe(200);
    await withClient(first.address, (client) =>
      client.workflow.start('echo', {
        taskQueue: uniqueTaskQueue('persist'),
        workflowId,
        args: [{ message: 'survive', replyTimeout: '1 hour' }],
        typedSearchAttributes: [{ key: GuildId, value: '1234' }],
      }),
    );
    await stop(first);
    expect(isAlive(first.pid)).toBe(false);
    await expect(fs.stat(dbFile)).resolves.toBeTruthy();

    const second = await start(dbFile);
    const description = await withClient(second.address, (client) => client.workflow.getHandle(workflowId).describe());
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(GuildId)).toBe('1234');
    await stop(second);
    expect(isAlive(second.pid)).toBe(false);
  }, 120_000);

  it('fails with the server output when the server exits early (port taken)', async () => {
    // Drops connections at once: a listener that accepts and stays silent would hold the readiness
    // probe's gRPC socket open, and with both ends in this process jest could not exit.
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startTemporalDevServer({ cliPath: testTemporalCli(), port, ui: false, log })).rejects.toThrow(
        /did not become ready: exited early[\s\S]*--- its output ---[\s\S]*port/,
      );
    } finally {
      blocker.close();
    }
  });

  it('builds the documented command line', () => {
    const args = devServerArgs({ cliPath: 'temporal', port: 7233, ui: false, namespace: 'default', log });
    expect(args.join(' ')).toBe(
      'server start-dev --ip 127.0.0.1 --port 7233 --headless ' +
        '--search-attribute GuildId=Keyword --search-attribute DiscordUserId=Keyword --search-attribute FlowKind=Keyword ' +
        '--search-attribute FlowStuck=Keyword --log-level error --dynamic-config-value system.enableEagerWorkflowStart=true ' +
        '--dynamic-config-value system.enableActivityEagerExecution=true',
    );
    const withUi = devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: 9000, dbFile: 'x.db', namespace: 'guildflow', log });
    expect(withUi).toEqual(expect.arrayContaining(['--ui-port', '9000', '--db-filename', 'x.db', '--namespace', 'guildflow']));
    expect(withUi).not.toContain('--headless');
  });
});

async function withClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}
