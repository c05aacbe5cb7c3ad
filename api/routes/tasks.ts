import type Router from '@koa/router';
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
  taskSettingsSchema,
  updateTaskSettings,
} from '../../activities/tasks';
import { announceTask } from '../../activities/announcements';
import { claimReviewSchema, claimRevokeSchema, taskAnnounceSchema, taskCreateSchema, taskPatchSchema } from '../../lib/requests/tasks';
import type { AuditActor } from '../../activities/shop';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { readFlowStatus } from '../../lib/flows/client';
import { taskClaimStatusQuery } from '../../lib/flows/tasks';
import { cancelClaims, requestTaskMessageSync, sendDecision, sendRevoke } from '../../lib/flows/tasks.client';
import type { Prisma, PrismaClient, TaskClaim } from '../../prisma/client';
import { tokenActor, tokenAuditActor, type AuthState } from '../auth';
import { flowTargetOf, type RouteDeps } from '../deps';
import { afterCursor, decodeKeyCursor, encodeKeyCursor, pageOf } from '../pagination';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { decimalString, flowStatus, isoDate, nextCursor, row } from '../openapi/schemas';

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
const statsQuery = z.object({ taskId: z.coerce.number().int().min(1).optional() });

const settingsJson = row({
  guildId: z.string(),
  taskChannelId: z.string().nullable(),
  reviewChannelId: z.string().nullable(),
  maxActivePerUser: z.number().int(),
  memberProposals: z.boolean(),
  autoExpire: z.boolean(),
  reviewerLevel: z.string(),
  revokeWindowSeconds: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
}).meta({ id: 'TaskSettings' });
const taskJson = row({
  id: z.number().int(),
  guildId: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  reward: decimalString,
  assetCode: z.string(),
  roleId: z.string().nullable(),
  claimDurationSeconds: z.number().int(),
  expiresAt: isoDate.nullable(),
  maxClaims: z.number().int().nullable(),
  proofType: z.string(),
  assignedUserIds: z.array(z.string()),
  status: z.string(),
  slotsTaken: z.number().int(),
  completedCount: z.number().int(),
  createdBy: z.string(),
  createdAt: isoDate,
}).meta({ id: 'Task' });
/** activities/tasks claimToJson: the whole row, amounts as decimal strings. */
const claimJson = z
  .object({
    id: z.string(),
    guildId: z.string(),
    taskId: z.number().int(),
    userId: z.string(),
    status: z.string(),
    deadlineAt: isoDate,
    proofText: z.string().nullable(),
    proofUrls: z.array(z.string()),
    submissions: z.number().int(),
    submittedAt: isoDate.nullable(),
    reviewChannelId: z.string().nullable(),
    reviewMessageId: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: isoDate.nullable(),
    rejectReason: z.string().nullable(),
    awardFailure: z.string().nullable().meta({ description: 'Why the last accept could not be paid; cleared by a later accept.' }),
    rewardPaid: decimalString.nullable(),
    awardKey: z.string().nullable(),
    roleGranted: z.boolean(),
    completedAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
    revokedBy: z.string().nullable(),
    revokeReason: z.string().nullable(),
    reversedAmount: decimalString.nullable(),
    reversalShortfall: decimalString.nullable(),
    endedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'TaskClaim' });
const statsJson = z.object({
  tasks: z.object({ active: z.number().int(), total: z.number().int() }),
  claims: z.record(z.enum(CLAIM_STATUSES), z.number().int()),
  paid: z.array(z.object({ assetCode: z.string(), paid: decimalString, reversed: decimalString, net: decimalString })),
});
/** The claim workflow's answer to a decision or a revoke: `ok` false (409) says why it was refused. */
const updateAnswer = (ok: boolean) => z.looseObject({ ok: z.literal(ok) });
const TAG = 'tasks';
const admin = { kind: 'guild', level: 'admin' } as const;
const mod = { kind: 'guild', level: 'mod' } as const;

/**
 * Tasks for the dashboard: tasks CRUD (mods read, admins write; audited; the task's post follows), task
 * settings, claims with filters, one claim with its workflow status, the review decision and the revoke
 * (the same validated workflow updates as the Accept / Reject / Revoke buttons), and statistics. A task's
 * card can be announced in a channel (an announcement, sent through its flow).
 */
