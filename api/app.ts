import { cardTradeRoutes } from './routes/card-trades';
import type { AppDeps, RouteDeps, RouteFactory } from './deps';
import Koa from 'koa';
import { provideGuildDirectory, provideDashboardSessions } from './auth';
import { createDashboardSessions } from './dashboard-auth/runtime';
import { dashboardAuthRoutes } from './dashboard-auth/routes';
import { errorMiddleware } from './errors';
import { featureSwitches } from './feature-switches';
import { createHttpMetrics } from './metrics';
import { requestContext } from './request-context';
import { securityHeaders } from './web/security-headers';
import { serveDashboard } from './web/static';
import { announcementRoutes } from './routes/announcements';
import { cardRoutes } from './routes/cards';
import { economyRoutes } from './routes/economy';
import { eventRoutes } from './routes/events';
import { flowRoutes } from './routes/flows';
import { grantRoutes } from './routes/grants';
import { guildRoutes } from './routes/guilds';
import { ledgerRoutes } from './routes/ledger';
import { shopRoutes } from './routes/shop';
import { verifyRoutes } from './routes/verify';
import { taskRoutes } from './routes/tasks';
import { syncRoutes } from './routes/sync';
import { systemRoutes } from './routes/system';
import { cardSettingsRoutes } from './routes/card-settings';
import { cardPayRoutes } from './routes/card-pay';
import { stripeWebhookRoutes } from './routes/stripe-webhooks';
import { webhookRoutes } from './routes/webhooks';
import { orderRoutes } from './routes/orders';
import { padRoutes } from './routes/pads';
import { ticketRoutes } from './routes/tickets';
import { paymentRoutes } from './routes/payments';
import { embedRoutes } from './routes/embeds';
import { robloxGameRoutes } from './routes/roblox-game';
import { botStatusRoutes } from './routes/bot-status';
import { discordDirectoryRoutes } from './routes/discord-directory';
import { featureRoutes } from './routes/features';
import { memberRoutes } from './routes/members';
import { openApiRoutes } from './routes/openapi';

/** Every feature's routes, mounted in this order. */
const ROUTES: readonly RouteFactory[] = [
  systemRoutes,
  dashboardAuthRoutes,
  guildRoutes,
  grantRoutes,
  economyRoutes,
  ledgerRoutes,
  shopRoutes,
  verifyRoutes,
  taskRoutes,
  eventRoutes,
  announcementRoutes,
  syncRoutes,
  webhookRoutes,
  paymentRoutes,
  orderRoutes,
  robloxGameRoutes,
  flowRoutes,
  embedRoutes,
  padRoutes,
  ticketRoutes,
  discordDirectoryRoutes,
  memberRoutes,
  botStatusRoutes,
  featureRoutes,
  cardTradeRoutes,
  cardRoutes,
  stripeWebhookRoutes,
  cardSettingsRoutes,
  cardPayRoutes,
  openApiRoutes,
];

/** The Koa app, without listening: tests drive it in-process, api/main.ts serves it. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  const metrics = createHttpMetrics();
  // Errors are answered by errorMiddleware; Koa's default handler would only print them again.
  app.silent = true;

  app.use(securityHeaders);
  app.use(requestContext(deps.log, metrics));
  app.use(errorMiddleware);
  app.use(serveDashboard(deps.webRoot));
  app.use(provideGuildDirectory(deps.guildDirectory));
  const dashboardSessions = deps.dashboardAuth && createDashboardSessions(deps.prisma, deps.dashboardAuth);
  app.use(provideDashboardSessions(dashboardSessions));
  app.use(featureSwitches(deps.prisma));

  const routeDeps: RouteDeps = { ...deps, metrics, dashboardSessions };
  for (const factory of ROUTES) {
    const router = factory(routeDeps);
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
