import type { Client } from '@temporalio/client';
import Koa from 'koa';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';
import { errorMiddleware } from './errors';
import { createHttpMetrics } from './metrics';
import type { ReadinessCheck } from './readiness';
import { requestContext } from './request-context';
import { economyRoutes } from './routes/economy';
import { guildRoutes } from './routes/guilds';
import { ledgerRoutes } from './routes/ledger';
import { shopRoutes } from './routes/shop';
import { verifyRoutes } from './routes/verify';
import { taskRoutes } from './routes/tasks';
import { systemRoutes } from './routes/system';
import { webhookRoutes } from './routes/webhooks';

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
  const shop = shopRoutes(deps.prisma, deps.temporal);
  app.use(shop.routes()).use(shop.allowedMethods());
  const verify = verifyRoutes(deps.prisma, deps.temporal, deps.taskQueue);
  app.use(verify.routes()).use(verify.allowedMethods());
  const tasks = taskRoutes(deps.prisma, deps.temporal, deps.taskQueue);
  app.use(tasks.routes()).use(tasks.allowedMethods());
  const webhooks = webhookRoutes({ prisma: deps.prisma, log: deps.log, temporal: deps.temporal, midtransServerKey: deps.midtransServerKey });
  app.use(webhooks.routes()).use(webhooks.allowedMethods());
  return app;
}