export function taskRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, taskQueue, guildDirectory, syncSettings } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const actorOf = (ctx: RouteContext): AuditActor => tokenAuditActor(ctx.state.auth);
  const needTemporal = () => flowTargetOf({ temporal, taskQueue }).temporal;
  // An API without Temporal still edits tasks; their posts catch up with the next change.
  const syncMessage = async (guildId: string, taskId: number) => {
    if (temporal && taskQueue) await requestTaskMessageSync({ temporal, taskQueue }, guildId, taskId);
  };

  // Invalid input is refused by the service itself; only a well-formed role id needs checking first.
  const requireRewardRole = (guildId: string, body: unknown) => requireInGuild(guildDirectory, guildId, { roles: { roleId: taskPatchSchema.safeParse(body).data?.roleId } });

  return routerOf('/api/guilds/:guildId/tasks', deps, [
    route({
      method: 'get',
      path: '/settings',
      summary: 'Task settings.',
      tag: TAG,
      access: mod,
      responses: { 200: { description: 'The settings.', schema: settingsJson } },
      handler: async (ctx) => {
        ctx.body = await getTaskSettings(prisma, guildOf(ctx));
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      summary: 'Changes the task settings.',
      tag: TAG,
      access: admin,
      jsonBody: taskSettingsSchema.partial(),
      responses: { 200: { description: 'The settings now.', schema: settingsJson } },
      handler: async (ctx, { json: body }) => {
        const channels = taskSettingsSchema.safeParse(body).data;
        await requireInGuild(guildDirectory, guildOf(ctx), { channels: { taskChannelId: channels?.taskChannelId, reviewChannelId: channels?.reviewChannelId } });
        ctx.body = await updateTaskSettings(prisma, guildOf(ctx), body, actorOf(ctx));
      },
    }),
    route({
      method: 'get',
      path: '/stats',
      summary: 'Claims by status and what was paid, for the guild or one task.',
      tag: TAG,
      access: mod,
      query: statsQuery,
      responses: { 200: { description: 'The stats.', schema: statsJson } },
      handler: async (ctx, { query: q }) => {
        ctx.body = await taskStats(prisma, guildOf(ctx), q.taskId);
      },
    }),
    route({
      method: 'get',
      path: '/claims',
      summary: 'Claims, newest first, with filters.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod', grant: 'review_tasks' },
      query: claimsQuery,
      responses: { 200: { description: 'A page of claims.', schema: z.object({ items: z.array(claimJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
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
      },
    }),
    route({
      method: 'get',
      path: '/',
      summary: 'Tasks, by id.',
      tag: TAG,
      access: mod,
      query: tasksQuery,
      responses: { 200: { description: 'A page of tasks.', schema: z.object({ items: z.array(taskJson), total: z.number().int(), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const { items, total, nextAfterId } = await listTasks(prisma, guildOf(ctx), { ...q, afterId: q.cursor ? taskIdOfCursor(q.cursor) : undefined });
        ctx.body = { items: items.map(taskToJson), total, nextCursor: nextAfterId === null ? null : encodeKeyCursor([nextAfterId]) };
      },
    }),
    route({
      method: 'post',
      path: '/',
      summary: 'Posts a task (audited; its post follows).',
      tag: TAG,
      access: admin,
      jsonBody: taskCreateSchema,
      responses: { 201: { description: 'The task.', schema: taskJson } },
      handler: async (ctx, { json: body }) => {
        const guildId = guildOf(ctx);
        await requireRewardRole(guildId, body);
        const task = await createTask(prisma, guildId, body, { ...actorOf(ctx), createdBy: actorOf(ctx).actorId });
        await syncMessage(guildId, task.id);
        ctx.status = 201;
        ctx.body = taskToJson(task);
      },
    }),
    route({
      method: 'get',
      path: '/:taskId',
      summary: 'One task.',
      tag: TAG,
      access: mod,
      params: taskParams,
      responses: { 200: { description: 'The task.', schema: taskJson } },
      handler: async (ctx, { params: { taskId } }) => {
        const task = await prisma.task.findFirst({ where: { id: taskId, guildId: guildOf(ctx) } });
        if (!task) throw new NotFoundError(`There is no task ${taskId} in this guild.`);
        ctx.body = taskToJson(task);
      },
    }),
    route({
      method: 'patch',
      path: '/:taskId',
      summary: 'Edits a task (audited; its post follows).',
      tag: TAG,
      access: admin,
      params: taskParams,
      jsonBody: taskPatchSchema,
      responses: { 200: { description: 'The task now.', schema: taskJson } },
      handler: async (ctx, { params: { taskId }, json: body }) => {
        const guildId = guildOf(ctx);
        await requireRewardRole(guildId, body);
        const task = await editTask(prisma, guildId, taskId, body, actorOf(ctx));
        await syncMessage(guildId, task.id);
        ctx.body = taskToJson(task);
      },
    }),
    route({
      method: 'delete',
      path: '/:taskId',
      summary: 'Removes a task; its open claims are cancelled.',
      tag: TAG,
      access: admin,
      params: taskParams,
      responses: { 200: { description: 'Removed.', schema: z.object({ deleted: z.literal(true), openClaims: z.number().int(), cancelled: z.number().int() }) } },
      handler: async (ctx, { params: { taskId } }) => {
        const guildId = guildOf(ctx);
        const { openClaimIds } = await deleteTask(prisma, guildId, taskId, actorOf(ctx));
        const cancelled = temporal ? await cancelClaims(temporal, openClaimIds, 'The task was removed.') : 0;
        await syncMessage(guildId, taskId);
        ctx.body = { deleted: true, openClaims: openClaimIds.length, cancelled };
      },
    }),
    route({
      method: 'post',
      path: '/:taskId/announce',
      summary: "Announces a task's card in a channel.",
      tag: TAG,
      access: { kind: 'guild', level: 'admin', grant: 'manage_announcements' },
      params: taskParams,
      body: taskAnnounceSchema,
      responses: { 201: { description: 'The announcement.', schema: row({ id: z.string(), guildId: z.string(), channelId: z.string(), title: z.string(), status: z.string(), createdAt: isoDate }) } },
      handler: async (ctx, { params: { taskId }, body: { channelId, id } }) => {
        const guildId = guildOf(ctx);
        const target = flowTargetOf({ temporal, taskQueue });
        await requireInGuild(guildDirectory, guildId, { channels: { channelId } });
        const a = await announceTask({ prisma, ...target, syncSettings }, guildId, taskId, { id: id ?? `api-${crypto.randomUUID()}`, channelId, actor: actorOf(ctx), draft: false });
        ctx.status = 201;
        ctx.body = { ...a };
      },
    }),
    route({
      method: 'get',
      path: '/:taskId/claims/:userId',
      summary: "A member's claim of a task, with its flow's status.",
      tag: TAG,
      access: { kind: 'guild', level: 'mod', grant: 'review_tasks' },
      params: claimParams,
      responses: { 200: { description: 'The claim.', schema: claimJson.extend({ workflow: flowStatus }) } },
      handler: async (ctx, { params: { taskId, userId } }) => {
        const claim = await prisma.taskClaim.findFirst({ where: { taskId, userId, guildId: guildOf(ctx) } });
        if (!claim) throw new NotFoundError(`Member ${userId} has no claim of task ${taskId}.`);
        ctx.body = { ...claimToJson(claim), workflow: await readFlowStatus(temporal, claim.id, taskClaimStatusQuery) };
      },
    }),
    route({
      method: 'post',
      path: '/:taskId/claims/:userId/review',
      summary: 'Accepts or rejects a submitted proof (the same workflow update as the buttons).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin', grant: 'review_tasks' },
      params: claimParams,
      body: claimReviewSchema,
      responses: { 200: { description: 'Decided.', schema: updateAnswer(true) }, 409: { description: 'The claim refused it (not submitted, decided already…).', schema: updateAnswer(false) } },
      handler: async (ctx, { params: { taskId, userId }, body }) => {
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
      },
    }),
    route({
      method: 'post',
      path: '/:taskId/claims/:userId/revoke',
      summary: 'Revokes an award (the reward is taken back as far as the balance allows).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin', grant: 'review_tasks' },
      params: claimParams,
      body: claimRevokeSchema,
      responses: { 200: { description: 'Revoked.', schema: updateAnswer(true) }, 409: { description: 'The claim refused it.', schema: updateAnswer(false) } },
      handler: async (ctx, { params: { taskId, userId }, body }) => {
        await claimOf(prisma, guildOf(ctx), taskId, userId);
        const reviewerId = reviewerOf(ctx.state, userId, 'You cannot revoke your own award');
        const result = await sendRevoke(needTemporal(), taskId, userId, { guildId: guildOf(ctx), reviewerId, reviewerLevel: ctx.state.auth.level, reviewerGrants: ctx.state.grants, reason: body.reason });
        ctx.status = result.ok ? 200 : 409;
        ctx.body = result;
      },
    }),
  ]);
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
