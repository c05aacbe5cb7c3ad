import { z } from 'zod';
import { snowflake } from '../../lib/discord/snowflake';
import { ValidationError } from '../../lib/errors';
import { MAX_PADS, type PadSessionInput, type PadType } from '../../lib/flows/pads';
import type { PadSession, PadSettings, Prisma, PrismaClient } from '../../prisma/client';
import type { AuditActor } from '../shop/items';
import { PadStateError } from './errors';

/**
 * Pads for the bot (/training, /tryout, /pad, /pads) and the API: the guild's pad settings (audited),
 * who may host, the sessions the flows record, the board of pads and the statistics. Sessions themselves
 * start and end only through `pad:{guild}:{pad}` (lib/flows/pads.client.ts).
 */

const DAY = 86_400;
export const padSettingsSchema = z
  .object({
    padCount: z.number().int().min(1, 'A server has at least 1 pad.').max(MAX_PADS, `A server has at most ${MAX_PADS} pads.`),
    sessionsChannelId: snowflake.nullable(),
    hostRoleIds: z.array(snowflake).max(25, 'At most 25 host roles.'),
    trainingMaxSeconds: z.number().int().min(1).max(7 * DAY),
    tryoutMaxSeconds: z.number().int().min(1).max(7 * DAY),
    reminderLeadSeconds: z.number().int().min(0).max(7 * DAY),
  })
  .strict()
  .partial();
export type PadSettingsPatch = z.input<typeof padSettingsSchema>;

export async function getPadSettings(db: PrismaClient | Prisma.TransactionClient, guildId: string): Promise<PadSettings> {
  const found = await db.padSettings.findUnique({ where: { guildId } });
  if (found) return found;
  await db.padSettings.createMany({ data: [{ guildId }], skipDuplicates: true });
  return db.padSettings.findUniqueOrThrow({ where: { guildId } });
}

/** Changes the pad settings and audits `pad_settings.updated` in the same transaction. Ids must be checked to be the guild's first. */
export async function updatePadSettings(prisma: PrismaClient, guildId: string, patch: unknown, actor: AuditActor): Promise<PadSettings> {
  const parsed = padSettingsSchema.safeParse(patch);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '));
  return prisma.$transaction(async (tx) => {
    await getPadSettings(tx, guildId);
    const settings = await tx.padSettings.update({ where: { guildId }, data: parsed.data });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'pad_settings.updated', targetType: 'pad_settings', targetId: guildId, data: parsed.data } });
    return settings;
  });
}

/** A pad number of this guild, or a refusal naming how many there are. */
function requirePad(settings: Pick<PadSettings, 'padCount'>, pad: number): number {
  if (!Number.isInteger(pad) || pad < 1 || pad > settings.padCount) throw new PadStateError(`There is no pad ${pad} here: this server has pads 1–${settings.padCount}.`);
  return pad;
}

/** The flow's input for a new session: durations from the settings of its type. */
export function sessionInput(settings: PadSettings, s: { guildId: string; pad: number; type: PadType; hostId: string; description: string | null }): PadSessionInput {
  return {
    ...s,
    pad: requirePad(settings, s.pad),
    description: s.description?.trim() || null,
    maxSeconds: s.type === 'training' ? settings.trainingMaxSeconds : settings.tryoutMaxSeconds,
    reminderLeadSeconds: settings.reminderLeadSeconds,
  };
}

/** The one host check: a configured host role, or mod and above. */
export function mayHost(settings: Pick<PadSettings, 'hostRoleIds'>, member: { roleIds: readonly string[]; isStaff: boolean }): boolean {
  return member.isStaff || member.roleIds.some((r) => settings.hostRoleIds.includes(r));
}

export type PadBoardEntry = { pad: number; session: PadSession | null };

/** Every pad of the guild with its open session (the flows record start and end), pad by pad. */
export async function padBoard(prisma: PrismaClient, guildId: string): Promise<PadBoardEntry[]> {
  const settings = await getPadSettings(prisma, guildId);
  const open = await prisma.padSession.findMany({ where: { guildId, endedAt: null } });
  return Array.from({ length: settings.padCount }, (_, i) => ({ pad: i + 1, session: open.find((s) => s.pad === i + 1) ?? null }));
}

export function padSessionToJson(s: PadSession) {
  const { createdAt: _created, ...rest } = s;
  return { ...rest, minutes: s.endedAt ? Math.round((s.endedAt.getTime() - s.startedAt.getTime()) / 60_000) : null };
}

export interface PadStatsRow {
  hostId: string;
  type: PadType;
  sessions: number;
  minutes: number;
}

/** Ended sessions and their minutes per host and type (one host with `hostId`), most minutes first. */
export async function padStats(prisma: PrismaClient, guildId: string, hostId?: string): Promise<PadStatsRow[]> {
  const rows = await prisma.$queryRaw<{ host_id: string; type: string; sessions: bigint; seconds: number | null }[]>`
    SELECT host_id, type, count(*) AS sessions, sum(extract(epoch FROM ended_at - started_at))::float8 AS seconds
    FROM pad_sessions
    WHERE guild_id = ${guildId} AND ended_at IS NOT NULL AND (${hostId ?? null}::text IS NULL OR host_id = ${hostId ?? null})
    GROUP BY host_id, type
    ORDER BY seconds DESC, host_id, type`;
  return rows.map((r) => ({ hostId: r.host_id, type: r.type as PadType, sessions: Number(r.sessions), minutes: Math.round((r.seconds ?? 0) / 60) }));
}
