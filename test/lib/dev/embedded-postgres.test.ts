import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedPostgres, embeddedPostgresUrl, startEmbeddedPostgres } from '../../../lib/dev/embedded-postgres';
import { isAlive } from '../../../lib/dev/process';
import { createLogger } from '../../../lib/logger';
import { freePort } from '../../../lib/net';
import { waitFor } from '../../../lib/wait';
import { deployMigrations } from '../../../prisma/migrator';

// Clusters of its own (not the run's shared database): creating, keeping and stopping one is under test.
const root = path.resolve(__dirname, '../../..');
const log = createLogger({ level: 'warn', pretty: false });
let dir: string;
const running = new Set<EmbeddedPostgres>();
const children = new Set<ChildProcess>();

async function start(dataDir: string, port?: number): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, port: port ?? (await freePort()), log });
  running.add(server);
  return server;
}

async function stop(server: EmbeddedPostgres): Promise<void> {
  await server.stop();
  running.delete(server);
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A Node process running `code` from the repository root (so `require('pg')` and TypeScript sources resolve). */
function node(code: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, closed, output: () => output };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-embedded-pg-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...running].map((s) => s.stop()));
  await fs.rm(dir, { recursive: true, force: true });
});

describe('startEmbeddedPostgres', () => {
  it('creates its cluster once, keeps data across stop and start, and stop() leaves no process', async () => {
    const dataDir = path.join(dir, 'kept', 'postgres'); // the parent directory does not exist yet
    const first = await start(dataDir);
    expect(first.url).toBe(embeddedPostgresUrl(first.port));
    expect(await query(first.url, 'SHOW server_version')).toEqual([{ server_version: expect.stringMatching(/^18\./) }]);
    await query(first.url, 'CREATE TABLE kept (v text CHECK (v <> \'\'))');
    await query(first.url, 'INSERT INTO kept VALUES ($1)', ['across restarts']);
    await expect(query(first.url, 'INSERT INTO kept VALUES ($1)', [''])).rejects.toThrow(/check constraint/);
    await stop(first);
    expect(isAlive(first.pid)).toBe(false);
    expect(await fs.readdir(path.dirname(dataDir))).toEqual(['postgres']); // no staging directory left

    const second = await start(dataDir); // another port: the data, not the port, is what is kept
    expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'across restarts' }]);
    await stop(second);
  });

  it('dies with the process that started it, even one killed with SIGKILL, and the data survives', async () => {
    const dataDir = path.join(dir, 'orphan', 'postgres');
    const port = await freePort();
    const parent = node(
      `const { startEmbeddedPostgres } = require('./lib/dev/embedded-postgres');
       const { createLogger } = require('./lib/logger');
       const pg = require('pg');
       startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, log: createLogger({ level: 'silent' }) }).then(async (db) => {
         const c = new pg.Client(db.url); await c.connect();
         await c.query("CREATE TABLE t (v text)"); await c.query("INSERT INTO t VALUES ('committed')"); await c.end();
         console.log('postgres pid ' + db.pid);
       });
       setInterval(() => undefined, 1000);`,
    );
    const pid = await waitFor(() => Number(/postgres pid (\d+)/.exec(parent.output())?.[1]) || undefined, { timeoutMs: 60_000, what: `the child's PostgreSQL (output: ${parent.output()})` });
    expect(isAlive(pid)).toBe(true);
    parent.child.kill('SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: `PostgreSQL pid ${pid} to exit after its parent was killed` });

    const again = await start(dataDir, port); // its stale postmaster.pid is no obstacle; crash recovery runs
    expect(await query(again.url, 'SELECT v FROM t')).toEqual([{ v: 'committed' }]);
    await stop(again);
  });

  it('serves several processes at once: LISTEN in one, a trigger NOTIFY from a write in another', async () => {
    const server = await start(path.join(dir, 'shared', 'postgres'));
    await query(server.url, 'CREATE DATABASE shared');
    const url = embeddedPostgresUrl(server.port, 'shared');
    await deployMigrations(url); // the real schema, whose triggers NOTIFY gf_events
    const listener = node(
      `const pg = require('pg'); const c = new pg.Client(process.env.URL);
       c.on('notification', (n) => console.log('notified ' + n.channel + ' ' + n.payload));
       c.connect().then(() => c.query('LISTEN gf_events')).then(() => console.log('listening'));`,
      { URL: url },
    );
    await waitFor(() => listener.output().includes('listening'), { timeoutMs: 30_000, what: `the listener (output: ${listener.output()})` });
    const writer = node(
      `const pg = require('pg'); const c = new pg.Client(process.env.URL);
       c.connect()
         .then(() => c.query("INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ('111111111111111111', 'G', '1', now())"))
         .then(() => c.query("INSERT INTO shop_items (guild_id, name, price, updated_at) VALUES ('111111111111111111', 'Sword', 10, now())"))
         .then(() => c.end());`,
      { URL: url },
    );
    expect({ code: await writer.closed, output: writer.output() }).toEqual({ code: 0, output: '' });
    await waitFor(() => /notified gf_events \S+/.test(listener.output()), { timeoutMs: 10_000, what: `the notification in the other process (output: ${listener.output()})` });
    listener.child.kill();
    await listener.closed;
    await stop(server);
  });

  it('fails with the server output and the setting to change when its port is taken', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = (await start(path.join(dir, 'busy', 'postgres'), port).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toContain('EMBEDDED_DB_PORT');
      expect(err.message).toMatch(/could not (bind|create listen socket)/i);
    } finally {
      blocker.close();
    }
  });
});
