import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { isAlive, runCommand } from './process';
import type { PostgresBinaries } from './postgres-binaries';
import { asUnprivileged } from './unprivileged';

/** The database superuser of an embedded cluster; local connections on 127.0.0.1 need no password. */
export const EMBEDDED_SUPERUSER = 'postgres';

/**
 * Creates a PostgreSQL cluster in `dataDir` unless one is there (its PG_VERSION file). initdb writes into a
 * sibling directory that is renamed into place when complete, so a start killed during initdb leaves no
 * half-made cluster behind (the next start removes the leftover and begins again). Returns true when it
 * created one.
 */
export async function ensureCluster(opts: { binaries: PostgresBinaries; dataDir: string; log: Logger; durable: boolean }): Promise<boolean> {
  const dataDir = path.resolve(opts.dataDir);
  if (await exists(path.join(dataDir, 'PG_VERSION'))) return false;
  if ((await fs.readdir(dataDir).catch(() => [])).length > 0) {
    throw new Error(`${dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION). Move it away or delete it, and start again.`);
  }
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  await removeStaleInits(dataDir);
  const staging = `${dataDir}.init-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  const started = performance.now();
  opts.log.info({ dataDir }, 'creating the embedded PostgreSQL cluster (once)');
  const args = ['-D', staging, '-U', EMBEDDED_SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'];
  // Throwaway clusters (a test run) skip fsync: ~1 s faster and nothing to keep.
  if (!opts.durable) args.push('--no-sync');
  const [file, argv] = await asUnprivileged(opts.binaries.initdb, args);
  try {
    await runCommand(file, argv, { env: { ...process.env, LC_ALL: 'C' } });
    // rename() replaces an empty directory, e.g. one a person created beforehand.
    await fs.rename(staging, dataDir);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    throw err;
  }
  opts.log.info({ dataDir, ms: Math.round(performance.now() - started) }, 'embedded PostgreSQL cluster created');
  return true;
}

/** `<dataDir>.init-<pid>` directories whose initdb process is gone. */
async function removeStaleInits(dataDir: string): Promise<void> {
  const prefix = `${path.basename(dataDir)}.init-`;
  for (const name of await fs.readdir(path.dirname(dataDir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || !isAlive(pid)) await fs.rm(path.join(path.dirname(dataDir), name), { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
