import type Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { CodeKeyring } from '../lib/crypto/codes';
import type { GuildDirectory } from '../lib/discord/guild-directory';
import type { EventHub } from '../lib/events/hub';
import type { EventStreamLimits } from '../lib/events/stream-slots';
import { TemporalUnavailableError, type FlowTarget } from '../lib/flows/client';
import type { Logger } from '../lib/logger';
import type { MailDeps } from '../lib/mail';
import type { EscrowDeps } from '../lib/payments';
import type { TokenBucketRule } from '../lib/token-bucket';
import type { ScryfallClient } from '../lib/scryfall/client';
import type { PrismaClient } from '../prisma/client';
import type { SyncSettings } from '../lib/flows/sync';
import type { HttpMetrics } from './metrics';
import type { DashboardAuthSettings } from './dashboard-auth/settings';
import type { DashboardSessions } from './dashboard-auth/runtime';
import type { ReadinessCheck } from './readiness';

export interface AppDeps {
  prisma: PrismaClient;
  log: Logger;
  readiness: readonly ReadinessCheck[];
  extraMetrics?: () => Promise<string>;
  /** For workflow status in responses (the shop's purchases); absent, they say UNAVAILABLE. */
  temporal?: Client;
  /** The Temporal Web UI (TEMPORAL_UI_URL, no trailing slash) the flow counts link to; absent, no links. */
  temporalUiUrl?: string;
  /** Where workflows the API starts run (the task message sync); absent, the API starts none. */
  taskQueue?: string;
  /** Midtrans's server key for the payment webhook; absent, payments are off. */
  midtransServerKey?: string;
  /** The signing secret of POST /webhooks/stripe (STRIPE_WEBHOOK_SECRET); absent, card trade escrow is off there. */
  stripeWebhookSecret?: string;
  /** Stripe Connect, for card trade payout accounts; absent, those routes answer 503. */
  escrow?: EscrowDeps | null;
  /** Email (confirmation links); absent, asking to link an address answers 503 `mail_off`. */
  mail?: MailDeps | null;
  /** The clock Stripe signatures are checked against (tests move it); default the system clock. */
  stripeClock?: () => Date;
  /** The code stock's keys, for code imports; absent, imports answer 503. */
  codes?: CodeKeyring | null;
  /** The live-events hub (lib/events/hub.ts) behind GET /events; absent, that route answers 503. */
  events?: EventHub;
  /** SSE heartbeat interval (default 15 s). */
  eventHeartbeatMs?: number;
  /** Caps on open SSE streams and on what a stream may buffer (default DEFAULT_EVENT_STREAM_LIMITS). */
  eventStreamLimits?: EventStreamLimits;
  /** The bearer token /metrics asks for (METRICS_TOKEN); absent, /metrics is open. */
  metricsToken?: string;
  /** Timings of the message sync flows the API starts (default DEFAULT_SYNC_SETTINGS, lib/flows/sync.ts). */
  syncSettings?: SyncSettings;
  /**
   * Which channels, roles and members belong to a guild (lib/discord/guild-directory.ts): every channel or
   * role id in a body is checked against it before it is stored, and a person's API token against their
   * current level. Absent (no DISCORD_TOKEN), requests that name an id, and persons' tokens, answer 503
   * `discord_unavailable` and change nothing; the rest (and the operator's CLI tokens) work as usual.
   */
  guildDirectory?: GuildDirectory;
  /** The built dashboard served at `/` (default web/dist, api/web/static.ts). */
  webRoot?: string;
  /** The game API's clock for signature windows (tests move it); default the system clock. */
  gameClock?: () => Date;
  /** Each game's request budget on /roblox/v1 (GAME_API_RATE_*); absent, games are not rate-limited. */
  gameRateLimit?: TokenBucketRule;
  /** The web dashboard's login and sessions (api/dashboard-auth); absent, /api/auth/* answer 503 and only API tokens work. */
  dashboardAuth?: DashboardAuthSettings;
  /** Scryfall, behind the card catalog (/cards routes); absent, card look-ups answer 503 `catalog_off`. */
  scryfall?: ScryfallClient | null;
  /** How long want alerts are collected before their one DM (CARD_ALERT_COLLECT_SECONDS; default 60). */
  cardAlertCollectSeconds?: number;
  /**
   * Check every answer against its route's declared responses (api/openapi/route.ts): a mismatch is a 500
   * naming route and issue. On in tests (GUILDFLOW_CHECK_RESPONSES=1, set by test/setup); off in production.
   */
  checkResponses?: boolean;
}

/** What every route factory gets: the app's dependencies and its HTTP metrics. */
export interface RouteDeps extends AppDeps {
  metrics: HttpMetrics;
  /** Built once per app from `dashboardAuth`: the same sessions for the auth routes and the token check. */
  dashboardSessions?: DashboardSessions;
}

/** The one signature of a feature's routes: `api/app.ts` lists the factories. */
// Routers carry their own state types; the app only mounts them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RouteFactory = (deps: RouteDeps) => Router<any, any>;

/** Where the API starts flows, or TemporalUnavailableError (503) when this process has no Temporal. */
export function flowTargetOf(deps: Pick<AppDeps, 'temporal' | 'taskQueue'>): FlowTarget {
  if (!deps.temporal || !deps.taskQueue) throw new TemporalUnavailableError('Workflows are not configured for this API process.');
  return { temporal: deps.temporal, taskQueue: deps.taskQueue };
}
