import type Router from '@koa/router';
import { z } from 'zod';
import { cancelStuckFlow, countRunningFlows, listStuckFlows, requireStuckFlow, retryStuckFlow, type StuckFlowRef } from '../../lib/flows/client';
import { FLOW_KINDS } from '../../lib/flows/kinds';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { isoDate } from '../openapi/schemas';

const stuckQueryParams = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });
// Temporal's own limit on a workflow id's length.
const flowParams = z.object({ workflowId: z.string().min(1).max(1000) });

const stuckStep = z.object({ step: z.string(), since: z.string(), failure: z.string(), rounds: z.number().int() });
/** lib/flows/client.ts StuckFlowSummary as the wire carries it. */
const stuckFlow = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    kind: z.string().nullable(),
    status: z.string(),
    startTime: isoDate,
    step: z.string().meta({ description: 'The step, as the FlowStuck search attribute names it.' }),
    stuck: stuckStep.nullable().meta({ description: 'The flow’s own answer; null when it did not answer in time (its worker away).' }),
  })
  .meta({ id: 'StuckFlow' });
/** Null when the API knows no Temporal UI (TEMPORAL_UI_URL). */
const uiLink = z.url().nullable().meta({ description: 'The Temporal UI’s list of these flows (TEMPORAL_UI_URL); null when none is configured.' });
const openFlows = z
  .object({
    total: z.number().int().meta({ description: 'Every running flow of the guild.' }),
    link: uiLink,
    items: z.array(z.object({ kind: z.string(), count: z.number().int().min(1), link: uiLink }).meta({ id: 'OpenFlowKind' })).meta({ description: 'Per FlowKind, kinds with none left out, most first.' }),
  })
  .meta({ id: 'OpenFlows' });
const TAG = 'flows';

/**
 * For mods, the guild's running flows per kind, each with the Temporal UI's list of them. For admins, stuck
 * flows (workflows/persistent-steps.ts): the guild's flows that keep retrying a step that must happen, and
 * the two ways out — retry now, or cancel (the flow's compensations run). The workflow id is the client's
 * word: the flow must carry this guild's GuildId, run, and say it is stuck.
 */
export function flowRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, temporalUiUrl } = deps;
  const uiLinkOf = (namespace: string, query: string) => (temporalUiUrl ? `${temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}` : null);
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
      path: '/open',
      summary: "The guild's running flows, in all and per kind, with links to them in the Temporal UI.",
      description: 'Counted from Temporal’s visibility store, which trails starts and ends by a moment.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'Running flows.', schema: openFlows } },
      handler: async (ctx) => {
        const counts = await countRunningFlows(temporal, guildOf(ctx), FLOW_KINDS);
        const link = (query: string) => uiLinkOf(counts.namespace, query);
        ctx.body = {
          total: counts.total.count,
          link: link(counts.total.query),
          items: counts.kinds.sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)).map((k) => ({ kind: k.kind, count: k.count, link: link(k.query) })),
        };
      },
    }),
    route({
      method: 'get',
      path: '/stuck',
      summary: "The guild's flows that keep retrying a step that must happen.",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      query: stuckQueryParams,
      responses: { 200: { description: 'Stuck flows.', schema: z.object({ items: z.array(stuckFlow) }) } },
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
