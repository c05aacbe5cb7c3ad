// @ts-check
/**
 * Import rules between the parts of Guildflow (docs/architecture.md draws them). `npm run lint:deps`.
 *
 * Type-only imports are part of the graph (tsPreCompilationDeps), so a cycle through `import type`
 * counts: it still ties the files together for a reader and for the compiler. The layer rules below
 * allow type-only imports where the runtime boundary is what matters (workflow code, activities).
 */

/** Workflow code: what the worker bundles into Temporal's deterministic sandbox. */
const WORKFLOW_CODE = ['^workflows/', '^test/workflows/', '^test/[^/]+/workflows/'];

/**
 * lib/ modules with no I/O, no Node built-ins and no clocks, so workflow code may run them. A flow's
 * public face (lib/flows/<feature>.ts) is pure; its start/signal helpers (`*client.ts`) talk to Temporal
 * and are not.
 */
const PURE_LIB = ['^lib/flows/(?!.*client\\.ts$)', '^lib/search-attributes\\.ts$', '^lib/permissions\\.ts$', '^lib/grants\\.ts$', '^lib/roblox/phrase\\.ts$'];

/** The SDK packages that run inside the sandbox (the sandbox replaces their clocks and randomness). */
const SANDBOX_PACKAGES = '^node_modules/@temporalio/(?:workflow|common)/';

/**
 * Request schemas the dashboard's forms check input with before sending (the API validates with the same
 * ones): they run in the browser too, so they import only each other and zod. The grant names (lib/grants.ts,
 * pure, with the levels it reads) are the grant schema's enum, so they come along.
 */
const SHARED_WITH_BROWSER = ['^lib/requests/', '^lib/discord/snowflake\\.ts$', '^lib/grants\\.ts$', '^lib/permissions\\.ts$'];

/** Processes and tools: nothing below them may depend on them. */
const EDGES = '^(?:bot|api|workers|scripts)/';
const LOWER_LAYERS = '^(?:lib|prisma|activities|workflows)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only imports included: each file can be read (and moved) after what it imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-import-only-workflow-code',
      severity: 'error',
      comment:
        'Workflow code imports workflow code, pure lib/ modules and @temporalio/workflow|common at runtime; anything else only as types (activities run outside the sandbox).',
      from: { path: WORKFLOW_CODE },
      to: { dependencyTypesNot: ['type-only'], pathNot: [...WORKFLOW_CODE, ...PURE_LIB, SANDBOX_PACKAGES] },
    },
    {
      name: 'pure-lib-stays-pure',
      severity: 'error',
      comment: 'A pure lib/ module is bundled into workflow code, so at runtime it imports only other pure modules and @temporalio/workflow|common.',
      from: { path: PURE_LIB },
      to: { dependencyTypesNot: ['type-only'], pathNot: [...PURE_LIB, SANDBOX_PACKAGES] },
    },
    {
      name: 'activities-not-workflows-at-runtime',
      severity: 'error',
      comment: 'Activities run on the worker, outside the sandbox: workflow code only as types. Ids, signals and updates come from lib/flows.',
      from: { path: '^activities/' },
      to: { path: '^workflows/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'bot-not-api',
      severity: 'error',
      comment: 'The bot and the API are separate edges (separate processes in production); what both need lives below them.',
      from: { path: '^bot/' },
      to: { path: '^api/' },
    },
    {
      name: 'api-not-bot',
      severity: 'error',
      comment: 'The bot and the API are separate edges (separate processes in production); what both need lives below them.',
      from: { path: '^api/' },
      to: { path: '^bot/' },
    },
    {
      name: 'lower-layers-not-edges',
      severity: 'error',
      comment: 'lib, prisma, activities and workflows never import the processes and tools built on them (bot, api, workers, scripts).',
      from: { path: LOWER_LAYERS },
      to: { path: EDGES },
    },
    {
      name: 'fakes-only-from-tests',
      severity: 'error',
      comment: 'The fakes of Discord, Roblox and Midtrans are for tests, benchmarks and the playground, never for production code.',
      from: { pathNot: ['^test/', '^bench/', '^scripts/'] },
      to: { path: '^test/fakes/' },
    },
    {
      name: 'production-not-tests',
      severity: 'error',
      comment: 'Production code does not import tests or benchmarks.',
      from: { path: ['^(?:activities|api|bot|lib|prisma|workers|workflows)/'] },
      to: { path: '^(?:test|bench)/' },
    },
    {
      name: 'web-stays-in-the-browser',
      comment:
        'The dashboard (web/src) runs in the browser: it imports its own modules, packages and the shared request schemas, never the server code (it talks to the API over HTTP, typed by web/src/api/schema.d.ts).',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { pathNot: ['^web/src/', '^node_modules/', ...SHARED_WITH_BROWSER] },
    },
    {
      name: 'shared-schemas-run-in-the-browser',
      comment: 'The request schemas shared with the dashboard are bundled into the page: they import only each other and zod.',
      severity: 'error',
      from: { path: SHARED_WITH_BROWSER },
      to: { pathNot: [...SHARED_WITH_BROWSER, '^node_modules/zod/'] },
    },
    {
      name: 'nothing-imports-web',
      comment: 'The dashboard is served as built files (api/web/static.ts), so no server code, script or test imports its sources.',
      severity: 'error',
      from: { pathNot: '^web/' },
      to: { path: '^web/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (a typo or a missing dependency is caught here, not at run time).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages and Prisma's generated client are leaves here: their insides are not ours to check.
    doNotFollow: { path: ['node_modules', '^prisma/generated/'] },
    exclude: { path: ['^dist/', '^web/dist/', '^\\.data/', '^coverage/', '^bench/results/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
