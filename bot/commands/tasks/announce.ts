import type { ChatInputCommandInteraction } from 'discord.js';
import { announceTask } from '../../../activities/announcements';
import { findTask } from '../../../activities/tasks';
import { AppError } from '../../../lib/errors';
import { atLeast } from '../../../lib/permissions';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { interactionLevel } from '../../permissions';
import { requireInInteractionGuild } from '../../scope';
import { context, preview } from '../announce/shared';

/**
 * `/task announce task channel` (admins): the task's card as an announcement draft, answered with the same
 * preview and Post / Cancel as /announce; Post sends it through the announcement flow.
 */
export async function announce(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  if (!atLeast(await interactionLevel(interaction, deps.prisma), 'admin')) throw new AppError('forbidden', 'Only admins announce tasks.', 403);
  const task = await findTask(deps.prisma, guildId, interaction.options.getString('task', true));
  const channelId = interaction.options.getChannel('channel', true).id;
  await requireInInteractionGuild(interaction, { channels: { channel: channelId } });
  const a = await announceTask(context(deps), guildId, task.id, { id: interaction.id, channelId, actor: { actorType: 'user', actorId: `discord:${interaction.user.id}` }, draft: true });
  await interaction.reply(preview(a));
}
