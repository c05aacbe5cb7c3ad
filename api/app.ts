import type { Client } from '@temporalio/client';
import Koa from 'koa';
import type { EventHub } from '../lib/events/hub';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';
import type { SyncSettings } from '../workflows/sync';
import { errorMiddleware } from './errors';
import { createHttpMetrics } from './metrics';
import type { ReadinessCheck } from './readiness';
import { requestContext } from './request-context';
import { announcementRoutes } from './routes/announcements';
import { economyRoutes } from './routes/economy';
import { eventRoutes } from './routes/events';
import { guildRoutes } from './routes/guilds';
import { ledgerRoutes } from './routes/ledger';
import { shopRoutes } from './routes/shop';
import { verifyRoutes } from './routes/verify';
import { taskRoutes } from './routes/tasks';
import { syncRoutes } from './routes/sync';
import { systemRoutes } from './routes/system';
import { webhookRoutes } from './routes/webhooks';
import { orderRoutes } from './routes/orders';
import { paymentRoutes } from './routes/payments';
import { robloxGameRoutes } from './routes/roblox-game';
import type { CodeKeyring } from '../lib/crypto/codes';

export interface AppDeps {
  prisma: PrismaClient;
  log: Logger;
  readiness: readonly ReadinessCheck[];
  extraMetrics?: () => Promise<string>;
  /** For workflow status in responses (the shop's purchases); absent, they say UNAVAILABLE. */
  temporal?: Client;
  /** Where workflows the API starts run (the task message sync); absent, the API starts none. */
  taskQueue?: string;
  /** Midtrans's server key for the payment webhook; absent, payments are off. */
  midtransServerKey?: string;
  /** The code stock's keys, for code imports; absent, imports answer 503. */
  codes?: CodeKeyring | null;
  /** The live-events hub (lib/events/hub.ts) behind GET /events; absent, that route answers 503. */
  events?: EventHub;
  /** SSE heartbeat interval (default 15 s). */
  eventHeartbeatMs?: number;
  /** Timings of the message sync flows the API starts (default activities/sync/settings.ts). */
  syncSettings?: SyncSettings;
  /** The game API's clock for signature windows (tests move it); default the system clock. */
  gameClock?: () => Date;
}

/** The Koa app, without listening: tests drive it in-process, api/main.ts serves it. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  const metrics = createHttpMetrics();
  // Errors are answered by errorMiddleware; Koa's default handler would only print them again.
  app.silent = true;

  app.use(requestContext(deps.log, metrics));
  app.use(errorMiddleware);

  const system = systemRoutes({ readiness: deps.readiness, metrics, extraMetrics: deps.extraMetrics, log: deps.log });
  const guilds = guildRoutes(deps.prisma);
  app.use(system.routes()).use(system.allowedMethods());
  app.use(guilds.routes()).use(guilds.allowedMethods());
  const economy = economyRoutes(deps.prisma);
  app.use(economy.routes()).use(economy.allowedMethods());
  const ledger = ledgerRoutes(deps.prisma);
  app.use(ledger.routes()).use(ledger.allowedMethods());
  const shop = shopRoutes(deps.prisma, deps.temporal, { taskQueue: deps.taskQueue, syncSettings: deps.syncSettings });
  app.use(shop.routes()).use(shop.allowedMethods());
  const verify = verifyRoutes(deps.prisma, deps.temporal, deps.taskQueue);
  app.use(verify.routes()).use(verify.allowedMethods());
  const tasks = taskRoutes(deps.prisma, deps.temporal, deps.taskQueue);
  app.use(tasks.routes()).use(tasks.allowedMethods());
  const events = eventRoutes(deps.prisma, deps.events, { heartbeatMs: deps.eventHeartbeatMs });
  app.use(events.routes()).use(events.allowedMethods());
  const announcements = announcementRoutes(deps.prisma, deps.temporal, { taskQueue: deps.taskQueue, syncSettings: deps.syncSettings });
  app.use(announcements.routes()).use(announcements.allowedMethods());
  const sync = syncRoutes(deps.prisma, deps.temporal, { taskQueue: deps.taskQueue, syncSettings: deps.syncSettings });
  app.use(sync.routes()).use(sync.allowedMethods());
  const webhooks = webhookRoutes({ prisma: deps.prisma, log: deps.log, temporal: deps.temporal, midtransServerKey: deps.midtransServerKey });
  app.use(webhooks.routes()).use(webhooks.allowedMethods());
  const payments = paymentRoutes(deps.prisma, deps.temporal);
  app.use(payments.routes()).use(payments.allowedMethods());
  const orders = orderRoutes(deps.prisma, deps.temporal, deps.codes);
  app.use(orders.routes()).use(orders.allowedMethods());
  const robloxGame = robloxGameRoutes({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue, codes: deps.codes, now: deps.gameClock });
  app.use(robloxGame.routes()).use(robloxGame.allowedMethods());
  return app;
}
