import { z } from 'zod';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { MAX_TICKET_QUESTIONS, ticketIdOf, type TicketAnswer, type TicketInput } from '../../lib/flows/tickets';
import type { InteractionReply } from '../../lib/flows/flow';
import type { Prisma, PrismaClient, Ticket, TicketSettings, TicketType } from '../../prisma/client';
import type { AuditActor } from '../shop/items';
import { TicketStateError } from './errors';

/**
 * Tickets for the bot (/tickets, /ticket, the panel) and the API: the guild's ticket types and settings
 * (audited; channel, category and role ids are checked to be the guild's by the caller first), who is a
 * type's staff, the member's next ticket and its limit, the tickets the flows record, and the statistics.
 * Tickets open, change and close only through `ticket:{guild}:{ticketId}` (lib/flows/tickets.client.ts).
 */

const DAY = 86_400;
const question = z.object({ label: z.string().trim().min(1).max(45), long: z.boolean().default(false), required: z.boolean().default(true) }).strict();
export type TicketQuestion = z.output<typeof question>;

const typeFields = {
  name: z.string().trim().min(1).max(40),
  emoji: z.string().trim().min(1).max(40).nullable(),
  categoryId: snowflake.nullable(),
  staffRoleIds: z.array(snowflake).max(10, 'At most 10 staff roles.'),
  questions: z.array(question).max(MAX_TICKET_QUESTIONS, `A form has at most ${MAX_TICKET_QUESTIONS} questions.`),
  openLimit: z.number().int().min(1).max(25),
  welcome: z.string().trim().max(1000).nullable(),
  idleSeconds: z.number().int().min(1).max(30 * DAY),
  graceSeconds: z.number().int().min(1).max(30 * DAY),
};
export const ticketTypeSchema = z.object(typeFields).strict().partial().required({ name: true });
export const ticketTypePatchSchema = z.object(typeFields).strict().partial();
export type TicketTypePatch = z.input<typeof ticketTypePatchSchema>;

export const ticketSettingsSchema = z
  .object({ transcriptChannelId: snowflake.nullable(), closeDelaySeconds: z.number().int().min(1).max(DAY) })
  .strict()
  .partial();

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; '));
  return parsed.data;
}

export const questionsOf = (type: Pick<TicketType, 'questions'>): TicketQuestion[] => type.questions as TicketQuestion[];

export async function getTicketSettings(db: PrismaClient | Prisma.TransactionClient, guildId: string): Promise<TicketSettings> {
  const found = await db.ticketSettings.findUnique({ where: { guildId } });
  if (found) return found;
  await db.ticketSettings.createMany({ data: [{ guildId }], skipDuplicates: true });
  return db.ticketSettings.findUniqueOrThrow({ where: { guildId } });
}

export async function updateTicketSettings(prisma: PrismaClient, guildId: string, patch: unknown, actor: AuditActor): Promise<TicketSettings> {
  const data = parse(ticketSettingsSchema, patch, 'settings');
  return prisma.$transaction(async (tx) => {
    await getTicketSettings(tx, guildId);
    const settings = await tx.ticketSettings.update({ where: { guildId }, data });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'ticket_settings.updated', targetType: 'ticket_settings', targetId: guildId, data } });
    return settings;
  });
}

