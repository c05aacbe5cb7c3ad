import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import { snowflake } from '../../lib/discord/snowflake';
import type { PrismaClient, RobloxGroupBind } from '../../prisma/client';

/**
 * Group-rank binds: a Discord role for the members whose rank in a Roblox group is within min..max.
 * Admins manage them (bot and API, audited); verification and /update apply them (member-roles.ts).
 */

export interface GroupBindView {
  id: string;
  groupId: string;
  roleId: string;
  minRank: number;
  maxRank: number;
  createdAt: string;
}

const rank = z.number().int().min(1).max(255);
export const newBind = z
  .object({ groupId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), roleId: snowflake, minRank: rank, maxRank: rank })
  .strict()
  .refine((b) => b.minRank <= b.maxRank, { message: 'minRank must not be above maxRank', path: ['minRank'] });
export type NewGroupBind = z.infer<typeof newBind>;

export function parseGroupBind(input: unknown): NewGroupBind {
  const parsed = newBind.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

const view = (b: RobloxGroupBind): GroupBindView => ({
  id: b.id.toString(),
  groupId: b.groupId.toString(),
  roleId: b.roleId,
  minRank: b.minRank,
  maxRank: b.maxRank,
  createdAt: b.createdAt.toISOString(),
});

export async function listGroupBinds(prisma: PrismaClient, guildId: string): Promise<GroupBindView[]> {
  const rows = await prisma.robloxGroupBind.findMany({ where: { guildId }, orderBy: [{ groupId: 'asc' }, { minRank: 'asc' }, { id: 'asc' }] });
  return rows.map(view);
}

/** Stores a bind (the caller has checked the role is the guild's) and audits it; the same bind twice is refused. */
export async function addGroupBind(prisma: PrismaClient, guildId: string, bind: NewGroupBind, actor: { actorType: string; actorId: string }): Promise<GroupBindView> {
  try {
    return await prisma.$transaction(async (tx) => {
      const row = await tx.robloxGroupBind.create({ data: { guildId, groupId: BigInt(bind.groupId), roleId: bind.roleId, minRank: bind.minRank, maxRank: bind.maxRank } });
      await tx.auditEvent.create({ data: { guildId, ...actor, action: 'roblox_group_bind.created', targetType: 'role', targetId: bind.roleId, data: { id: row.id.toString(), ...bind } } });
      return view(row);
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new AppError('bind_exists', `This bind already exists: group ${bind.groupId}, ranks ${bind.minRank}-${bind.maxRank} → <@&${bind.roleId}>.`, 409);
    throw err;
  }
}

/** Removes one of the guild's binds (an id of another guild is not found); audited. Roles already given stay until /update. */
export async function removeGroupBind(prisma: PrismaClient, guildId: string, id: string, actor: { actorType: string; actorId: string }): Promise<GroupBindView> {
  if (!/^\d{1,18}$/.test(id)) throw new ValidationError('id: a bind id is a number (see the list of binds).');
  return prisma.$transaction(async (tx) => {
    const row = await tx.robloxGroupBind.findFirst({ where: { id: BigInt(id), guildId } });
    if (!row) throw new NotFoundError(`There is no bind ${id} in this server.`);
    await tx.robloxGroupBind.delete({ where: { id: row.id } });
    const removed = view(row);
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'roblox_group_bind.removed', targetType: 'role', targetId: row.roleId, data: { ...removed } } });
    return removed;
  });
}

/**
 * Which bound roles a member should and should not have, from their rank in each group (a group they are
 * not in is rank 0). A role bound several times is kept when any of its binds fits.
 */
export function bindRoles(binds: readonly { groupId: string; roleId: string; minRank: number; maxRank: number }[], ranks: ReadonlyMap<string, number>): { wanted: Set<string>; bound: Set<string> } {
  const wanted = new Set<string>();
  const bound = new Set<string>();
  for (const b of binds) {
    bound.add(b.roleId);
    const r = ranks.get(b.groupId) ?? 0;
    if (r >= b.minRank && r <= b.maxRank) wanted.add(b.roleId);
  }
  return { wanted, bound };
}
