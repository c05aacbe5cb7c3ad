import type { Interaction } from 'discord.js';
import { getPadSettings, mayHost } from '../../../activities/pads';
import { ForbiddenError } from '../../../lib/errors';
import { atLeast } from '../../../lib/permissions';
import type { PadSettings, PrismaClient } from '../../../prisma/client';
import { guildIdOf, memberRoleIds } from '../../interaction';
import { interactionLevel } from '../../permissions';

/**
 * The one host check of `/training start` and `/tryout start`: a member with one of the guild's host
 * roles, or a mod, admin or owner. Returns the settings the start needs.
 */
export async function requireHost(interaction: Interaction, prisma: PrismaClient): Promise<PadSettings> {
  const settings = await getPadSettings(prisma, guildIdOf(interaction));
  const level = await interactionLevel(interaction, prisma);
  if (!mayHost(settings, { roleIds: memberRoleIds(interaction), isStaff: atLeast(level, 'mod') })) {
    const roles = settings.hostRoleIds.map((r) => `<@&${r}>`).join(', ');
    throw new ForbiddenError(`Only hosts can start sessions: ${roles ? `members with ${roles}, ` : ''}mods and admins.`);
  }
  return settings;
}
