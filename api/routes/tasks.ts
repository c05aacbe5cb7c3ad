import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import {
  claimToJson,
  createTask,
  deleteTask,
  editTask,
  getTaskSettings,
  listTasks,
  taskStats,
  taskToJson,
  updateTaskSettings,
} from '../../activities/tasks';
import { cancelClaims, requestTaskMessageSync, sendDecision, sendRevoke } from '../../activities/tasks/client';
import type { AuditActor } from '../../activities/shop';
import { AppError, NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { Prisma, PrismaClient, TaskClaim } from '../../prisma/client';
import { taskClaimStatusQuery, type TaskClaimState } from '../../workflows/task';
import { afterCursor, pageOf } from '../pagination';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

const taskParams = z.object({ taskId: z.coerce.number().int().min(1).max(2_147_483_647) });
const claimParams = taskParams.extend({ userId: snowflake });
const tasksQuery = z.object({
  category: z.string().max(50).optional(),
  status: z.enum(['open', 'all', 'proposed']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const CLAIM_STATUSES = ['claimed', 'submitted', 'completed', 'expired', 'abandoned', 'cancelled', 'revoked'] as const;
const claimsQuery = z.object({
  status: z.enum(CLAIM_STATUSES).optional(),
  taskId: z.coerce.number().int().min(1).optional(),
  userId: snowflake.optional(),
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const reviewBody = z
  .object({ decision: z.enum(['accept', 'reject']), reason: z.string().trim().min(1).max(1000).optional() })
  .strict()
  .refine((b) => b.decision === 'accept' || b.reason, { message: 'A rejection needs a reason.', path: ['reason'] });
const revokeBody = z.object({ reason: z.string().trim().min(1, 'A revoke needs a reason.').max(1000) }).strict();
const statsQuery = z.object({ taskId: z.coerce.number().int().min(1).optional() });

type State = AuthState & { log: Logger };

/**
 * Tasks for the dashboard: tasks CRUD (mods read, admins write; audited; the task's post follows), task
 * settings, claims with filters, one claim with its workflow status, the review decision and the revoke
 * (the same validated workflow updates as the Accept / Reject / Revoke buttons), and statistics.
 */
export function taskRoutes({ prisma, temporal, taskQueue }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/tasks' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const actorOf = (ctx: { state: State }): AuditActor => ({ actorType: 'api_token', actorId: `token:${ctx.state.auth.tokenId}` });
  const needTemporal = (): Client => {
    if (!temporal) throw new AppError('temporal_unavailable', 'The API has no Temporal connection: claims cannot be changed from here now.', 503);
    return temporal;
  };
  const syncMessage = async (guildId: string, taskId: number) => {
    if (temporal && taskQueue) await requestTaskMessageSync(temporal, taskQueue, guildId, taskId);
  };

  router.get('/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = await getTaskSettings(prisma, guildOf(ctx));
  });
  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    ctx.body = await updateTaskSettings(prisma, guildOf(ctx), await readJsonBody(ctx), actorOf(ctx));
  });

  router.get('/stats', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = statsQuery.parse(ctx.query);
    ctx.body = await taskStats(prisma, guildOf(ctx), q.taskId);
  });

  router.get('/claims', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = claimsQuery.parse(ctx.query);
    const where: Prisma.TaskClaimWhereInput = {
      guildId: guildOf(ctx),
      ...(q.status ? { status: q.status } : {}),
      ...(q.taskId ? { taskId: q.taskId } : {}),
      ...(q.userId ? { userId: q.userId } : {}),
      ...(q.since || q.until ? { createdAt: { ...(q.since ? { gte: q.since } : {}), ...(q.until ? { lt: q.until } : {}) } } : {}),
      ...afterCursor(q.cursor),
    };
    const rows = await prisma.taskClaim.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    ctx.body = pageOf(rows, q.limit, claimToJson);
  });

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = tasksQuery.parse(ctx.query);
    const { items, total } = await listTasks(prisma, guildOf(ctx), q);
    ctx.body = { items: items.map(taskToJson), total };
  });

  router.post('/', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const guildId = guildOf(ctx);
    const task = await createTask(prisma, guildId, await readJsonBody(ctx), { ...actorOf(ctx), createdBy: `token:${ctx.state.auth.tokenId}` });
    await syncMessage(guildId, task.id);
    ctx.status = 201;
    ctx.body = taskToJson(task);
  });

  router.get('/:taskId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { taskId } = taskParams.parse(ctx.params);
    const task = await prisma.task.findFirst({ where: { id: taskId, guildId: guildOf(ctx) } });
    if (!task) throw new NotFoundError(`There is no task ${taskId} in this guild.`);
    ctx.body = taskToJson(task);
  });

  router.patch('/:taskId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { taskId } = taskParams.parse(ctx.params);
    const guildId = guildOf(ctx);
    const task = await editTask(prisma, guildId, taskId, await readJsonBody(ctx), actorOf(ctx));
    await syncMessage(guildId, task.id);
    ctx.body = taskToJson(task);
  });

  router.delete('/:taskId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { taskId } = taskParams.parse(ctx.params);
    const guildId = guildOf(ctx);
    const { openClaimIds } = await deleteTask(prisma, guildId, taskId, actorOf(ctx));
    const cancelled = temporal ? await cancelClaims(temporal, openClaimIds, 'The task was removed.') : 0;
    await syncMessage(guildId, taskId);
    ctx.body = { deleted: true, openClaims: openClaimIds.length, cancelled };
  });

  router.get('/:taskId/claims/:userId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { taskId, userId } = claimParams.parse(ctx.params);
    const claim = await prisma.taskClaim.findFirst({ where: { taskId, userId, guildId: guildOf(ctx) } });
    if (!claim) throw new NotFoundError(`Member ${userId} has no claim of task ${taskId}.`);
    ctx.body = { ...claimToJson(claim), workflow: await workflowStatus(temporal, claim.id, ctx.state.log) };
  });

  router.post('/:taskId/claims/:userId/review', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { taskId, userId } = claimParams.parse(ctx.params);
    const body = reviewBody.parse(await readJsonBody(ctx));
    await claimOf(prisma, guildOf(ctx), taskId, userId);
    const result = await sendDecision(needTemporal(), taskId, userId, {
      decision: body.decision,
      reviewerId: `token:${ctx.state.auth.tokenId}`,
      reviewerLevel: ctx.state.auth.level,
      reason: body.reason ?? null,
    });
    ctx.status = result.ok ? 200 : 409;
    ctx.body = result;
  });

  router.post('/:taskId/claims/:userId/revoke', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { taskId, userId } = claimParams.parse(ctx.params);
    const body = revokeBody.parse(await readJsonBody(ctx));
    await claimOf(prisma, guildOf(ctx), taskId, userId);
    const result = await sendRevoke(needTemporal(), taskId, userId, { reviewerId: `token:${ctx.state.auth.tokenId}`, reviewerLevel: ctx.state.auth.level, reason: body.reason });
    ctx.status = result.ok ? 200 : 409;
    ctx.body = result;
  });

  return router;
}

async function claimOf(prisma: PrismaClient, guildId: string, taskId: number, userId: string): Promise<TaskClaim> {
  const claim = await prisma.taskClaim.findFirst({ where: { taskId, userId, guildId } });
  if (!claim) throw new NotFoundError(`Member ${userId} has no claim of task ${taskId}.`);
  return claim;
}

/** The claim's Temporal status, and its own `status` query while it runs. */
async function workflowStatus(temporal: Client | undefined, workflowId: string, log: Logger) {
  if (!temporal) return { workflowId, status: 'UNAVAILABLE' as const };
  const handle = temporal.workflow.getHandle(workflowId);
  try {
    const d = await handle.describe();
    let state: TaskClaimState | null = null;
    if (d.status.name === 'RUNNING') {
      state = await temporal.withDeadline(Date.now() + 3000, () => handle.query(taskClaimStatusQuery)).catch((err: unknown) => {
        log.warn({ err, workflowId }, 'task claim status query failed');
        return null;
      });
    }
    return { workflowId, status: d.status.name, startTime: d.startTime, closeTime: d.closeTime ?? null, state };
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return { workflowId, status: 'NOT_FOUND' as const };
    throw err;
  }
}
