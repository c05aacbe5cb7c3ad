import path from 'node:path';
import { z } from 'zod';
import { parseKey, parseOldKeys } from './crypto/codes';
import { DEFAULT_EVENT_STREAM_LIMITS } from './events/stream-slots';
import { ConfigError } from './errors';

/**
 * Every setting Guildflow reads from the environment, parsed once. `.env.example` lists the same
 * settings with comments; a test keeps the two (and docker-compose.yml) in step.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const hostPort = z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233');

/**
 * The worker's slots, pollers, cache and sticky timeout. Measured on 2 cores (orders/s and order p50 at 8
 * clients, `npm run bench -- worker-settings`); the README's Configuration section gives the figures.
 */
export const WORKER_SETTING_DEFAULTS = {
  WORKER_MAX_CACHED_WORKFLOWS: 1000,
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 40,
  WORKER_MAX_CONCURRENT_ACTIVITIES: 100,
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 100,
  WORKER_WORKFLOW_TASK_POLLERS: 10,
  WORKER_ACTIVITY_TASK_POLLERS: 10,
  WORKER_STICKY_QUEUE_TIMEOUT_MS: 10_000,
};
export type WorkerSettings = typeof WORKER_SETTING_DEFAULTS;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  /** Bearer token Prometheus sends to /metrics; unset, /metrics is open (keep the port private then). */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional()),
  SSE_MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_EVENT_STREAM_LIMITS.perProcess),
  SSE_MAX_STREAMS_PER_GUILD: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_EVENT_STREAM_LIMITS.perGuild),
  SSE_MAX_STREAMS_PER_TOKEN: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_EVENT_STREAM_LIMITS.perToken),
  SSE_MAX_BUFFERED_BYTES: z.coerce.number().int().min(4096).max(1024 * 1024 * 1024).default(DEFAULT_EVENT_STREAM_LIMITS.maxBufferedBytes),
  /** Requests per second each registered game may make to /roblox/v1 (a token bucket per game and API process). */
  GAME_API_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(20),
  GAME_API_RATE_BURST: z.coerce.number().int().min(1).max(100_000).default(40),

  DATABASE_URL: optionalString.pipe(
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_DB_PORT: port.default(54329),

  TEMPORAL_ADDRESS: optionalString.pipe(hostPort.optional()),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('guildflow'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_CLI: optionalString,
  TEMPORAL_SERVER_BIN: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /**
   * The Temporal Web UI the dashboard links flows to. Unset: the dev server's UI when Guildflow starts its
   * own (TEMPORAL_ADDRESS unset), otherwise no links.
   */
  TEMPORAL_UI_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional()),
  TEMPORAL_METRICS_ADDRESS: hostPort.default('127.0.0.1:9464'),
  WORKFLOW_BUNDLE_PATH: optionalString,
  /** Worker tuning; the defaults are what `npm run bench -- worker-settings` measured best (README, Configuration). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(WORKER_SETTING_DEFAULTS.WORKER_MAX_CACHED_WORKFLOWS),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).default(WORKER_SETTING_DEFAULTS.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(WORKER_SETTING_DEFAULTS.WORKER_MAX_CONCURRENT_ACTIVITIES),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(WORKER_SETTING_DEFAULTS.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES),
  WORKER_WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).max(1_000).default(WORKER_SETTING_DEFAULTS.WORKER_WORKFLOW_TASK_POLLERS),
  WORKER_ACTIVITY_TASK_POLLERS: z.coerce.number().int().min(1).max(1_000).default(WORKER_SETTING_DEFAULTS.WORKER_ACTIVITY_TASK_POLLERS),
  WORKER_STICKY_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(WORKER_SETTING_DEFAULTS.WORKER_STICKY_QUEUE_TIMEOUT_MS),

  /** users.roblox.com (verification); the test fake serves the same paths on one port. */
  ROBLOX_USERS_API_URL: z.url().default('https://users.roblox.com'),
  /** groups.roblox.com (group-rank binds); the test fake serves its paths on the same port as the users API. */
  ROBLOX_GROUPS_API_URL: z.url().default('https://groups.roblox.com'),
  /** The Scryfall API (card catalog and prices for card trading); tests point it at the fake. */
  SCRYFALL_API_URL: z.url().default('https://api.scryfall.com'),
  /** How long a member's want alerts are collected before the one DM that tells them (tests: a second). */
  CARD_ALERT_COLLECT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),

  DISCORD_TOKEN: optionalString,
  DISCORD_API_URL: z.url().default('https://discord.com/api'),
  /**
   * `npm run bot`'s gateway shards, one process each: a number, or `auto` for Discord's recommendation.
   * 1 runs the bot in the process itself, without a sharding manager.
   */
  DISCORD_SHARD_COUNT: z
    .string()
    .regex(/^(auto|[1-9]\d{0,3})$/, 'must be `auto` or a number of shards from 1 to 9999')
    .transform((v): number | 'auto' => (v === 'auto' ? 'auto' : Number(v)))
    .default(1),

  /**
   * The Discord application's OAuth2 client (developer portal → OAuth2) for the web dashboard's login; both
   * unset, login is off. Its redirect is {PUBLIC_BASE_URL}/api/auth/callback.
   */
  DISCORD_CLIENT_ID: optionalString.pipe(z.string().regex(/^\d{17,20}$/, 'must be the application id (a snowflake)').optional()),
  DISCORD_CLIENT_SECRET: optionalString,
  /** Signs the dashboard's access tokens and seals its login cookie; unset, each API process makes its own (npm start). */
  DASHBOARD_SESSION_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional()),

  MIDTRANS_SERVER_KEY: optionalString,
  MIDTRANS_API_URL: z.url().default('https://api.sandbox.midtrans.com'),
  PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional()),
  TOPUP_MIN_AMOUNT: z.coerce.number().int().min(1).max(1_000_000_000_000).default(10_000),
  TOPUP_MAX_AMOUNT: z.coerce.number().int().min(1).max(1_000_000_000_000).default(10_000_000),
  TOPUP_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  TOPUP_POLL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  TOPUP_LATE_SETTLEMENT_SECONDS: z.coerce.number().int().min(0).max(7 * 86_400).default(3_600),

  /** Stripe Connect for the cash part of card trades (escrow); unset, trades with cash are refused. */
  STRIPE_SECRET_KEY: optionalString,
  /** The webhook endpoint's signing secret (whsec_…), for POST /webhooks/stripe. */
  STRIPE_WEBHOOK_SECRET: optionalString,
  /** Stripe's API; tests point it at the fake. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).default('https://api.stripe.com'),
  /** The platform's share of each trade's cash part, in percent, kept back from the payee's transfer. */
  STRIPE_PLATFORM_FEE_PCT: z.coerce.number().min(0).max(50).default(2),
  /** Stripe's publishable key (pk_…) for the payer's pay page (Stripe.js); unset, the page says payments are not set up. */
  STRIPE_PUBLISHABLE_KEY: optionalString,
  /** smtp(s)://user:password@host:port for trade emails; unset: in development emails are printed to the log, else not sent. */
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional()),
  MAIL_FROM: z.string().min(3).default('Guildflow <no-reply@guildflow.invalid>'),
  /** Derives each member's unsubscribe link (only its hash is stored); needed with SMTP_URL. */
  MAIL_LINK_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional()),

  CODE_ENCRYPTION_KEY: optionalString,
  CODE_ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1-32 of A-Z a-z 0-9 . _ -').default('k1'),
  CODE_ENCRYPTION_OLD_KEYS: optionalString,
});

