import { AppError, NotFoundError } from '../../lib/errors';
import { isGrantName, type GrantName } from '../../lib/grants';
import { grantSubjectProblem, type GrantInput } from '../../lib/requests/grants';
import type { MemberGrant, PrismaClient } from '../../prisma/client';
import type { AuditActor } from '../shop';

export function grantToJson(grant: MemberGrant) {
  return { ...grant, createdAt: grant.createdAt.toISOString() };
}

/** How /grant and the API name a subject: a member mention or a role mention. */
export function subjectMention(grant: Pick<MemberGrant, 'subjectType' | 'subjectId'>): string {
  return grant.subjectType === 'role' ? `<@&${grant.subjectId}>` : `<@${grant.subjectId}>`;
}

/**
 * Gives the permission (audited as `grant.added` in the same transaction). Granting what is already held
 * changes nothing and audits nothing: `added` says which. The subject must already be checked to be the
 * guild's; @everyone (the role whose id is the guild's) is refused, since that would be a level for all.
 */
export async function addGrant(prisma: PrismaClient, guildId: string, input: GrantInput, actor: AuditActor): Promise<{ grant: MemberGrant; added: boolean }> {
  const everyone = grantSubjectProblem(guildId, input);
  if (everyone) throw new AppError('everyone_refused', everyone, 400);
  return prisma.$transaction(async (tx) => {
    const key = { guildId, permission: input.permission, subjectType: input.subjectType, subjectId: input.subjectId };
    // ON CONFLICT DO NOTHING: two admins granting at once end with one row and one audit event.
    const inserted = await tx.memberGrant.createMany({ data: [{ ...key, grantedBy: actor.actorId }], skipDuplicates: true });
    const grant = await tx.memberGrant.findUniqueOrThrow({ where: { guildId_permission_subjectType_subjectId: key } });
    if (inserted.count === 0) return { grant, added: false };
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'grant.added', targetType: input.subjectType, targetId: input.subjectId, data: { grantId: grant.id, permission: input.permission } } });
    return { grant, added: true };
  });
}

/** Takes a grant back (audited as `grant.removed`); 404 when there is no such grant in this guild. */
export async function removeGrant(prisma: PrismaClient, guildId: string, ref: { id: number } | GrantInput, actor: AuditActor): Promise<MemberGrant> {
  return prisma.$transaction(async (tx) => {
    const grant = 'id' in ref
      ? await tx.memberGrant.findFirst({ where: { id: ref.id, guildId } })
      : await tx.memberGrant.findUnique({ where: { guildId_permission_subjectType_subjectId: { guildId, ...ref } } });
    // deleteMany: a grant removed by someone else meanwhile is "not found", not an error from Prisma.
    const deleted = grant ? await tx.memberGrant.deleteMany({ where: { id: grant.id } }) : { count: 0 };
    if (!grant || deleted.count === 0) {
      throw new NotFoundError('id' in ref ? `There is no grant ${ref.id} in this server.` : `${subjectMention({ subjectType: ref.subjectType, subjectId: ref.subjectId })} does not hold ${ref.permission}.`);
    }
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'grant.removed', targetType: grant.subjectType, targetId: grant.subjectId, data: { grantId: grant.id, permission: grant.permission } } });
    return grant;
  });
}

/**
 * The guild's grants, oldest first; only those of one member (theirs and their roles') when `holder` is
 * given; a page after grant `afterId` when asked.
 */
export async function listGrants(
  prisma: PrismaClient,
  guildId: string,
  opts: { holder?: { userId: string; roleIds: readonly string[] }; afterId?: number; take?: number } = {},
): Promise<MemberGrant[]> {
  return prisma.memberGrant.findMany({
    where: { guildId, ...(opts.holder && { OR: subjectsOf(opts.holder.userId, opts.holder.roleIds) }), ...(opts.afterId !== undefined && { id: { gt: opts.afterId } }) },
    orderBy: { id: 'asc' },
    take: opts.take,
  });
}

/** The grants a member holds now, directly or through one of their roles. */
export async function grantsHeld(prisma: PrismaClient, guildId: string, userId: string, roleIds: readonly string[]): Promise<GrantName[]> {
  const rows = await prisma.memberGrant.findMany({ where: { guildId, OR: subjectsOf(userId, roleIds) }, select: { permission: true }, distinct: ['permission'] });
  return rows.map((r) => r.permission).filter(isGrantName);
}

export async function holdsGrant(prisma: PrismaClient, guildId: string, userId: string, roleIds: readonly string[], permission: GrantName): Promise<boolean> {
  return (await prisma.memberGrant.count({ where: { guildId, permission, OR: subjectsOf(userId, roleIds) } })) > 0;
}

const subjectsOf = (userId: string, roleIds: readonly string[]) => [
  { subjectType: 'user', subjectId: userId },
  ...(roleIds.length ? [{ subjectType: 'role', subjectId: { in: [...roleIds] } }] : []),
];
