import { MessageFlags } from 'discord.js';
import { formatDuration, getPadSettings, updatePadSettings, type PadSettingsPatch } from '../../../activities/pads';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';
import { parseHoursOrDuration } from '../tasks/shared';
import { padData, padSettingsData } from './definitions';
import { endSession } from './sessions';

/** `/pad end`: the host, or an admin (checked in endSession and again by the flow). */
export const padCommand: Command = {
  data: padData,
  async handle(interaction, deps) {
    await endSession(interaction, interaction.options.getInteger('pad', true), deps);
  },
};

/** `/pad-settings` (admins; audited): shows the settings, or changes the ones given. */
export const padSettingsCommand: Command = {
  level: 'admin',
  data: padSettingsData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const o = interaction.options;
    const current = await getPadSettings(prisma, guildId);
    const patch: PadSettingsPatch = {};
    const pads = o.getInteger('pads');
    if (pads !== null) patch.padCount = pads;
    const channel = o.getChannel('channel');
    if (channel) patch.sessionsChannelId = channel.id;
    const add = o.getRole('add_host_role');
    const remove = o.getRole('remove_host_role');
    if (add || remove) patch.hostRoleIds = [...new Set([...current.hostRoleIds, ...(add ? [add.id] : [])])].filter((r) => r !== remove?.id);
    const duration = (name: string, zeroAllowed = false) => {
      const text = o.getString(name);
      if (text === null) return undefined;
      return zeroAllowed && text.trim() === '0' ? 0 : parseHoursOrDuration(text, name);
    };
    const training = duration('training_max');
    if (training !== undefined) patch.trainingMaxSeconds = training;
    const tryout = duration('tryout_max');
    if (tryout !== undefined) patch.tryoutMaxSeconds = tryout;
    const reminder = duration('reminder', true);
    if (reminder !== undefined) patch.reminderLeadSeconds = reminder;
    await requireInInteractionGuild(interaction, { channels: { channel: patch.sessionsChannelId }, roles: { add_host_role: add?.id } });
    const changed = Object.keys(patch).length > 0;
    const s = changed ? await updatePadSettings(prisma, guildId, patch, { actorType: 'user', actorId: `discord:${interaction.user.id}` }) : current;
    const lines = [
      `Pads: 1–${s.padCount}`,
      `Sessions channel: ${s.sessionsChannelId ? `<#${s.sessionsChannelId}>` : 'not set'}`,
      `Host roles: ${s.hostRoleIds.length ? s.hostRoleIds.map((r) => `<@&${r}>`).join(', ') : 'none (mods and admins host)'}`,
      `Longest training: ${formatDuration(s.trainingMaxSeconds * 1000)} · longest tryout: ${formatDuration(s.tryoutMaxSeconds * 1000)}`,
      `Reminder: ${s.reminderLeadSeconds ? `${formatDuration(s.reminderLeadSeconds * 1000)} before the maximum` : 'none'}`,
    ];
    await interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: 'info', title: changed ? 'Pad settings updated' : 'Pad settings', description: lines.join('\n') })] });
  },
};