export type Config = z.infer<typeof schema>;

/** Settings that are never printed or logged as they are. */
const SECRET_KEYS = ['DISCORD_TOKEN', 'TEMPORAL_API_KEY', 'MIDTRANS_SERVER_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'MAIL_LINK_SECRET', 'CODE_ENCRYPTION_KEY', 'CODE_ENCRYPTION_OLD_KEYS', 'METRICS_TOKEN', 'DISCORD_CLIENT_SECRET', 'DASHBOARD_SESSION_SECRET'] as const satisfies readonly (keyof Config)[];

export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof Config)[];

/** Parses the environment; throws a ConfigError that lists every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string | undefined> = {};
  for (const key of CONFIG_KEYS) input[key] = env[key] === '' ? undefined : env[key];
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const config = parsed.data;
  if (config.TEMPORAL_API_KEY && !config.TEMPORAL_ADDRESS) {
    throw new ConfigError(['TEMPORAL_API_KEY: set TEMPORAL_ADDRESS too (an API key is for a remote cluster)']);
  }
  const codeKeyProblems = checkCodeKeys(config);
  if (codeKeyProblems.length) throw new ConfigError(codeKeyProblems);
  if (config.TOPUP_MIN_AMOUNT > config.TOPUP_MAX_AMOUNT) {
    throw new ConfigError([`TOPUP_MIN_AMOUNT: must not be above TOPUP_MAX_AMOUNT (${config.TOPUP_MIN_AMOUNT} > ${config.TOPUP_MAX_AMOUNT})`]);
  }
  const loginProblems = checkDashboardLogin(config);
  if (loginProblems.length) throw new ConfigError(loginProblems);
  if (config.SMTP_URL && !config.MAIL_LINK_SECRET) {
    throw new ConfigError(['MAIL_LINK_SECRET: set it too when SMTP_URL is set (it makes the unsubscribe link in every email)']);
  }
  const workerProblems = checkWorkerSettings(config);
  if (workerProblems.length) throw new ConfigError(workerProblems);
  return { ...config, DATA_DIR: path.resolve(config.DATA_DIR), TEMPORAL_UI_URL: temporalUiUrl(config) };
}

/** The configured UI without a trailing slash, or the dev server's (lib/dev/temporal-dev-server.ts listens on 127.0.0.1). */
function temporalUiUrl(config: Config): string | undefined {
  if (config.TEMPORAL_UI_URL) return config.TEMPORAL_UI_URL.replace(/\/+$/, '');
  return config.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
}

