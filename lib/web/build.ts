import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** The dashboard's sources (web/) and where its build goes (web/dist, served by api/web/static.ts). */
export const WEB_DIR = path.join(__dirname, '..', '..', 'web');
const DIST = path.join(WEB_DIR, 'dist');
/** The hash of the sources a build was made from, written beside it: a different hash means stale. */
const STAMP = path.join(DIST, '.source-hash');
/**
 * What the page is built from, relative to web/: its own files and the request schemas it shares with the
 * server (the modules .dependency-cruiser.cjs lets web/src import: SHARED_WITH_BROWSER).
 */
const SOURCES = ['index.html', 'vite.config.mts', 'tsconfig.json', 'src', 'public', '../lib/requests', '../lib/discord/snowflake.ts', '../lib/grants.ts', '../lib/permissions.ts'];

async function filesUnder(p: string): Promise<string[]> {
  const entries = await readdir(p, { withFileTypes: true }).catch(() => null);
  if (!entries) return existsSync(p) ? [p] : [];
  const nested = await Promise.all(entries.map((e) => filesUnder(path.join(p, e.name))));
  return nested.flat().sort();
}

/** A hash over every source file's path and content, and the installed package versions (the lock file). */
async function webSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all(SOURCES.map((s) => filesUnder(path.join(WEB_DIR, s))))).flat();
  for (const file of [...files, path.join(WEB_DIR, '..', 'package-lock.json')]) {
    hash.update(path.relative(WEB_DIR, file)).update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0))).update('\0');
  }
  return hash.digest('hex');
}

/** Whether web/dist is missing or was built from other sources than today's. */
async function webBuildIsStale(): Promise<boolean> {
  const [stamp, current] = await Promise.all([readFile(STAMP, 'utf8').catch(() => null), webSourceHash()]);
  return stamp?.trim() !== current || !existsSync(path.join(DIST, 'index.html'));
}

/** Builds the dashboard with Vite (web/vite.config.mts) and stamps the build with its sources' hash. */
export async function buildWeb(opts: { quiet?: boolean } = {}): Promise<void> {
  const hash = await webSourceHash();
  // Vite's own command (ESM-only, its types need a newer module resolution than the server code's).
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const args = [vite, 'build', '--config', path.join(WEB_DIR, 'vite.config.mts'), '--logLevel', opts.quiet ? 'warn' : 'info'];
  // NODE_ENV=production whatever the caller's (jest sets test): anything else makes Vite bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' };
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: WEB_DIR, env });
  if (!opts.quiet) process.stdout.write(stdout + stderr);
  await writeFile(STAMP, `${hash}\n`);
}

/** Builds the dashboard when its build is missing or stale (npm start); true when it built. */
export async function ensureWebBuilt(opts: { quiet?: boolean } = {}): Promise<boolean> {
  if (!(await webBuildIsStale())) return false;
  await buildWeb(opts);
  return true;
}
