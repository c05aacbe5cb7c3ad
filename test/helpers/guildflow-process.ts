import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../lib/net';
import { waitFor } from '../../lib/wait';

/**
 * Runs `npm start` on embedded defaults, as a newcomer does (no DATABASE_URL, no TEMPORAL_ADDRESS), on free
 * ports, in its own process group so a caller can press "Ctrl-C" (SIGINT to the group) as a terminal does.
 * The Temporal CLI comes from TEMPORAL_CLI when given (tests pass the run's already built binary).
 */
const root = path.resolve(__dirname, '../..');

export async function startGuildflow(dataDir: string, opts: { temporalCli?: string; readyTimeoutMs?: number } = {}) {
  const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), db: await freePort(), metrics: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(ports.api),
    HOST: '127.0.0.1',
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    EMBEDDED_DB_PORT: String(ports.db),
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.metrics}`,
    DATA_DIR: dataDir,
    TEMPORAL_CLI: opts.temporalCli ?? process.env.TEMPORAL_CLI,
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
  };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'DISCORD_TOKEN', 'TEMPORAL_API_KEY']) delete env[key];
  if (!env.TEMPORAL_CLI) delete env.TEMPORAL_CLI;
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  // 'close' waits for every process holding the output pipes (npm may exit before Guildflow does). npm
  // re-raises a signal it was stopped by, so the exit code that matters is the one Guildflow logs.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const started = Date.now();
  const api = `http://127.0.0.1:${ports.api}`;
  await waitFor(async () => (await fetch(`${api}/ready`)).status === 200, {
    timeoutMs: opts.readyTimeoutMs ?? 180_000,
    intervalMs: 250,
    what: `GET ${api}/ready`,
  }).catch((err: Error) => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is gone: `npm start` exited on its own, and its output below says why.
    }
    throw new Error(`${err.message}\n--- npm start output ---\n${output}`);
  });
  return { child, exit, ports, api, readyMs: Date.now() - started, output: () => output };
}