/** The combinations the Temporal SDK would otherwise change silently (with a warning) at worker start. */
function checkWorkerSettings(config: WorkerSettings): string[] {
  const problems: string[] = [];
  const cache = config.WORKER_MAX_CACHED_WORKFLOWS;
  if (cache === 1) problems.push('WORKER_MAX_CACHED_WORKFLOWS: must be 0 (no cache) or at least 2');
  if (cache > 0 && config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS > cache) {
    problems.push(`WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not be above WORKER_MAX_CACHED_WORKFLOWS (${config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS} > ${cache}) unless the cache is off (0)`);
  }
  if (config.WORKER_WORKFLOW_TASK_POLLERS > config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS) {
    problems.push(`WORKER_WORKFLOW_TASK_POLLERS: must not be above WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (${config.WORKER_WORKFLOW_TASK_POLLERS} > ${config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS})`);
  }
  if (config.WORKER_ACTIVITY_TASK_POLLERS > config.WORKER_MAX_CONCURRENT_ACTIVITIES) {
    problems.push(`WORKER_ACTIVITY_TASK_POLLERS: must not be above WORKER_MAX_CONCURRENT_ACTIVITIES (${config.WORKER_ACTIVITY_TASK_POLLERS} > ${config.WORKER_MAX_CONCURRENT_ACTIVITIES})`);
  }
  return problems;
}

/** Dashboard login needs both halves of the OAuth2 client and a public URL for Discord to send people back to. */
function checkDashboardLogin(config: Config): string[] {
  if (!config.DISCORD_CLIENT_ID && !config.DISCORD_CLIENT_SECRET) return [];
  const problems: string[] = [];
  if (!config.DISCORD_CLIENT_ID) problems.push('DISCORD_CLIENT_ID: set it too (DISCORD_CLIENT_SECRET is set): the dashboard login needs both');
  if (!config.DISCORD_CLIENT_SECRET) problems.push('DISCORD_CLIENT_SECRET: set it too (DISCORD_CLIENT_ID is set): the dashboard login needs both');
  if (!config.PUBLIC_BASE_URL) problems.push('PUBLIC_BASE_URL: required by the dashboard login (Discord sends people back to {PUBLIC_BASE_URL}/api/auth/callback)');
  return problems;
}

/** The code encryption keys decode to AES-256 keys (messages never include a key). */
function checkCodeKeys(config: Config): string[] {
  const problems: string[] = [];
  if (config.CODE_ENCRYPTION_KEY) {
    const key = parseKey(config.CODE_ENCRYPTION_KEY);
    if (typeof key === 'string') problems.push(`CODE_ENCRYPTION_KEY: ${key}`);
  } else if (config.CODE_ENCRYPTION_OLD_KEYS) {
    problems.push('CODE_ENCRYPTION_OLD_KEYS: set CODE_ENCRYPTION_KEY too (old keys only decrypt; new codes need a current key)');
  }
  const old = parseOldKeys(config.CODE_ENCRYPTION_OLD_KEYS);
  problems.push(...old.problems.map((p) => `CODE_ENCRYPTION_OLD_KEYS: ${p}`));
  if (old.keys.has(config.CODE_ENCRYPTION_KEY_ID)) problems.push(`CODE_ENCRYPTION_OLD_KEYS: key id ${config.CODE_ENCRYPTION_KEY_ID} is the current key's id`);
  return problems;
}

/** A copy safe to print: secrets replaced, database passwords hidden. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of SECRET_KEYS) if (out[key] !== undefined) out[key] = '[redacted]';
  if (config.DATABASE_URL) out.DATABASE_URL = redactUrl(config.DATABASE_URL);
  if (config.SMTP_URL) out.SMTP_URL = redactUrl(config.SMTP_URL);
  return out;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** For the production entry points (`npm run worker|api|bot`), which have no embedded defaults. */
export function requireSettings<K extends keyof Config>(config: Config, keys: readonly K[], who: string): Config & { [P in K]-?: NonNullable<Config[P]> } {
  const missing = keys.filter((k) => config[k] === undefined);
  if (missing.length) {
    throw new ConfigError(missing.map((k) => `${String(k)}: required by ${who} (only \`npm start\` has embedded defaults)`));
  }
  return config as Config & { [P in K]-?: NonNullable<Config[P]> };
}
