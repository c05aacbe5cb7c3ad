import type { Interaction } from 'discord.js';
import { getPadSettings, mayHost } from '../../../activities/pads';
import { ForbiddenError } from '../../../lib/errors';
import type { PadSettings, PrismaClient } from '../../../prisma/client';
import { guildIdOf, memberRoleIds } from '../../interaction';
import { interactionAccess } from '../../permissions';

/**
 * The one host check of `/training start` and `/tryout start`: a member with one of the guild's host
 * roles, a mod, admin or owner, or a member with the Host sessions grant. Returns the settings the start needs.
 */
export async function requireHost(interaction: Interaction, prisma: PrismaClient): Promise<PadSettings> {
  const settings = await getPadSettings(prisma, guildIdOf(interaction));
  const access = await interactionAccess(interaction, prisma, { level: 'mod', grant: 'host_sessions' });
  if (!mayHost(settings, { roleIds: memberRoleIds(interaction), isStaff: access.allowed })) {
    const roles = settings.hostRoleIds.map((r) => `<@&${r}>`).join(', ');
    throw new ForbiddenError(`Only hosts can start sessions: ${roles ? `members with ${roles}, ` : ''}mods, admins and members with the Host sessions grant.`);
  }
  return settings;
}
