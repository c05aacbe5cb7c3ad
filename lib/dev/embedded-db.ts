import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts PGlite in a child process (see embedded-db-process.ts) and resolves once it accepts connections. */
export async function startEmbeddedDatabase(opts: { dataDir: string; port: number; log: Logger; timeoutMs?: number }): Promise<EmbeddedDatabase> {
  const child = fork(path.join(__dirname, 'embedded-db-process.ts'), [opts.dataDir, String(opts.port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`embedded database did not start within ${opts.timeoutMs ?? 60_000} ms`));
    }, opts.timeoutMs ?? 60_000);
    child.once('message', (msg: { type: string; message?: string }) => {
      clearTimeout(timer);
      if (msg.type === 'ready') resolve();
      else reject(new Error(`embedded database failed: ${msg.message ?? 'unknown error'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded database exited with code ${code} before it was ready (is port ${opts.port} taken? set EMBEDDED_DB_PORT)`));
    });
  });
  opts.log.info({ dataDir: opts.dataDir, port: opts.port }, `embedded PostgreSQL (PGlite) ready; data kept in ${opts.dataDir}`);
  return {
    url: `postgresql://postgres@127.0.0.1:${opts.port}/postgres`,
    dataDir: opts.dataDir,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}