export function listTicketTypes(prisma: PrismaClient, guildId: string): Promise<TicketType[]> {
  return prisma.ticketType.findMany({ where: { guildId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

/** The guild's type by id or by name; another guild's is not found. */
export async function requireTicketType(prisma: PrismaClient | Prisma.TransactionClient, guildId: string, idOrName: string): Promise<TicketType> {
  const type = await prisma.ticketType.findFirst({ where: { guildId, OR: [{ id: idOrName }, { name: idOrName }] } });
  if (!type) throw new NotFoundError(`There is no ticket type "${idOrName}" in this server.`);
  return type;
}

function nameTaken(err: unknown, name: string | undefined): never {
  if ((err as { code?: string }).code === 'P2002') throw new TicketStateError(`There is already a ticket type named "${name}".`);
  throw err;
}

export async function addTicketType(prisma: PrismaClient, guildId: string, body: unknown, actor: AuditActor): Promise<TicketType> {
  const data = parse(ticketTypeSchema, body, 'type');
  return prisma
    .$transaction(async (tx) => {
      const type = await tx.ticketType.create({ data: { guildId, ...data } });
      await tx.auditEvent.create({ data: { guildId, ...actor, action: 'ticket_type.created', targetType: 'ticket_type', targetId: type.id, data } });
      return type;
    })
    .catch((err: unknown) => nameTaken(err, data.name));
}

export async function editTicketType(prisma: PrismaClient, guildId: string, idOrName: string, body: unknown, actor: AuditActor): Promise<TicketType> {
  const data = parse(ticketTypePatchSchema, body, 'type');
  return prisma
    .$transaction(async (tx) => {
      const { id } = await requireTicketType(tx, guildId, idOrName);
      const type = await tx.ticketType.update({ where: { id }, data });
      await tx.auditEvent.create({ data: { guildId, ...actor, action: 'ticket_type.updated', targetType: 'ticket_type', targetId: id, data } });
      return type;
    })
    .catch((err: unknown) => nameTaken(err, data.name));
}

/** Removes a type that has no ticket open (its closed tickets go with it). */
export async function removeTicketType(prisma: PrismaClient, guildId: string, idOrName: string, actor: AuditActor): Promise<TicketType> {
  return prisma.$transaction(async (tx) => {
    const type = await requireTicketType(tx, guildId, idOrName);
    const open = await tx.ticket.count({ where: { typeId: type.id, status: { in: OPEN_STATUSES } } });
    if (open) throw new TicketStateError(`"${type.name}" has ${open} ticket${open === 1 ? '' : 's'} open: close ${open === 1 ? 'it' : 'them'} first.`);
    await tx.ticketType.delete({ where: { id: type.id } });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'ticket_type.deleted', targetType: 'ticket_type', targetId: type.id, data: { name: type.name } } });
    return type;
  });
}

/** A ticket in these states still holds a place under its type's per-member limit. */
const OPEN_STATUSES = ['opening', 'open', 'closing'];

/** The one staff check: one of the type's staff roles, or mod and above, or the Manage tickets grant (`isStaff`). */
export function isTicketStaff(type: Pick<TicketType, 'staffRoleIds'>, member: { roleIds: readonly string[]; isStaff: boolean }): boolean {
  return member.isStaff || member.roleIds.some((r) => type.staffRoleIds.includes(r));
}

/**
 * The flow's input for the member's next ticket of a type. Its number counts the member's recorded
 * tickets of the type, so opens at the same instant share one id (the workflow id lets one run); a
 * member at the type's limit is refused with the ticket they have open named.
 */
export async function nextTicketInput(
  prisma: PrismaClient,
  type: TicketType,
  openerId: string,
  answers: TicketAnswer[],
  reply: InteractionReply | null,
): Promise<TicketInput> {
  const open = await prisma.ticket.findMany({ where: { typeId: type.id, openerId, status: { in: OPEN_STATUSES } }, orderBy: { openedAt: 'asc' } });
  if (open.length >= type.openLimit) {
    const where = open.map((t) => (t.channelId ? `<#${t.channelId}>` : 'one being opened')).join(', ');
    throw new TicketStateError(`You already have ${type.openLimit === 1 ? 'a' : type.openLimit} ${type.name} ticket${type.openLimit === 1 ? '' : 's'} open: ${where}.`);
  }
  const settings = await getTicketSettings(prisma, type.guildId);
  const number = (await prisma.ticket.count({ where: { typeId: type.id, openerId } })) + 1;
  return {
    guildId: type.guildId,
    ticketId: ticketIdOf(type.id, openerId, number),
    typeId: type.id,
    openerId,
    number,
    answers,
    reply,
    idleSeconds: type.idleSeconds,
    graceSeconds: type.graceSeconds,
    closeDelaySeconds: settings.closeDelaySeconds,
  };
}

/** The guild's ticket by id; another guild's is not found. */
export async function requireTicket(prisma: PrismaClient, guildId: string, ticketId: string): Promise<Ticket & { type: TicketType }> {
  const ticket = await prisma.ticket.findFirst({ where: { id: ticketId, guildId }, include: { type: true } });
  if (!ticket) throw new NotFoundError(`There is no ticket ${ticketId} in this server.`);
  return ticket;
}

export function ticketToJson(t: Ticket) {
  const { createdAt: _created, ...rest } = t;
  return rest;
}

export interface TicketStats {
  days: { day: string; opened: number; closed: number }[];
  medianFirstResponseSeconds: number | null;
  medianResolutionSeconds: number | null;
  ratings: { count: number; average: number | null; byStars: Record<string, number> };
}

/** Opened and closed per day (UTC) over the last `days`, median first response and resolution, ratings. */
export async function ticketStats(prisma: PrismaClient, guildId: string, days: number): Promise<TicketStats> {
  const since = new Date(Date.now() - days * DAY * 1000);
  const perDay = await prisma.$queryRaw<{ day: string; opened: bigint; closed: bigint }[]>`
    WITH opened AS (SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM tickets WHERE guild_id = ${guildId} AND opened_at >= ${since}),
         closed AS (SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM tickets WHERE guild_id = ${guildId} AND closed_at >= ${since})
    SELECT day, sum(o)::bigint AS opened, sum(c)::bigint AS closed
    FROM (SELECT day, 1 AS o, 0 AS c FROM opened UNION ALL SELECT day, 0, 1 FROM closed) d
    GROUP BY day ORDER BY day`;
  const [medians] = await prisma.$queryRaw<{ first: number | null; resolution: number | null }[]>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at)) FILTER (WHERE first_response_at IS NOT NULL) AS first,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at)) FILTER (WHERE closed_at IS NOT NULL) AS resolution
    FROM tickets WHERE guild_id = ${guildId} AND opened_at >= ${since}`;
  const rated = await prisma.ticket.groupBy({ by: ['rating'], where: { guildId, rating: { not: null }, openedAt: { gte: since } }, _count: { _all: true } });
  const count = rated.reduce((n, r) => n + r._count._all, 0);
  const sum = rated.reduce((n, r) => n + r._count._all * (r.rating ?? 0), 0);
  return {
    days: perDay.map((d) => ({ day: d.day, opened: Number(d.opened), closed: Number(d.closed) })),
    medianFirstResponseSeconds: medians?.first == null ? null : Math.round(medians.first),
    medianResolutionSeconds: medians?.resolution == null ? null : Math.round(medians.resolution),
    ratings: { count, average: count ? Math.round((sum / count) * 100) / 100 : null, byStars: Object.fromEntries(rated.map((r) => [String(r.rating), r._count._all])) },
  };
}
