import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../lib/logger';
import { bundleCacheDir, freshCachedBundle } from '../../workers/bundle-cache';
import { obtainWorkflowBundle } from '../../workers/workflow-bundle';

// Workflow sources of their own inside the repository (webpack resolves @temporalio/workflow from its
// node_modules), under the ignored .data/, so that editing them is part of the test.
const root = path.resolve(__dirname, '../..');
let src: string;
let dataDir: string;
const lines: string[] = [];
const log = createLogger({ level: 'info', pretty: false }, { write: (line: string) => void lines.push(line) });

beforeAll(async () => {
  const base = path.join(root, '.data');
  await fs.mkdir(base, { recursive: true });
  src = await fs.mkdtemp(path.join(base, 'test-bundle-src-'));
  dataDir = path.join(src, 'data');
  await fs.writeFile(path.join(src, 'helper.ts'), "export const greeting = 'hello';\n");
  await fs.writeFile(
    path.join(src, 'index.ts'),
    "import { sleep } from '@temporalio/workflow';\nimport { greeting } from './helper';\n" +
      'export async function greet(): Promise<string> {\n  await sleep(1);\n  return greeting;\n}\n',
  );
});
afterAll(() => fs.rm(src, { recursive: true, force: true }));

describe('the cached workflow bundle', () => {
  it('is built once in a child process, reused while its sources are unchanged, and rebuilt after a change', async () => {
    const entry = path.join(src, 'index.ts');
    const first = await obtainWorkflowBundle({ dataDir, entry, log });
    expect(first.startsWith(bundleCacheDir(dataDir, entry))).toBe(true);
    expect(await fs.readFile(first, 'utf8')).toContain("'hello'");
    expect(lines.filter((l) => l.includes('workflow bundle built and cached'))).toHaveLength(1);

    // Unchanged: the same file, no second build.
    expect(await obtainWorkflowBundle({ dataDir, entry, log })).toBe(first);
    expect(lines.filter((l) => l.includes('workflow bundle built and cached'))).toHaveLength(1);

    // An imported file changes: stale, and the next start bundles the new code.
    await fs.writeFile(path.join(src, 'helper.ts'), "export const greeting = 'bonjour';\n");
    expect(await freshCachedBundle(bundleCacheDir(dataDir, entry), entry)).toBeUndefined();
    const second = await obtainWorkflowBundle({ dataDir, entry, log });
    expect(await fs.readFile(second, 'utf8')).toContain("'bonjour'");
    expect(lines.filter((l) => l.includes('workflow bundle built and cached'))).toHaveLength(2);
    expect(await freshCachedBundle(bundleCacheDir(dataDir, entry), entry)).toBe(second);

    // A file appears where an import was looked for first and not found (`./helper` would now resolve
    // to it): stale too.
    await fs.writeFile(path.join(src, 'helper'), "exports.greeting = 'shadowed';\n");
    expect(await freshCachedBundle(bundleCacheDir(dataDir, entry), entry)).toBeUndefined();
  }, 120_000);
});
