import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SearchAttributeType } from '@temporalio/common';
import type { Logger } from '../logger';
import { SEARCH_ATTRIBUTES } from '../search-attributes';
import { waitFor } from '../wait';
import { isAlive, superviseServer } from './process';

/** Spelling of each search attribute type for `--search-attribute NAME=Type`. */
export const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export interface TemporalDevServerOptions {
  cliPath: string;
  port: number;
  /** Web UI port; the CLI's default is port + 1000. Ignored when `ui` is false. */
  uiPort?: number;
  /** false runs `--headless` (tests: one port less to find, less memory). Default true. */
  ui?: boolean;
  /** SQLite file for state that survives restarts; in memory when absent. */
  dbFile?: string;
  /** Created besides `default` (which always exists). */
  namespace?: string;
  log: Logger;
  /** Default 60 s: a cold start takes ~3–8 s on two cores. */
  startTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long. Default 10 s. */
  stopGraceMs?: number;
  /** Called once the process is spawned, before it is ready (a caller can do other work meanwhile). */
  onSpawn?: () => void;
}

export interface TemporalDevServer {
  /** host:port of the gRPC frontend. */
  address: string;
  namespace: string;
  /** undefined when started with `ui: false`. */
  uiUrl: string | undefined;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export function devServerArgs(opts: TemporalDevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(opts.port)];
  if (opts.ui === false) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort ?? opts.port + 1000));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  // `default` is always created; naming it again would make the server create it twice.
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
  args.push(
    '--log-level', 'error',
    // Eager start/activities: ~50 ms less per step on a single-worker setup (measured).
    '--dynamic-config-value', 'system.enableEagerWorkflowStart=true',
    '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
  );
  return args;
}

/**
 * Starts `temporal server start-dev` and resolves once the frontend answers and the search attributes
 * are registered, so callers can start workflows right away. Rejects with the server's output if it
 * exits first or is not ready in time (the process is then stopped).
 */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const { log, port } = opts;
  const namespace = opts.namespace ?? 'default';
  const address = `${HOST}:${port}`;
  const uiUrl = opts.ui === false ? undefined : `http://${HOST}:${opts.uiPort ?? port + 1000}`;
  if (opts.dbFile) await fs.mkdir(path.dirname(path.resolve(opts.dbFile)), { recursive: true });

  const started = performance.now();
  const args = devServerArgs(opts);
  // We stop the server after the worker has drained (it needs the server to finish its tasks).
  const server = await superviseServer({ name: 'Temporal dev server', command: opts.cliPath, args, stopSignal: 'SIGTERM', graceMs: opts.stopGraceMs ?? 10_000, log });
  opts.onSpawn?.();
  const { child, tail, stop } = server;

  try {
    await waitUntilReady(address, namespace, uiUrl, opts.startTimeoutMs ?? 60_000, server.earlyExit);
  } catch (err) {
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Temporal dev server (${opts.cliPath} ${args.join(' ')}) did not become ready: ${reason}\n--- its output ---\n${tail.toString().trimEnd()}`, {
      cause: err,
    });
  }
  server.markReady();
  const pid = child.pid!;
  log.info({ address, uiUrl, serverPid: pid, dbFile: opts.dbFile, ms: Math.round(performance.now() - started) }, 'Temporal dev server ready');
  return {
    address,
    namespace,
    uiUrl,
    pid,
    stop: async () => {
      await stop();
      if (isAlive(pid)) throw new Error(`Temporal dev server pid ${pid} is still running after stop()`);
    },
  };
}

async function waitUntilReady(address: string, namespace: string, uiUrl: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const left = () => Math.max(1, deadline - performance.now());
  // Probes are cheap local calls; a short interval keeps the wait close to the server's own start-up time.
  const intervalMs = 50;
  // Loaded here, after the spawn, so loading the gRPC client overlaps the server's start-up.
  const { Connection } = await import('@temporalio/client');
  const connection = await waitFor(
    async () => {
      // Not Connection.connect: when it fails it leaves its gRPC channel open (and retrying), which
      // keeps the process alive. A lazy connection can be closed on failure.
      const c = Connection.lazy({ address, connectTimeout: 1_000 });
      try {
        await c.ensureConnected();
        return c;
      } catch (err) {
        await c.close();
        throw err;
      }
    },
    { timeoutMs: left(), intervalMs, what: `the Temporal frontend at ${address}`, signal },
  );
  try {
    // Registration happens during start-up, but wait for it rather than trust the order.
    await waitFor(
      async () => {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        return SEARCH_ATTRIBUTES.every((k) => customAttributes?.[k.name] !== undefined);
      },
      { timeoutMs: left(), intervalMs, what: `search attributes ${SEARCH_ATTRIBUTES.map((k) => k.name).join(', ')} in namespace ${namespace}`, signal },
    );
  } finally {
    await connection.close();
  }
  if (uiUrl) {
    await waitFor(async () => (await fetch(uiUrl, { signal: AbortSignal.timeout(2_000) })).status < 500, {
      timeoutMs: left(),
      intervalMs,
      what: `the Temporal Web UI at ${uiUrl}`,
      signal,
    });
  }
}
