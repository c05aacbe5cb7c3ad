import path from 'node:path';
import { runCommand } from '../lib/dev/process';
import type { Logger } from '../lib/logger';
import { bundleCacheDir, freshCachedBundle } from './bundle-cache';

const root = path.resolve(__dirname, '..');

/**
 * The path of a workflow bundle for `entry` that matches the sources: the cached one under
 * DATA_DIR/workflow-bundle, or one built now by a child process (workers/bundle-cache-child.ts) and
 * cached for the next start.
 */
export async function obtainWorkflowBundle(opts: { dataDir: string; entry: string; log: Logger }): Promise<string> {
  const dir = bundleCacheDir(opts.dataDir, opts.entry);
  const cached = await freshCachedBundle(dir, opts.entry);
  if (cached) {
    opts.log.debug({ bundle: cached }, 'workflow bundle unchanged: reusing it');
    return cached;
  }
  const started = performance.now();
  opts.log.info({ dir }, 'bundling the workflow code (after a change to it, once)');
  await runCommand(process.execPath, ['--require', path.join(root, 'lib/dev/register-ts.cjs'), path.join(__dirname, 'bundle-cache-child.ts'), dir, opts.entry], {
    env: process.env,
    cwd: root,
  });
  const built = await freshCachedBundle(dir, opts.entry);
  if (!built) throw new Error(`the workflow bundle built into ${dir} does not match the sources it was built from (were they edited meanwhile?)`);
  opts.log.info({ bundle: built, ms: Math.round(performance.now() - started) }, 'workflow bundle built and cached');
  return built;
}
