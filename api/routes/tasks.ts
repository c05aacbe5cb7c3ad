import Router from '@koa/router';
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
  taskPatchSchema,
  taskSettingsSchema,
  updateTaskSettings,
} from '../../activities/tasks';
import { announceTask } from '../../activities/announcements';
import type { AuditActor } from '../../activities/shop';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { readFlowStatus } from '../../lib/flows/client';
import { taskClaimStatusQuery } from '../../lib/flows/tasks';
import { cancelClaims, requestTaskMessageSync, sendDecision, sendRevoke } from '../../lib/flows/tasks.client';
import type { Logger } from '../../lib/logger';
import type { Prisma, PrismaClient, TaskClaim } from '../../prisma/client';
import { requireGuildToken, tokenActor, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { flowTargetOf, type RouteDeps } from '../deps';
import { afterCursor, decodeKeyCursor, encodeKeyCursor, pageOf } from '../pagination';

const taskParams = z.object({ taskId: z.coerce.number().int().min(1).max(2_147_483_647) });
const claimParams = taskParams.extend({ userId: snowflake });
const tasksQuery = z.object({
  category: z.string().max(50).optional(),
  status: z.enum(['open', 'all', 'proposed']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
  /** Deprecated: rows to skip; use `cursor`/`nextCursor` (a cursor wins over an offset). */
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

const announceBody = z.object({ channelId: snowflake, id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id: letters, digits, - and _ (at most 64)').optional() }).strict();

type State = AuthState & { log: Logger };

/**
 * Tasks for the dashboard: tasks CRUD (mods read, admins write; audited; the task's post follows), task
 * settings, claims with filters, one claim with its workflow status, the review decision and the revoke
 * (the same validated workflow updates as the Accept / Reject / Revoke buttons), and statistics. A task's
 * card can be announced in a channel (an announcement, sent through its flow).
 */
export function taskRoutes({ prisma, temporal, taskQueue, guildDirectory, syncSettings }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/tasks' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const actorOf = (ctx: { state: State }): AuditActor => tokenAuditActor(ctx.state.auth);
  const needTemporal = () => flowTargetOf({ temporal, taskQueue }).temporal;
  // An API without Temporal still edits tasks; their posts catch up with the next change.
  const syncMessage = async (guildId: string, taskId: number) => {
    if (temporal && taskQueue) await requestTaskMessageSync({ temporal, taskQueue }, guildId, taskId);
  };

  // Invalid input is refused by the service itself; only a well-formed role id needs checking first.
  const requireRewardRole = (guildId: string, body: unknown) => requireInGuild(guildDirectory, guildId, { roles: { roleId: taskPatchSchema.safeParse(body).data?.roleId } });

  router.get('/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = await getTaskSettings(prisma, guildOf(ctx));
  });
  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const body = await readJsonBody(ctx);
    const channels = taskSettingsSchema.safeParse(body).data;
    await requireInGuild(guildDirectory, guildOf(ctx), { channels: { taskChannelId: channels?.taskChannelId, reviewChannelId: channels?.reviewChannelId } });
    ctx.body = await updateTaskSettings(prisma, guildOf(ctx), body, actorOf(ctx));
  });

  router.get('/stats', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = statsQuery.parse(ctx.query);
    ctx.body = await taskStats(prisma, guildOf(ctx), q.taskId);
  });

  router.get('/claims', requireGuildToken(prisma, 'mod', 'review_tasks'), async (ctx) => {
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
    const { items, total, nextAfterId } = await listTasks(prisma, guildOf(ctx), { ...q, afterId: q.cursor ? taskIdOfCursor(q.cursor) : undefined });
    ctx.body = { items: items.map(taskToJson), total, nextCursor: nextAfterId === null ? null : encodeKeyCursor([nextAfterId]) };
  });

  router.post('/', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const guildId = guildOf(ctx);
    const body = await readJsonBody(ctx);
    await requireRewardRole(guildId, body);
    const task = await createTask(prisma, guildId, body, { ...actorOf(ctx), createdBy: actorOf(ctx).actorId });
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
    const body = await readJsonBody(ctx);
    await requireRewardRole(guildId, body);
    const task = await editTask(prisma, guildId, taskId, body, actorOf(ctx));
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

  router.post('/:taskId/announce', requireGuildToken(prisma, 'admin', 'manage_announcements'), async (ctx) => {
    const { taskId } = taskParams.parse(ctx.params);
    const guildId = guildOf(ctx);
    const { channelId, id } = announceBody.parse(await readJsonBody(ctx));
    const target = flowTargetOf({ temporal, taskQueue });
    await requireInGuild(guildDirectory, guildId, { channels: { channelId } });
    const a = await announceTask({ prisma, ...target, syncSettings }, guildId, taskId, { id: id ?? `api-${crypto.randomUUID()}`, channelId, actor: actorOf(ctx), draft: false });
    ctx.status = 201;
    ctx.body = { ...a };
  });

  router.get('/:taskId/claims/:userId', requireGuildToken(prisma, 'mod', 'review_tasks'), async (ctx) => {
    const { taskId, userId } = claimParams.parse(ctx.params);
    const claim = await prisma.taskClaim.findFirst({ where: { taskId, userId, guildId: guildOf(ctx) } });
    if (!claim) throw new NotFoundError(`Member ${userId} has no claim of task ${taskId}.`);
    ctx.body = { ...claimToJson(claim), workflow: await readFlowStatus(temporal, claim.id, taskClaimStatusQuery) };
  });

  router.post('/:taskId/claims/:userId/review', requireGuildToken(prisma, 'admin', 'review_tasks'), async (ctx) => {
    const { taskId, userId } = claimParams.parse(ctx.params);
    const body = reviewBody.parse(await readJsonBody(ctx));
    await claimOf(prisma, guildOf(ctx), taskId, userId);
    const reviewerId = reviewerOf(ctx.state, userId, 'You cannot review your own proof');
    const result = await sendDecision(needTemporal(), taskId, userId, {
      guildId: guildOf(ctx),
      decision: body.decision,
      reviewerId,
      reviewerLevel: ctx.state.auth.level,
      reviewerGrants: ctx.state.grants,
      reason: body.reason ?? null,
    });
    ctx.status = result.ok ? 200 : 409;
    ctx.body = result;
  });

  router.post('/:taskId/claims/:userId/revoke', requireGuildToken(prisma, 'admin', 'review_tasks'), async (ctx) => {
    const { taskId, userId } = claimParams.parse(ctx.params);
    const body = revokeBody.parse(await readJsonBody(ctx));
    await claimOf(prisma, guildOf(ctx), taskId, userId);
    const reviewerId = reviewerOf(ctx.state, userId, 'You cannot revoke your own award');
    const result = await sendRevoke(needTemporal(), taskId, userId, { guildId: guildOf(ctx), reviewerId, reviewerLevel: ctx.state.auth.level, reviewerGrants: ctx.state.grants, reason: body.reason });
    ctx.status = result.ok ? 200 : 409;
    ctx.body = result;
  });

  return router;
}

/**
 * The reviewer a decision records, written as the workflow expects (a Discord user id, or `token:<id>`
 * for the operator's tokens): a token acts for its person, so nobody reviews their own claim through
 * one. The workflow's validator refuses it too; here it is a 403 before anything is sent.
 */
function reviewerOf(state: AuthState, claimantId: string, refusal: string): string {
  const actor = tokenActor(state.auth);
  if (actor.type !== 'user') return `token:${actor.id}`;
  if (actor.id === claimantId) throw new ForbiddenError(`${refusal}: this token acts for member ${actor.id}, whose claim it is.`);
  return actor.id;
}

async function claimOf(prisma: PrismaClient, guildId: string, taskId: number, userId: string): Promise<TaskClaim> {
  const claim = await prisma.taskClaim.findFirst({ where: { taskId, userId, guildId } });
  if (!claim) throw new NotFoundError(`Member ${userId} has no claim of task ${taskId}.`);
  return claim;
}

function taskIdOfCursor(cursor: string): number {
  const id = Number(decodeKeyCursor(cursor, 1)[0]);
  if (!Number.isInteger(id) || id < 1) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return id;
}
