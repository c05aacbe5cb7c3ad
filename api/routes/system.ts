import Router from '@koa/router';
import { runReadinessChecks } from '../readiness';
import type { RouteDeps } from '../deps';

/** Liveness, readiness and metrics: what operators and orchestrators poll. */
export function systemRoutes(deps: RouteDeps): Router {
  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  });

  router.get('/ready', async (ctx) => {
    const result = await runReadinessChecks(deps.readiness);
    const failing = Object.entries(result.checks).filter(([, r]) => !r.ok);
    if (result.ready) {
      ctx.body = { status: 'ready', checks: result.checks };
    } else {
      ctx.status = 503;
      ctx.body = {
        error: {
          code: 'not_ready',
          message: `Not ready: ${failing.map(([name, r]) => `${name} unreachable (${r.error})`).join('; ')}.`,
        },
        checks: result.checks,
      };
    }
  });

  router.get('/metrics', async (ctx) => {
    let text = await deps.metrics.registry.metrics();
    if (deps.extraMetrics) {
      try {
        text += '\n' + (await deps.extraMetrics());
      } catch (err) {
        deps.log.warn({ err }, 'worker metrics unavailable');
      }
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = text;
  });

  return router;
}
