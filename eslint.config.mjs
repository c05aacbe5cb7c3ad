// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'prisma/generated/**', 'coverage/**', 'bench/results/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard's one classic script (served as is, run in the browser before the app).
    files: ['web/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'writable', fetch: 'readonly' } },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no clocks or randomness of its own,
    // and activities only as types (their implementations run on the worker, outside the sandbox).
    files: ['workflows/**/*.ts', 'test/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows are deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['node:*'], message: 'Workflows are deterministic: no Node built-ins.' },
            {
              group: ['**/activities', '**/activities/**', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
              allowTypeImports: true,
              message: 'Workflows may import activities as types only (import type …) and use proxyActivities.',
            },
            { group: ['**/lib/config', '**/lib/logger', '**/prisma/**', 'pg', 'discord.js', 'koa'], message: 'No I/O from workflow code.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use workflow time (Date inside the sandbox is replayed); never Date.now().' },
        { object: 'Math', property: 'random', message: 'Use uuid4() or a seed from the workflow input; never Math.random().' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'fetch', message: 'No I/O from workflow code: call an activity.' },
        { name: 'process', message: 'No process access from workflow code.' },
      ],
    },
  },
  {
    // Command-line programs: their report is what they print (the chaos run prints its counts).
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'test/chaos/run.ts'],
    rules: { 'no-console': 'off' },
  },
);
