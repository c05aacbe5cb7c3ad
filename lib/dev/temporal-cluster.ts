import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { freePort, freePortInRange } from '../net';
import { SEARCH_ATTRIBUTES } from '../search-attributes';
import { waitFor } from '../wait';
import { runCommand, superviseServer, type SupervisedServer } from './process';
import { obtainTemporalCli } from './temporal-cli';
import { CLI_TYPE_NAMES } from './temporal-dev-server';
import { obtainTemporalServer } from './temporal-server';

/**
 * The production Temporal topology on this machine: N server processes (each running the frontend,
 * history, matching and worker services) that share one PostgreSQL and find each other through it
 * (every node writes its membership address into the database; ringpop gossips from there). Each node
 * runs the one server config docker-compose.yml also uses (scripts/temporal/config/guildflow.yaml),
 * with its own ports.
 */
export interface TemporalClusterOptions {
  /** A PostgreSQL server URL (its database part is ignored): the cluster creates and uses temporal_<suffix> and temporal_visibility_<suffix> on it. */
  databaseUrl: string;
  /** Default 1. */
  nodes?: number;
  /** Each node's log (node-<i>.log). */
  dataDir: string;
  log: Logger;
  /** Names the databases (letters, digits, underscores); without it they are `temporal` and `temporal_visibility`. */
  databaseSuffix?: string;
  /** Created when missing, with Guildflow's search attributes; default `default`. */
  namespace?: string;
  /** TEMPORAL_CLI and TEMPORAL_SERVER_BIN from the config. */
  cliPath?: string;
  serverBinDir?: string;
  /** How long a node may take to serve. Default 120 s (measured ~20 s alone; more with both cores busy). */
  startTimeoutMs?: number;
}

export interface TemporalClusterNode {
  /** host:port of this node's frontend. */
  address: string;
  /** undefined while the node is not running. */
  pid(): number | undefined;
  /** Sends `signal` (default SIGKILL) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on the same ports; resolves once its frontend is SERVING. */
  start(): Promise<void>;
}

export interface TemporalCluster {
  /** host:port of node 0's frontend. */
  address: string;
  /** Every node's frontend, in node order. */
  addresses: string[];
  node(i: number): TemporalClusterNode;
  /** Stops every node (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const ROOT = path.resolve(__dirname, '../..');
/** The one server config and dynamic config, shared with docker-compose.yml. */
export const TEMPORAL_CONFIG_DIR = path.join(ROOT, 'scripts/temporal/config');
export const TEMPORAL_CONFIG_ENV = 'guildflow';
export const DYNAMIC_CONFIG_FILE = path.join(ROOT, 'scripts/temporal/dynamicconfig.yaml');
export const SETUP_SCHEMA_SCRIPT = path.join(ROOT, 'scripts/temporal/setup-schema.sh');
export const SETUP_NAMESPACE_SCRIPT = path.join(ROOT, 'scripts/temporal/setup-namespace.sh');

/** The `Name=Type` list setup-namespace.sh registers (docker-compose.yml passes the same). */
export const SEARCH_ATTRIBUTE_SPECS = SEARCH_ATTRIBUTES.map((k) => `${k.name}=${CLI_TYPE_NAMES[k.type]}`).join(' ');

/** The services every node runs, each with a gRPC port and a membership port (the frontend also HTTP). */
const PORT_VARS = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

/**
 * The environment config/guildflow.yaml and setup-schema.sh read for the database: host, port, user and
 * password of the URL (its TLS parameters are not carried over: the server connects without TLS).
 */
export function databaseEnv(databaseUrl: string, suffix?: string): Record<string, string> {
  if (suffix !== undefined && !/^[a-z0-9_]+$/.test(suffix)) throw new Error(`databaseSuffix must be lower-case letters, digits and underscores, not ${JSON.stringify(suffix)}`);
  const url = new URL(databaseUrl);
  const named = (base: string) => (suffix ? `${base}_${suffix}` : base);
  return {
    POSTGRES_SEEDS: url.hostname,
    DB_PORT: url.port || '5432',
    POSTGRES_USER: decodeURIComponent(url.username) || 'postgres',
    POSTGRES_PWD: decodeURIComponent(url.password),
    DBNAME: named('temporal'),
    VISIBILITY_DBNAME: named('temporal_visibility'),
  };
}

/**
 * The server stores membership ports in a PostgreSQL smallint (cluster_membership.rpc_port): they must be
 * below 32768, under the kernel's usual ephemeral range, so they are drawn from 20000–32767.
 */
function nodePort(name: (typeof PORT_VARS)[number]): Promise<number> {
  return name.endsWith('_MEMBERSHIP_PORT') ? freePortInRange(20_000, 32_767, HOST) : freePort(HOST);
}

export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const { log } = opts;
  const count = opts.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`nodes must be a whole number from 1, not ${count}`);
  const namespace = opts.namespace ?? 'default';
  const started = performance.now();
  const db = databaseEnv(opts.databaseUrl, opts.databaseSuffix);
  // One after the other: the server's build reuses most of what the CLI's compiled.
  const cli = await obtainTemporalCli({ cliPath: opts.cliPath, log });
  const binaries = await obtainTemporalServer({ binDir: opts.serverBinDir, log });
  await fs.mkdir(opts.dataDir, { recursive: true });

  // Only what the tools need: the parent's environment could carry a LOG_LEVEL or DBNAME of its own.
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
  await runCommand('sh', [SETUP_SCHEMA_SCRIPT], { env: { ...baseEnv, ...db, TEMPORAL_SQL_TOOL: binaries.sqlTool } });
  log.debug({ databases: [db.DBNAME, db.VISIBILITY_DBNAME] }, 'Temporal schemas up to date');

  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i++) {
    const ports = Object.fromEntries(await Promise.all(PORT_VARS.map(async (name) => [name, String(await nodePort(name))] as const)));
    const env = {
      ...baseEnv,
      ...db,
      ...ports,
      BIND_ON_IP: HOST,
      TEMPORAL_BROADCAST_ADDRESS: HOST,
      CLUSTER_RPC_ADDRESS: nodes[0]?.address ?? `${HOST}:${ports.FRONTEND_GRPC_PORT}`,
      DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
      // 2 nodes × (10 + 10 visibility) stay well inside a shared server's 100 connections.
      SQL_MAX_CONNS: '10',
    };
    nodes.push(new ClusterNode(i, `${HOST}:${ports.FRONTEND_GRPC_PORT}`, binaries.server, cli, env, path.join(opts.dataDir, `node-${i}.log`), log, opts.startTimeoutMs ?? 120_000));
  }
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    // Node 0 first: the first node to start records the cluster's metadata, and two at once on a fresh
    // database race to write it (the loser exits).
    await nodes[0]!.start();
    await Promise.all(nodes.slice(1).map((n) => n.start()));
    await runCommand('sh', [SETUP_NAMESPACE_SCRIPT], {
      env: { ...baseEnv, TEMPORAL_ADDRESS: nodes[0]!.address, TEMPORAL_CLI: cli, NAMESPACE: namespace, SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTE_SPECS },
    });
    // Each frontend caches namespaces (refreshed every 10 s): a workflow started through a node that has
    // not seen the attributes yet would be refused.
    await Promise.all(nodes.map((n) => n.waitForSearchAttributes(namespace)));
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ addresses: nodes.map((n) => n.address), databases: [db.DBNAME, db.VISIBILITY_DBNAME], ms: Math.round(performance.now() - started) }, 'Temporal cluster ready');
  return {
    address: nodes[0]!.address,
    addresses: nodes.map((n) => n.address),
    node: (i) => {
      const node = nodes[i];
      if (!node) throw new Error(`no node ${i}: the cluster has ${nodes.length}`);
      return node;
    },
    stop,
  };
}

