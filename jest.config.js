/** The ES-module-only packages the code imports (the dashboard login's OAuth client and JWTs). */
const ESM_ONLY = '(arctic|@oslojs/[^/]+|jose)';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    // ES-module-only packages: Node loads them through require(esm), jest's own loader cannot, so it gets CommonJS.
    [`/node_modules/${ESM_ONLY}/.+\\.js$`]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  // Response checking on for every API a test builds (api/openapi/route.ts).
  setupFiles: ['<rootDir>/test/setup/check-responses.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  // Each test file gets its own database; two workers fit two cores.
  maxWorkers: 2,
};
