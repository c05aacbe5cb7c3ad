/**
 * Builds the cached workflow bundle in a process of its own (see workflow-bundle.ts), so the long-running
 * process never loads webpack nor keeps what bundling allocated. Usage: bundle-cache-child <dir> <entry>.
 */
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { type BundleInputs, writeCachedBundle } from './bundle-cache';

async function main(dir: string, entry: string): Promise<void> {
  const inputs: BundleInputs = { files: [], missing: [] };
  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply(compiler) {
            compiler.hooks.done.tap('guildflow-bundle-cache', (stats) => {
              inputs.files = [...stats.compilation.fileDependencies];
              inputs.missing = [...stats.compilation.missingDependencies];
            });
          },
        },
      ],
    }),
  });
  await writeCachedBundle(dir, entry, code, inputs);
}

const [dir, entry] = process.argv.slice(2);
if (!dir || !entry) {
  process.stderr.write('usage: bundle-cache-child <cache dir> <workflows entry>\n');
  process.exit(2);
}
main(dir, entry).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
