import { z } from 'zod';
import { ValidationError } from '../../lib/errors';
import { PERMISSION_LEVELS } from '../../lib/permissions';
import type { Prisma, PrismaClient, Task, TaskClaim, TaskSettings } from '../../prisma/client';
import { DEFAULT_ASSETS } from '../ledger/assets';
import type { AuditActor } from '../shop/items';
import { taskNotFound, taskState } from './errors';
import { snowflake } from '../../lib/discord/snowflake';
import { describeIssues } from '../../lib/requests/issues';
import { taskCreateSchema, taskExpiryProblem, taskPatchProblem, taskPatchSchema } from '../../lib/requests/tasks';

/**
 * Tasks: admins create / edit / delete them from the bot and the API; each is claimed by
 * members through the workflow `task:{taskId}:{user}` (workflows/task.ts). Deleting is a soft delete
 * (status 'deleted', deletedAt): claims keep pointing at the task. Every change is audited.
 */

/** The guild's task settings (no dashboard form sends them, so they stay server-side beside the levels). */
export const taskSettingsSchema = z
  .object({
    taskChannelId: snowflake.nullable(),
    reviewChannelId: snowflake.nullable(),
    maxActivePerUser: z.number().int().min(1, 'Max active tasks per member is at least 1.').max(1000),
    memberProposals: z.boolean(),
    autoExpire: z.boolean(),
    reviewerLevel: z.enum(PERMISSION_LEVELS).refine((l) => l !== 'user', 'Reviewers must be at least mods.'),
    revokeWindowSeconds: z.number().int().min(0).max(365 * 86_400),
  })
  .strict()
  .partial();
export type TaskSettingsPatch = z.input<typeof taskSettingsSchema>;

const DEFAULT_CLAIM_DURATION_SECONDS = 24 * 3600;

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what = 'task'): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      describeIssues(parsed.error.issues, what),
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** A task as JSON (reward as a decimal string). */
export function taskToJson(task: Task) {
  return { ...task, reward: task.reward.toString() };
}
export function claimToJson(claim: TaskClaim) {
  return {
    ...claim,
    rewardPaid: claim.rewardPaid?.toString() ?? null,
    reversedAmount: claim.reversedAmount?.toString() ?? null,
    reversalShortfall: claim.reversalShortfall?.toString() ?? null,
  };
}

/** The guild's task settings (defaults stored on first use). A plain read when they exist: an upsert would
 *  write — and lock — the row in every claim's transaction, serialising a guild's claims. */
export async function getTaskSettings(db: PrismaClient | Prisma.TransactionClient, guildId: string): Promise<TaskSettings> {
  const found = await db.taskSettings.findUnique({ where: { guildId } });
  if (found) return found;
  await db.taskSettings.createMany({ data: [{ guildId }], skipDuplicates: true });
  return db.taskSettings.findUniqueOrThrow({ where: { guildId } });
}

export async function updateTaskSettings(prisma: PrismaClient, guildId: string, patch: unknown, actor: AuditActor): Promise<TaskSettings> {
  const parsed = parseWith(taskSettingsSchema, patch, 'settings');
  return prisma.$transaction(async (tx) => {
    await getTaskSettings(tx, guildId);
    const settings = await tx.taskSettings.update({ where: { guildId }, data: parsed });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'task_settings.updated', targetType: 'task_settings', targetId: guildId, data: parsed as object } });
    return settings;
  });
}

async function checkAsset(prisma: PrismaClient | Prisma.TransactionClient, guildId: string, code: string): Promise<void> {
  if (DEFAULT_ASSETS.some((a) => a.code === code)) return;
  const asset = await prisma.asset.findUnique({ where: { guildId_code: { guildId, code } }, select: { id: true } });
  if (!asset) throw new ValidationError(`This server has no asset ${JSON.stringify(code)}.`);
}

function checkExpiry(expiresAt: Date | null | undefined): void {
  const problem = taskExpiryProblem(expiresAt);
  if (problem) throw new ValidationError(problem);
}

/**
 * Creates a task: 'active' when an admin creates it, 'proposed' for a member's proposal (an admin opens
 * it with status 'active').
 */
