import type { Server } from 'node:http';
import { Client, type Connection } from '@temporalio/client';
import type { Config } from '../lib/config';
import { keyringFromConfig } from '../lib/crypto';
import { createGuildDirectory } from '../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../lib/discord/rest';
import { startLeaderboardRelay } from '../activities/sync/relay';
import { EventHub } from '../lib/events/hub';
import type { Logger } from '../lib/logger';
import { mailFromConfig } from '../lib/mail';
import { escrowFromConfig } from '../lib/payments';
import { pingTemporal } from '../lib/temporal';
import type { PrismaClient } from '../prisma/client';
import { createScryfallClient } from '../lib/scryfall/client';
import { createApp } from './app';
import { dashboardAuthFromConfig } from './dashboard-auth/settings';
import { scrapeText } from './metrics';

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

/** Serves the API on HOST:PORT; readiness covers the database and the Temporal namespace. */
export async function startApiServer(opts: {
  config: Config;
  prisma: PrismaClient;
  temporal: Connection;
  log: Logger;
  /** Where the in-process worker's metrics are, when it runs beside the API. */
  workerMetricsUrl?: string;
  /** The database for the live-events hub's LISTEN connection; absent, GET /events answers 503. */
  databaseUrl?: string;
}): Promise<RunningApi> {
  const log = opts.log.child({ component: 'api' });
  const events = opts.databaseUrl ? await startEventHub(opts.databaseUrl, log) : undefined;
  const temporal = new Client({ connection: opts.temporal, namespace: opts.config.TEMPORAL_NAMESPACE });
  // Ledger changes wake the guild's leaderboard panel (message sync).
  const stopRelay = events ? startLeaderboardRelay({ hub: events, prisma: opts.prisma, temporal, taskQueue: opts.config.TEMPORAL_TASK_QUEUE, log }) : undefined;
  const codes = keyringFromConfig(opts.config);
  // The bot's token only reads here: which channels, roles and members belong to a guild.
  const discord = createDiscordRest(opts.config);
  if (!discord) log.info('DISCORD_TOKEN is not set: API requests that name channels, roles or members answer 503.');
  const dashboardAuth = dashboardAuthFromConfig(opts.config);
  if (!dashboardAuth.discord) log.info('Dashboard login is off: set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET (see .env.example) to turn on /api/auth/login.');
  else if (!opts.config.DASHBOARD_SESSION_SECRET) log.info('DASHBOARD_SESSION_SECRET is not set: this API process signs dashboard sessions with a key of its own; logins end when it restarts.');
  const app = createApp({
    dashboardAuth,
    guildDirectory: discord ? createGuildDirectory(discord) : undefined,
    events,
    prisma: opts.prisma,
    log,
    readiness: [
      { name: 'database', check: () => opts.prisma.$queryRaw`SELECT 1` },
      { name: 'temporal', check: () => pingTemporal(opts.temporal, opts.config.TEMPORAL_NAMESPACE) },
    ],
    extraMetrics: opts.workerMetricsUrl ? scrapeText(opts.workerMetricsUrl) : undefined,
    temporal,
    taskQueue: opts.config.TEMPORAL_TASK_QUEUE,
    temporalUiUrl: opts.config.TEMPORAL_UI_URL,
    midtransServerKey: opts.config.MIDTRANS_SERVER_KEY,
    stripeWebhookSecret: opts.config.STRIPE_WEBHOOK_SECRET,
    escrow: escrowFromConfig(opts.config),
    mail: mailFromConfig(opts.config, log),
    codes,
    scryfall: createScryfallClient({ baseUrl: opts.config.SCRYFALL_API_URL }),
    cardAlertCollectSeconds: opts.config.CARD_ALERT_COLLECT_SECONDS,
    metricsToken: opts.config.METRICS_TOKEN,
    gameRateLimit: { perSecond: opts.config.GAME_API_RATE_PER_SECOND, burst: opts.config.GAME_API_RATE_BURST },
    eventStreamLimits: {
      perProcess: opts.config.SSE_MAX_STREAMS,
      perGuild: opts.config.SSE_MAX_STREAMS_PER_GUILD,
      perToken: opts.config.SSE_MAX_STREAMS_PER_TOKEN,
      maxBufferedBytes: opts.config.SSE_MAX_BUFFERED_BYTES,
    },
  });
  if (!opts.config.METRICS_TOKEN && opts.config.NODE_ENV === 'production') {
    log.warn('/metrics answers anyone who reaches the API port: set METRICS_TOKEN, or keep the port private');
  }
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.config.PORT, opts.config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const shownHost = opts.config.HOST === '0.0.0.0' ? '127.0.0.1' : opts.config.HOST;
  const url = `http://${shownHost}:${opts.config.PORT}`;
  log.info({ url, features: { payments: !!opts.config.MIDTRANS_SERVER_KEY, codeShop: !!codes } }, 'API listening');
  return {
    url,
    // Live-event streams never go idle: the hub ends them first, then the server can close.
    stop: async () => {
      stopRelay?.();
      closeDiscordRest(discord);
      await events?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

/** The live-events hub; a database without LISTEN (or unreachable) leaves the API up without live events. */
async function startEventHub(databaseUrl: string, log: Logger): Promise<EventHub | undefined> {
  const hub = new EventHub({ databaseUrl, log });
  try {
    await hub.start();
    return hub;
  } catch (err) {
    log.warn({ err }, 'live events are off: the event hub could not start');
    await hub.stop();
    return undefined;
  }
}
