import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** The TypeScript loader of `npm start`: compiles once into its cache, and stack traces show TypeScript lines. */
const loader = path.resolve(__dirname, '../../../lib/dev/register-ts.cjs');
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-register-ts-'));
  await fs.writeFile(
    path.join(dir, 'helper.ts'),
    ['interface Shape {', '  size: number;', '}', '', 'export function fail(shape: Shape): never {', '  throw new Error(`too big: ${shape.size}`);', '}', ''].join('\n'),
  );
  await fs.writeFile(
    path.join(dir, 'main.ts'),
    [
      "import { fail } from './helper';",
      'type Unused = string;',
      'try {',
      '  fail({ size: 3 });',
      '} catch (err) {',
      '  console.log((err as Error).stack);',
      '}',
      "console.log('swc loaded: ' + Object.keys(require.cache).some((k) => k.includes('@swc/core') && !k.endsWith('package.json')));",
      '',
    ].join('\n'),
  );
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function run(): Promise<string> {
  const cache = path.join(dir, 'cache');
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', loader, path.join(dir, 'main.ts')], { env: { ...process.env, GF_TS_CACHE_DIR: cache } });
  return stdout;
}

it('runs TypeScript, maps stack traces to its lines, and loads no compiler once its files are cached', async () => {
  const first = await run();
  expect(first).toContain('Error: too big: 3');
  expect(first).toContain(`at fail (${path.join(dir, 'helper.ts')}:6:9)`);
  expect(first).toContain(`${path.join(dir, 'main.ts')}:4:`); // the line of the call
  expect(first).toContain('swc loaded: true');
  expect((await fs.readdir(path.join(dir, 'cache'))).filter((f) => f.endsWith('.js'))).toHaveLength(2);

  const second = await run();
  expect(second).toContain(`at fail (${path.join(dir, 'helper.ts')}:6:9)`);
  expect(second).toContain('swc loaded: false');
});
