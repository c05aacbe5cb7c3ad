import Router from '@koa/router';
import { runReadinessChecks, type ReadinessCheck } from '../readiness';
import type { HttpMetrics } from '../metrics';

export interface SystemRouteDeps {
  readiness: readonly ReadinessCheck[];
  metrics: HttpMetrics;
  /** Extra Prometheus text appended to /metrics (the Temporal worker's metrics when it runs beside us). */
  extraMetrics?: () => Promise<string>;
  log: { warn(obj: object, msg: string): void };
}

/** Liveness, readiness and metrics: what operators and orchestrators poll. */
export function systemRoutes(deps: SystemRouteDeps): Router {
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
