import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type APIApplicationCommandChannelOption } from 'discord.js';
import { AppError } from '../../lib/errors';
import type { Command } from '../command';
import { postShopPanel } from './orders/panel';
import { runSetupCheck } from './setup-check';
import { postVerifyPanel } from './verify/commands';

const channelOption: APIApplicationCommandChannelOption = {
  type: ApplicationCommandOptionType.Channel,
  name: 'channel',
  description: 'Where (default: here)',
  channel_types: [ChannelType.GuildText],
};

/** `/setup verification|shop-panel [channel]`: admins post the persistent panels members use. */
export const setupCommand: Command = {
  level: 'admin',
  data: {
    name: 'setup',
    description: 'Post Guildflow panels in a channel',
    contexts: [0],
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'verification',
        description: 'Post the Verify panel (a button members press to link their Roblox account)',
        options: [channelOption],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'shop-panel', description: 'Post the code shop panel (Order codes, Top up, Balance)', options: [channelOption] },
      { type: ApplicationCommandOptionType.Subcommand, name: 'check', description: 'Check Guildflow’s permissions and role position for every configured feature' },
    ],
  },
  async handle(interaction, deps) {
    switch (interaction.options.getSubcommand()) {
      case 'verification':
        return postVerifyPanel(interaction, deps);
      case 'shop-panel':
        return postShopPanel(interaction, deps);
      case 'check':
        return runSetupCheck(interaction, deps);
      default:
        throw new AppError('unknown_command', 'This /setup panel does not exist (any more).');
    }
  },
};
