import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type APIApplicationCommandChannelOption } from 'discord.js';
import { AppError } from '../../lib/errors';
import type { Command, ComponentHandler } from '../command';
import { postShopPanel } from './orders/panel';
import { runSetupCheck } from './setup/check';
import { featureComponents, openFeatures } from './setup/features';
import { openWizard, wizardComponents } from './setup/wizard';
import { postVerifyPanel } from './verify/commands';

const channelOption: APIApplicationCommandChannelOption = {
  type: ApplicationCommandOptionType.Channel,
  name: 'channel',
  description: 'Where (default: here)',
  channel_types: [ChannelType.GuildText],
};

/**
 * `/setup verification|shop-panel [channel]`: admins post the persistent panels members use;
 * `/setup wizard` and `/setup features` change the server's settings and feature switches from menus.
 */
export const setupCommand: Command = {
  level: 'admin',
  data: {
    name: 'setup',
    description: 'Set Guildflow up: panels, settings and features',
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
      { type: ApplicationCommandOptionType.Subcommand, name: 'wizard', description: 'Choose staff roles, verification roles and Guildflow’s channels from menus' },
      { type: ApplicationCommandOptionType.Subcommand, name: 'features', description: 'Switch Guildflow features on or off in this server' },
      { type: ApplicationCommandOptionType.Subcommand, name: 'check', description: 'Check Guildflow’s permissions and role position for every configured feature' },
    ],
  },
  async handle(interaction, deps) {
    switch (interaction.options.getSubcommand()) {
      case 'verification':
        return postVerifyPanel(interaction, deps);
      case 'shop-panel':
        return postShopPanel(interaction, deps);
      case 'wizard':
        return openWizard(interaction, deps);
      case 'features':
        return openFeatures(interaction, deps);
      case 'check':
        return runSetupCheck(interaction, deps);
      default:
        throw new AppError('unknown_command', 'This /setup panel does not exist (any more).');
    }
  },
};

/** The menus and buttons of `/setup wizard` and `/setup features`. */
export const setupComponents: readonly ComponentHandler[] = [...wizardComponents, ...featureComponents];
