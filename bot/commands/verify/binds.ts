import { MessageFlags } from 'discord.js';
import { addGroupBind, listGroupBinds, parseGroupBind, removeGroupBind, type GroupBindView } from '../../../activities/verify';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';
import { bindsData } from './definitions';

const bindLine = (b: GroupBindView) => `\`${b.id}\` group ${b.groupId}, ranks ${b.minRank === b.maxRank ? b.minRank : `${b.minRank}-${b.maxRank}`} → <@&${b.roleId}>`;

/** `/binds add|remove|list` (admins): group-rank binds, checked and audited like the API's. */
export const bindsCommand: Command = {
  level: 'admin',
  data: bindsData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const actor = { actorType: 'user', actorId: `discord:${interaction.user.id}` };
    const sub = interaction.options.getSubcommand();
    const answer = (title: string, description: string) =>
      interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: sub === 'list' ? 'info' : 'success', title, description })] });
    if (sub === 'add') {
      const o = interaction.options;
      const bind = parseGroupBind({ groupId: o.getInteger('group', true), roleId: o.getRole('role', true).id, minRank: o.getInteger('min', true), maxRank: o.getInteger('max', true) });
      await requireInInteractionGuild(interaction, { roles: { role: bind.roleId } });
      const saved = await addGroupBind(prisma, guildId, bind, actor);
      await answer('Bind added', `${bindLine(saved)}\nVerified members get it at their next verification or /update.`);
      return;
    }
    if (sub === 'remove') {
      const removed = await removeGroupBind(prisma, guildId, String(interaction.options.getInteger('id', true)), actor);
      await answer('Bind removed', bindLine(removed));
      return;
    }
    const binds = await listGroupBinds(prisma, guildId);
    await answer('Group-rank binds', binds.length ? binds.map(bindLine).join('\n') : 'No binds yet: add one with /binds add.');
  },
};
