import { createHash, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { UnauthorizedError } from '../../lib/errors';
import { runReadinessChecks } from '../readiness';
import { z } from 'zod';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';
import { errorBody } from '../openapi/schemas';

/**
 * Liveness, readiness and metrics: what operators and orchestrators poll. They answer whoever reaches the
 * port, so /ready says which dependency is down but not why (the reason goes to the log: a database
 * error names hosts and users), and /metrics asks for METRICS_TOKEN when one is set.
 */
const readinessChecks = z.record(z.string(), z.object({ ok: z.boolean(), error: z.literal('unavailable').optional(), ms: z.number() }));

export function systemRoutes(deps: RouteDeps): Router<RouteState> {
  return routerOf(undefined, deps, [
    route({
      method: 'get',
      path: '/health',
      summary: 'Liveness: the process answers.',
      tag: 'system',
      access: { kind: 'public' },
      responses: { 200: { description: 'Alive.', schema: z.object({ status: z.literal('ok'), uptimeSeconds: z.number().int() }) } },
      handler: (ctx) => {
        ctx.body = { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
      },
    }),
    route({
      method: 'get',
      path: '/ready',
      summary: 'Readiness: every dependency answers (which one is down, not why).',
      tag: 'system',
      access: { kind: 'public' },
      responses: {
        200: { description: 'Ready.', schema: z.object({ status: z.literal('ready'), checks: readinessChecks }) },
        503: { description: 'A dependency is down.', schema: errorBody.extend({ checks: readinessChecks }) },
      },
      handler: async (ctx) => {
        const result = await runReadinessChecks(deps.readiness);
        const checks = Object.fromEntries(Object.entries(result.checks).map(([name, r]) => [name, r.ok ? { ok: true, ms: r.ms } : { ok: false, error: 'unavailable', ms: r.ms }]));
        if (result.ready) {
          ctx.body = { status: 'ready', checks };
          return;
        }
        const failing = Object.entries(result.checks).filter(([, r]) => !r.ok);
        for (const [name, r] of failing) deps.log.warn({ check: name, reason: r.error, ms: r.ms }, 'readiness check failed');
        ctx.status = 503;
        ctx.body = {
          error: { code: 'not_ready', message: `Not ready: ${failing.map(([name]) => `${name} unavailable`).join('; ')}.` },
          checks,
        };
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of this process (and the workers, when reachable).',
      tag: 'system',
      access: { kind: 'metrics' },
      before: [requireMetricsToken(deps.metricsToken)],
      responses: { 200: { description: 'Prometheus text exposition.', contentType: 'text/plain', schema: z.string() } },
      handler: async (ctx) => {
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
      },
    }),
  ]);
}

/** `Authorization: Bearer <METRICS_TOKEN>` (Prometheus's `authorization` / `bearer_token`); no token set, no check. */
function requireMetricsToken(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      // Compared as digests: equal lengths, and the time taken says nothing about the token.
      if (!given || !timingSafeEqual(digest(given), expected)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new UnauthorizedError('/metrics needs the metrics token (Authorization: Bearer <METRICS_TOKEN>).');
      }
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
