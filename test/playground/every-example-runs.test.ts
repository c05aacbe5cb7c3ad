import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every example script is run by a playground test, so none can rot unnoticed. */
it('every script in scripts/playground-examples is run by a test in test/playground', () => {
  const examples = readdirSync(path.join(__dirname, '../../scripts/playground-examples'))
    .filter((f) => f.endsWith('.ts') && f !== 'transcript.ts')
    .map((f) => f.replace(/\.ts$/, ''));
  const tests = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(path.join(__dirname, f), 'utf8'))
    .join('\n');
  const run = new Set([...tests.matchAll(/runExample(?:<[^>]*>)?\('([\w-]+)'\)/g)].map((m) => m[1]));
  expect(examples.length).toBeGreaterThan(1);
  expect(examples.filter((e) => !run.has(e))).toEqual([]);
});