export async function createTask(
  prisma: PrismaClient,
  guildId: string,
  input: unknown,
  actor: AuditActor & { createdBy: string },
  opts: { proposed?: boolean } = {},
): Promise<Task> {
  const fields = parseWith(taskCreateSchema, input);
  checkExpiry(fields.expiresAt);
  await checkAsset(prisma, guildId, fields.assetCode ?? 'currency');
  return prisma.$transaction(async (tx) => {
    const task = await tx.task.create({
      data: {
        guildId,
        name: fields.name,
        description: fields.description ?? '',
        category: fields.category ?? null,
        reward: fields.reward,
        assetCode: fields.assetCode ?? 'currency',
        roleId: fields.roleId ?? null,
        claimDurationSeconds: fields.claimDurationSeconds ?? DEFAULT_CLAIM_DURATION_SECONDS,
        expiresAt: fields.expiresAt ?? null,
        maxClaims: fields.maxClaims ?? null,
        proofType: fields.proofType ?? 'text',
        assignedUserIds: fields.assignedUserIds ?? [],
        status: opts.proposed ? 'proposed' : 'active',
        createdBy: actor.createdBy,
      },
    });
    const { createdBy: _createdBy, ...audit } = actor;
    await tx.auditEvent.create({ data: { guildId, ...audit, action: opts.proposed ? 'task.proposed' : 'task.created', targetType: 'task', targetId: String(task.id), data: taskToJson(task) as object } });
    return task;
  });
}

export async function editTask(prisma: PrismaClient, guildId: string, taskId: number, patch: unknown, actor: AuditActor): Promise<Task> {
  const parsed = parseWith(taskPatchSchema, patch);
  const empty = taskPatchProblem(parsed);
  if (empty) throw new ValidationError(empty);
  checkExpiry(parsed.expiresAt);
  if (parsed.assetCode) await checkAsset(prisma, guildId, parsed.assetCode);
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM tasks WHERE id = ${taskId} AND guild_id = ${guildId} AND deleted_at IS NULL FOR UPDATE`;
    if (!rows[0]) throw taskNotFound(taskId);
    const current = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
    if (parsed.maxClaims != null && parsed.maxClaims < current.slotsTaken) {
      throw new ValidationError(`Max claims cannot be below the ${current.slotsTaken} claims already holding a slot.`);
    }
    if (parsed.reward !== undefined && parsed.reward !== current.reward && current.slotsTaken > current.completedCount) {
      // Open claims were made for the old reward: changing it under them would be unfair either way.
      throw taskState(`The reward cannot change while ${current.slotsTaken - current.completedCount} claim(s) are open.`);
    }
    const task = await tx.task.update({ where: { id: taskId }, data: parsed });
    const changed = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'task.updated', targetType: 'task', targetId: String(taskId), data: changed } });
    return task;
  });
}

/** Soft-deletes the task; returns it with the ids of its open claims (their workflows are then cancelled). */
export async function deleteTask(prisma: PrismaClient, guildId: string, taskId: number, actor: AuditActor): Promise<{ task: Task; openClaimIds: string[] }> {
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM tasks WHERE id = ${taskId} AND guild_id = ${guildId} AND deleted_at IS NULL FOR UPDATE`;
    if (!rows[0]) throw taskNotFound(taskId);
    const task = await tx.task.update({ where: { id: taskId }, data: { status: 'deleted', deletedAt: new Date() } });
    const open = await tx.taskClaim.findMany({ where: { taskId, status: { in: ['claimed', 'submitted'] } }, select: { id: true } });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'task.deleted', targetType: 'task', targetId: String(taskId), data: { openClaims: open.length } } });
    return { task, openClaimIds: open.map((c) => c.id) };
  });
}

/** A live task by id ("12", "#12") or exact name (case-insensitive). */
export async function findTask(prisma: PrismaClient, guildId: string, ref: string): Promise<Task> {
  const t = ref.trim();
  const id = /^#?(\d{1,9})$/.exec(t)?.[1];
  const task = id
    ? await prisma.task.findFirst({ where: { id: Number(id), guildId, deletedAt: null } })
    : await prisma.task.findFirst({ where: { guildId, deletedAt: null, name: { equals: t, mode: 'insensitive' } }, orderBy: { id: 'desc' } });
  if (!task) throw taskNotFound(t);
  return task;
}

