import { z } from 'zod';
import { AppError, ValidationError } from '../../lib/errors';
import { MAX_PHRASE_WORDS, MIN_PHRASE_WORDS, NICKNAME_PLACEHOLDERS } from '../../lib/roblox/phrase';
import type { PrismaClient, RobloxLink } from '../../prisma/client';
import type { LinkSnapshot, VerifyMethod, VerifySettingsView } from '../../lib/flows/verify';
import { snowflake } from '../../lib/discord/snowflake';
import { ROBLOX_USERNAME } from '../../lib/roblox/client';

/** Reads and settings changes for the bot and the API (the workflow's side effects are in activities.ts). */

/** A Roblox username as typed, trimmed; refused (400) when it cannot be one. */
export function checkUsername(username: string): string {
  const name = username.trim();
  if (!ROBLOX_USERNAME.test(name)) throw new AppError('invalid_input', `“${username.slice(0, 40)}” is not a Roblox username (3 to 20 letters, digits or underscores).`);
  return name;
}

const DEFAULT_VERIFY_SETTINGS = { phraseWords: 16, expirySeconds: 900, checksPerMinute: 3, nicknameTemplate: '{roblox-name}' as string | null };

export async function getVerifySettings(prisma: PrismaClient, guildId: string): Promise<VerifySettingsView> {
  const [row, guild] = await Promise.all([
    prisma.verificationSettings.findUnique({ where: { guildId } }),
    prisma.guildSettings.findUnique({ where: { guildId }, select: { verifiedRoleId: true, unverifiedRoleId: true } }),
  ]);
  return {
    phraseWords: row?.phraseWords ?? DEFAULT_VERIFY_SETTINGS.phraseWords,
    expirySeconds: row?.expirySeconds ?? DEFAULT_VERIFY_SETTINGS.expirySeconds,
    checksPerMinute: row?.checksPerMinute ?? DEFAULT_VERIFY_SETTINGS.checksPerMinute,
    nicknameTemplate: row ? row.nicknameTemplate : DEFAULT_VERIFY_SETTINGS.nicknameTemplate,
    verifiedRoleId: guild?.verifiedRoleId ?? null,
    unverifiedRoleId: guild?.unverifiedRoleId ?? null,
  };
}

export const verifySettingsChange = z
  .object({
    phraseWords: z.number().int().min(MIN_PHRASE_WORDS).max(MAX_PHRASE_WORDS),
    expirySeconds: z.number().int().min(5).max(86_400),
    checksPerMinute: z.number().int().min(1).max(60),
    nicknameTemplate: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine((t) => NICKNAME_PLACEHOLDERS.some((p) => t.includes(p)), `must contain ${NICKNAME_PLACEHOLDERS.join(', ')} or be null (nickname left alone)`)
      .nullable(),
    verifiedRoleId: snowflake.nullable(),
    unverifiedRoleId: snowflake.nullable(),
  })
  .partial()
  .strict();
export type VerifySettingsChange = z.infer<typeof verifySettingsChange>;

export function parseVerifySettingsChange(input: unknown): VerifySettingsChange {
  const parsed = verifySettingsChange.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  if (Object.keys(parsed.data).length === 0) throw new ValidationError('Nothing to change: give at least one setting.');
  return parsed.data;
}

export async function updateVerifySettings(
  prisma: PrismaClient,
  guildId: string,
  change: VerifySettingsChange,
  actor: { actorType: string; actorId: string },
): Promise<VerifySettingsView> {
  const { verifiedRoleId, unverifiedRoleId, ...own } = change;
  await prisma.$transaction(async (tx) => {
    if (Object.keys(own).length) await tx.verificationSettings.upsert({ where: { guildId }, create: { guildId, ...own }, update: own });
    if (verifiedRoleId !== undefined || unverifiedRoleId !== undefined) {
      const roles = { ...(verifiedRoleId !== undefined ? { verifiedRoleId } : {}), ...(unverifiedRoleId !== undefined ? { unverifiedRoleId } : {}) };
      await tx.guildSettings.upsert({ where: { guildId }, create: { guildId, ...roles }, update: roles });
    }
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'verification.settings_changed', targetType: 'guild', targetId: guildId, data: change } });
  });
  return getVerifySettings(prisma, guildId);
}

export function linkSnapshot(row: RobloxLink): LinkSnapshot {
  return {
    guildId: row.guildId,
    userId: row.userId,
    robloxId: row.robloxId.toString(),
    robloxName: row.robloxName,
    robloxDisplayName: row.robloxDisplayName,
    method: row.method as VerifyMethod,
    linkedBy: row.linkedBy,
    verifiedAt: row.verifiedAt.toISOString(),
    workflowId: row.workflowId,
    runId: row.runId,
    nicknameSet: row.nicknameSet,
    nicknameBefore: row.nicknameBefore,
  };
}

export async function findLink(prisma: PrismaClient, guildId: string, userId: string): Promise<LinkSnapshot | null> {
  const row = await prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId, userId } } });
  return row ? linkSnapshot(row) : null;
}

/** A guild's links in member id order, a page after `after` (the previous page's last member id; the API wraps it in an opaque cursor). */
export async function listLinks(prisma: PrismaClient, guildId: string, opts: { limit: number; robloxName?: string; after?: string }): Promise<{ links: LinkSnapshot[]; next: string | null }> {
  if (opts.limit < 1 || opts.limit > 100) throw new ValidationError('limit must be from 1 to 100.');
  const rows = await prisma.robloxLink.findMany({
    where: { guildId, ...(opts.robloxName ? { robloxName: { equals: opts.robloxName, mode: 'insensitive' } } : {}), ...(opts.after ? { userId: { gt: opts.after } } : {}) },
    orderBy: { userId: 'asc' },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  return { links: page.map(linkSnapshot), next: rows.length > opts.limit ? page[page.length - 1]!.userId : null };
}
