import type { ChatInputCommandInteraction } from 'discord.js';
import { announceTask } from '../../../activities/announcements';
import { findTask } from '../../../activities/tasks';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';
import { context, preview } from './shared';

/**
 * `/announce task task channel`: the task's card as an announcement draft, answered with the same preview
 * and Post / Cancel as /announce create; Post sends it through the announcement flow.
 */
export async function announceTaskCard(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const task = await findTask(deps.prisma, guildId, interaction.options.getString('task', true));
  const channelId = interaction.options.getChannel('channel', true).id;
  await requireInInteractionGuild(interaction, { channels: { channel: channelId } });
  const a = await announceTask(context(deps), guildId, task.id, { id: interaction.id, channelId, actor: { actorType: 'user', actorId: `discord:${interaction.user.id}` }, draft: true });
  await interaction.reply(preview(a));
}