/** Whether members can claim it now. */
export function isOpen(task: Task, settings: Pick<TaskSettings, 'autoExpire'>, now = new Date()): boolean {
  if (task.status !== 'active' || task.deletedAt) return false;
  return !(settings.autoExpire && task.expiresAt && task.expiresAt <= now);
}

export interface TaskListQuery {
  category?: string | null;
  status?: 'open' | 'all' | 'proposed';
  limit: number;
  /** Rows to skip (the bot's numbered pages); ignored with `afterId`. */
  offset?: number;
  /** Keyset paging: tasks with a smaller id than this one (the last of the previous page). */
  afterId?: number;
}

/**
 * Tasks for /tasks and the API: open ones (active, not expired) by default, newest first. `total` counts
 * all that match; `nextAfterId` is the `afterId` of the next page (null on the last one).
 */
export async function listTasks(prisma: PrismaClient, guildId: string, q: TaskListQuery): Promise<{ items: Task[]; total: number; nextAfterId: number | null }> {
  const settings = await getTaskSettings(prisma, guildId);
  const where: Prisma.TaskWhereInput = {
    guildId,
    deletedAt: null,
    ...(q.category ? { category: { equals: q.category, mode: 'insensitive' } } : {}),
    ...(q.status === 'all'
      ? {}
      : q.status === 'proposed'
        ? { status: 'proposed' }
        : { status: 'active', ...(settings.autoExpire ? { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } : {}) }),
  };
  const keyset = q.afterId !== undefined;
  const [rows, total] = await prisma.$transaction([
    prisma.task.findMany({ where: keyset ? { ...where, id: { lt: q.afterId } } : where, skip: keyset ? 0 : (q.offset ?? 0), orderBy: { id: 'desc' }, take: q.limit + 1 }),
    prisma.task.count({ where }),
  ]);
  const items = rows.slice(0, q.limit);
  return { items, total, nextAfterId: rows.length > q.limit ? items[items.length - 1]!.id : null };
}

export interface TaskStats {
  tasks: { active: number; total: number };
  claims: Record<'claimed' | 'submitted' | 'completed' | 'expired' | 'abandoned' | 'cancelled' | 'revoked', number>;
  /** Per asset: what accepted claims paid, what revokes took back, the net. */
  paid: { assetCode: string; paid: string; reversed: string; net: string }[];
}

/** Completed, expired, … claims and what was paid, for one guild (optionally one task). */
export async function taskStats(prisma: PrismaClient, guildId: string, taskId?: number): Promise<TaskStats> {
  const claimWhere = { guildId, ...(taskId ? { taskId } : {}) };
  const [active, total, byStatus, paid] = await Promise.all([
    prisma.task.count({ where: { guildId, status: 'active', deletedAt: null, ...(taskId ? { id: taskId } : {}) } }),
    prisma.task.count({ where: { guildId, deletedAt: null, ...(taskId ? { id: taskId } : {}) } }),
    prisma.taskClaim.groupBy({ by: ['status'], where: claimWhere, _count: { _all: true } }),
    prisma.$queryRaw<{ asset_code: string; paid: bigint; reversed: bigint }[]>`
      SELECT t.asset_code, COALESCE(SUM(c.reward_paid), 0)::bigint AS paid, COALESCE(SUM(c.reversed_amount), 0)::bigint AS reversed
      FROM task_claims c JOIN tasks t ON t.id = c.task_id
      WHERE c.guild_id = ${guildId} AND c.reward_paid IS NOT NULL AND (${taskId ?? null}::int IS NULL OR c.task_id = ${taskId ?? null}::int)
      GROUP BY t.asset_code ORDER BY t.asset_code`,
  ]);
  const claims: TaskStats['claims'] = { claimed: 0, submitted: 0, completed: 0, expired: 0, abandoned: 0, cancelled: 0, revoked: 0 };
  for (const row of byStatus) claims[row.status as keyof TaskStats['claims']] = row._count._all;
  return {
    tasks: { active, total },
    claims,
    paid: paid.map((r) => ({ assetCode: r.asset_code, paid: String(r.paid), reversed: String(r.reversed), net: String(BigInt(r.paid) - BigInt(r.reversed)) })),
  };
}