/** One server process, restartable on its own ports. */
class ClusterNode implements TemporalClusterNode {
  private server: SupervisedServer | undefined;

  constructor(
    private readonly index: number,
    readonly address: string,
    private readonly serverBinary: string,
    private readonly cli: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
    private readonly log: Logger,
    private readonly startTimeoutMs: number,
  ) {}

  pid(): number | undefined {
    const child = this.server?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.pid() !== undefined) throw new Error(`Temporal node ${this.index} is already running (pid ${this.pid()})`);
    const started = performance.now();
    const args = ['--root', '/', '--config', TEMPORAL_CONFIG_DIR, '--env', TEMPORAL_CONFIG_ENV, '--allow-no-auth', 'start'];
    const server = await superviseServer({ name: `Temporal node ${this.index}`, command: this.serverBinary, args, env: this.env, stopSignal: 'SIGTERM', graceMs: 20_000, log: this.log });
    this.server = server;
    // Both streams go to one file, closed once both have ended: the first to end must not close it
    // under the other (a write after end crashes the process that supervises the node).
    const file = createWriteStream(this.logFile, { flags: 'a' });
    server.child.stdout?.pipe(file, { end: false });
    server.child.stderr?.pipe(file, { end: false });
    server.child.once('close', () => file.end());
    try {
      await waitFor(() => this.serving(), { timeoutMs: this.startTimeoutMs, intervalMs: 250, what: `Temporal node ${this.index} at ${this.address} to be SERVING`, signal: server.earlyExit });
    } catch (err) {
      await server.stop();
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Temporal node ${this.index} did not start: ${reason} (log: ${this.logFile})\n--- its output ---\n${server.tail.toString().trimEnd()}`, { cause: err });
    }
    server.markReady();
    this.log.debug({ node: this.index, address: this.address, pid: server.child.pid, ms: Math.round(performance.now() - started) }, 'Temporal node serving');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.server?.kill(signal);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  async waitForSearchAttributes(namespace: string): Promise<void> {
    await waitFor(
      async () => {
        const listed = await this.cliOutput(['operator', 'search-attribute', 'list', '--namespace', namespace, '--output', 'json']);
        return SEARCH_ATTRIBUTES.every((k) => listed.includes(`"${k.name}"`));
      },
      { timeoutMs: this.startTimeoutMs, intervalMs: 500, what: `search attributes in namespace ${namespace} on ${this.address}` },
    );
  }

  private async serving(): Promise<boolean> {
    return (await this.cliOutput(['operator', 'cluster', 'health'])).includes('SERVING');
  }

  private async cliOutput(args: string[]): Promise<string> {
    const lines: string[] = [];
    await runCommand(this.cli, [...args, '--address', this.address], { env: { PATH: this.env.PATH, HOME: this.env.HOME }, onLine: (l) => lines.push(l) });
    return lines.join('\n');
  }
}
