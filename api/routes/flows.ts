import Router from '@koa/router';
import { z } from 'zod';
import { cancelStuckFlow, listStuckFlows, requireStuckFlow, retryStuckFlow, type StuckFlowRef } from '../../lib/flows/client';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import type { RouteDeps } from '../deps';

const stuckQueryParams = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });
// Temporal's own limit on a workflow id's length.
const flowParams = z.object({ workflowId: z.string().min(1).max(1000) });

type State = AuthState & { log: Logger };

/**
 * Stuck flows for admins (workflows/persistent-steps.ts): the guild's flows that keep retrying a step that
 * must happen, and the two ways out — retry now, or cancel (the flow's compensations run). The workflow id
 * is the client's word: the flow must carry this guild's GuildId, run, and say it is stuck.
 */
export function flowRoutes({ prisma, temporal }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/flows' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const audit = (ctx: { state: State; params: Record<string, string> }, action: string, flow: StuckFlowRef) =>
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

  router.get('/stuck', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { limit } = stuckQueryParams.parse(ctx.query);
    const flows = await listStuckFlows(temporal, guildOf(ctx), limit);
    ctx.body = { items: flows };
  });

  // Both act only on a stuck flow of this guild, and are audited with what the admin saw.
  const actions = [
    { action: 'retry', run: retryStuckFlow, audited: 'flow.retry_now' },
    { action: 'cancel', run: cancelStuckFlow, audited: 'flow.cancel' },
  ] as const;
  for (const { action, run, audited } of actions) {
    router.post(`/:workflowId/${action}`, requireGuildToken(prisma, 'admin'), async (ctx) => {
      const { workflowId } = flowParams.parse(ctx.params);
      const flow = await requireStuckFlow(temporal, guildOf(ctx), workflowId);
      await run(temporal, flow);
      await audit(ctx, audited, flow);
      ctx.status = 202;
      ctx.body = { workflowId: flow.workflowId, runId: flow.runId, action, accepted: true, stuck: flow.stuck };
    });
  }

  return router;
}
