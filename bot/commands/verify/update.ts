import { MessageFlags } from 'discord.js';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { ForbiddenError } from '../../../lib/errors';
import type { MemberRolesResult } from '../../../lib/flows/verify-roles';
import { runMemberRoles } from '../../../lib/flows/verify-roles.client';
import { atLeast } from '../../../lib/permissions';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { interactionLevel } from '../../permissions';
import { requireInInteractionGuild } from '../../scope';
import { updateData } from './definitions';

function describeUpdate(result: MemberRolesResult, userId: string, self: boolean): { outcome: 'success' | 'info' | 'warning' | 'error'; text: string } {
  const whose = self ? 'You have' : `<@${userId}> has`;
  if (result.status === 'not_linked') return { outcome: 'info', text: `${whose} no linked Roblox account: use /verify first.` };
  if (result.status === 'not_in_guild') return { outcome: 'info', text: `<@${userId}> is not in this server.` };
  if (result.status === 'failed') return { outcome: 'error', text: `Nothing was changed: ${result.reason ?? 'the update failed'}\nTry again in a moment.` };
  const parts: string[] = [];
  if (result.added.length) parts.push(`Added ${result.added.map((r) => `<@&${r}>`).join(', ')}`);
  if (result.removed.length) parts.push(`Removed ${result.removed.map((r) => `<@&${r}>`).join(', ')}`);
  if (result.nickname) parts.push(`nickname set to **${result.nickname}**`);
  const done = parts.length ? `${parts.join('; ')}.` : 'Nothing to change.';
  return { outcome: result.problems.length ? 'warning' : parts.length ? 'success' : 'info', text: [done, ...result.problems].join('\n') };
}

/**
 * `/update [member]`: the member's verified role, nickname and bind roles from their link, applied again
 * by `member-roles:{guild}:{user}:update-{interaction}`. Oneself: anyone; another member: mods and above,
 * and only a member of this server.
 */
export const updateCommand: Command = {
  data: updateData,
  async handle(interaction, deps) {
    const guildId = guildIdOf(interaction);
    const target = interaction.options.getUser('member') ?? interaction.user;
    const self = target.id === interaction.user.id;
    if (!self) {
      const level = await interactionLevel(interaction, deps.prisma);
      if (!atLeast(level, 'mod')) throw new ForbiddenError(`Only a server mod or above can update another member (you are ${level}); /update alone updates you.`);
      await requireInInteractionGuild(interaction, { members: { member: target.id } });
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await runMemberRoles(deps, {
      guildId,
      userId: target.id,
      trigger: 'update',
      actorId: `discord:${interaction.user.id}`,
      key: interaction.id,
      summary: `/update ${self ? '' : `of ${target.username} `}by ${interaction.user.username}`,
    });
    const { outcome, text } = describeUpdate(result, target.id, self);
    await interaction.editReply({ allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome, title: self ? 'Update' : `Update of ${target.username}`, description: text })] });
  },
};
