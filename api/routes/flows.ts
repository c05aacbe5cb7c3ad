import type Router from '@koa/router';
import { z } from 'zod';
import { cancelStuckFlow, listStuckFlows, requireStuckFlow, retryStuckFlow, type StuckFlowRef } from '../../lib/flows/client';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';

const stuckQueryParams = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });
// Temporal's own limit on a workflow id's length.
const flowParams = z.object({ workflowId: z.string().min(1).max(1000) });

const stuckStep = z.object({ step: z.string(), since: z.string(), failure: z.string(), rounds: z.number().int() });
const TAG = 'flows';

/**
 * Stuck flows for admins (workflows/persistent-steps.ts): the guild's flows that keep retrying a step that
 * must happen, and the two ways out — retry now, or cancel (the flow's compensations run). The workflow id
 * is the client's word: the flow must carry this guild's GuildId, run, and say it is stuck.
 */
export function flowRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const audit = (ctx: RouteContext, action: string, flow: StuckFlowRef) =>
    prisma.auditEvent.create({
      data: {
        guildId: guildOf(ctx),
        ...tokenAuditActor(ctx.state.auth),
        action,
        targetType: 'flow',
        targetId: flow.workflowId,
        data: { runId: flow.runId, kind: flow.kind, step: flow.stuck.step, since: flow.stuck.since, rounds: flow.stuck.rounds, failure: flow.stuck.failure },
      },
    });

  // Both act only on a stuck flow of this guild, and are audited with what the admin saw.
  const actions = [
    { action: 'retry', run: retryStuckFlow, audited: 'flow.retry_now', summary: 'Retries a stuck flow’s step now.' },
    { action: 'cancel', run: cancelStuckFlow, audited: 'flow.cancel', summary: 'Cancels a stuck flow (its compensations run).' },
  ] as const;
  return routerOf('/api/guilds/:guildId/flows', deps, [
    route({
      method: 'get',
      path: '/stuck',
      summary: "The guild's flows that keep retrying a step that must happen.",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      query: stuckQueryParams,
      responses: { 200: { description: 'Stuck flows.', schema: z.object({ items: z.array(z.looseObject({ workflowId: z.string(), runId: z.string(), kind: z.string().nullable() })) }) } },
      handler: async (ctx, { query: { limit } }) => {
        ctx.body = { items: await listStuckFlows(temporal, guildOf(ctx), limit) };
      },
    }),
    ...actions.map(({ action, run, audited, summary }) =>
      route({
        method: 'post',
        path: `/:workflowId/${action}`,
        summary,
        tag: TAG,
        access: { kind: 'guild', level: 'admin' },
        params: flowParams,
        responses: { 202: { description: 'Accepted.', schema: z.object({ workflowId: z.string(), runId: z.string(), action: z.literal(action), accepted: z.literal(true), stuck: stuckStep }) } },
        handler: async (ctx, { params: { workflowId } }) => {
          const flow = await requireStuckFlow(temporal, guildOf(ctx), workflowId);
          await run(temporal, flow);
          await audit(ctx, audited, flow);
          ctx.status = 202;
          ctx.body = { workflowId: flow.workflowId, runId: flow.runId, action, accepted: true, stuck: flow.stuck };
        },
      }),
    ),
  ]);
}
