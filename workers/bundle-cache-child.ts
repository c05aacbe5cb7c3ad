/**
 * Builds the cached workflow bundle in a process of its own (see workflow-bundle.ts), so the long-running
 * process never loads webpack nor keeps what bundling allocated. Usage: bundle-cache-child <dir> <entry>.
 */
import { DefaultLogger } from '@temporalio/worker';
import { buildCachedBundle } from './bundle-cache';

const [dir, entry] = process.argv.slice(2);
if (!dir || !entry) {
  process.stderr.write('usage: bundle-cache-child <cache dir> <workflows entry>\n');
  process.exit(2);
}
buildCachedBundle(dir, entry, new DefaultLogger('WARN')).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
